#!/usr/bin/env bash
# A job process reads a tenant's file; the secrets of the runner (Cosmos
# DB's key, the LLM's keys, an Entra ID client secret, a managed
# identity's header) are not in its environment, neither in environ nor
# in what /proc/PID/environ shows, so code a hostile dataset might get to
# run there finds no key to every tenant's data.  They were inherited.
source "$(dirname "$0")/lib.sh"
mkdir -p "$T/data/acme"
tiny_monthly_csv "$T/data/acme/sales.csv"
CLOSED=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export HORIZON_STORE="sqlite:$T/store.db" HZ_DATASET_ROOTS="$T/data/{tenant}" \
    TMPDIR="$T" HZ_TEST_HOOKS=1 HZ_LLM_MAX_ATTEMPTS=1 \
    COSMOS_KEY=COSMOSKEYSECRET1 OPENAI_API_KEY=sk-OPENAISECRET2 \
    OPENAI_BASE_URL="http://127.0.0.1:$CLOSED/v1" \
    AZURE_CLIENT_SECRET=CLIENTSECRET3 IDENTITY_HEADER=IDHEADERSECRET4 \
    AZURE_OPENAI_API_KEY=AZKEYSECRET5
unset AZURE_OPENAI_ENDPOINT HZ_LLM_CONFIG HZ_TENANT || true
"$HORIZON" submit --type forecast --tenant acme --id slow --quiet \
    --dataset "$T/data/acme/sales.csv" --param date=date --param value=value \
    --param model=naive --param freq=month --param debugSleepS=3
"$HORIZON" run --once >"$T/run.out" 2>"$T/run.err" &
runner=$!
# runner -> job process helper -> job process
job=$(job_process "$runner" 100)
sleep 0.5 # the job is asleep (debugSleepS=3): well past its start
tr '\0' '\n' <"/proc/$runner/environ" >"$T/runner.env" 2>/dev/null
tr '\0' '\n' <"/proc/$job/environ" >"$T/job.env" 2>/dev/null
wait "$runner"
check "the job process was found" test -n "$job" -a -s "$T/job.env"
check "the runner has the secrets (the test sees them)" \
    grep -q COSMOSKEYSECRET1 "$T/runner.env"
for s in COSMOSKEYSECRET1 OPENAISECRET2 CLIENTSECRET3 IDHEADERSECRET4 AZKEYSECRET5; do
    check "$s is not in the job process's environment" \
        bash -c "! grep -aq '$s' '$T/job.env'"
done
check "the job's other settings are there (HZ_DATASET_ROOTS)" \
    grep -q '^HZ_DATASET_ROOTS=' "$T/job.env"
check "the job succeeded" \
    test "$("$HORIZON" jobs show slow --json | /usr/bin/python3 -c \
        'import json,sys; print(json.load(sys.stdin)["status"])')" = succeeded
finish
