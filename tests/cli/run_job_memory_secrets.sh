#!/usr/bin/env bash
# The LLM's API key is the runner's (its narrative step calls the LLM),
# never a job process's: a job process reads a tenant's file, and code a
# hostile dataset might get to run there must find no key in its memory.
# Its environment was scrubbed (run_job_env.sh), but the runner loaded
# the LLM settings, and made its LLM client with the key in it, before
# it forked the helper that forks the job processes: every job process
# held a copy of the key in its heap.
#
# The job process looks for the key in every readable mapping of its own
# memory (test hook params.debugMemoryNeedle: the bytes given XORed with
# 0x5a, so the needle is not the key) and fails the job when it is there.
# A value that is in its memory (an environment variable it keeps) is
# found: the scan works.
source "$(dirname "$0")/lib.sh"
mkdir -p "$T/data/acme"
tiny_monthly_csv "$T/data/acme/sales.csv"
CLOSED=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
KEY=sk-test-OPENAIKEY-8e1f2a9c4b7d
AZKEY=azure-test-KEY-53c1d9e0aa17
PROBE=probe-value-in-the-job-7d2c
export HORIZON_STORE="sqlite:$T/store.db" HZ_DATASET_ROOTS="$T/data/{tenant}" \
    TMPDIR="$T" HZ_TEST_HOOKS=1 HZ_LLM_MAX_ATTEMPTS=1 \
    OPENAI_API_KEY="$KEY" OPENAI_BASE_URL="http://127.0.0.1:$CLOSED/v1" \
    HZ_TEST_PROBE="$PROBE"
unset AZURE_OPENAI_ENDPOINT AZURE_OPENAI_API_KEY HZ_LLM_CONFIG HZ_TENANT || true

masked() { # the hex of each byte of $1 XOR 0x5a
    /usr/bin/python3 -c 'import sys; print(bytes(b ^ 0x5a for b in sys.argv[1].encode()).hex())' "$1"
}
submit() { # ID NEEDLE
    "$HORIZON" submit --type forecast --tenant acme --id "$1" --quiet \
        --dataset "$T/data/acme/sales.csv" --param date=date --param value=value \
        --param model=naive --param freq=month \
        --param "debugMemoryNeedle=$(masked "$2")"
}

submit probe "$PROBE"
submit openai "$KEY"
"$HORIZON" run --once --concurrency 1 >"$T/run.out" 2>"$T/run.err"
check "the scan finds what is in the job's memory (the probe): failed" \
    test "$(field probe status)" = failed
check "... naming the hook ($(field probe error))" \
    grep -q "debugMemoryNeedle: the bytes are in the job process's memory" \
    <<<"$(field probe error)"
check "the LLM was configured (the runner asked it, in vain)" \
    grep -Eq "narratives: .* [1-9][0-9]* requests" "$T/run.err"
check "the OpenAI key is not in the job process's memory ($(field openai error))" \
    test "$(field openai status)" = succeeded

# Azure OpenAI: its key likewise
export AZURE_OPENAI_ENDPOINT="http://127.0.0.1:$CLOSED" AZURE_OPENAI_API_KEY="$AZKEY" \
    AZURE_OPENAI_DEPLOYMENT=gpt
unset OPENAI_API_KEY OPENAI_BASE_URL
submit azure "$AZKEY"
"$HORIZON" run --once --concurrency 1 >"$T/run2.out" 2>"$T/run2.err"
check "the LLM (Azure) was configured" \
    grep -Eq "narratives: .* [1-9][0-9]* requests" "$T/run2.err"
check "the Azure OpenAI key is not in the job process's memory ($(field azure error))" \
    test "$(field azure status)" = succeeded
finish
