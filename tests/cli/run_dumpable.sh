#!/usr/bin/env bash
# Job processes run a tenant's file as the runner's user, so any other
# process of that user (another tenant's job process that a hostile
# dataset got to run code in) could read the runner's environment and
# memory (/proc/PID/environ, /proc/PID/mem: the store's and the LLM's
# keys) and another job's memory (its tenant's data), and a crash left a
# core dump of them.  The runner, its helper and its job processes are
# not dumpable (PR_SET_DUMPABLE 0): their /proc files are root's, no
# process of the same user reads them, and no core dump is written.
# Run as an unprivileged user (nobody) when the test runs as root, for
# root reads every process's files.
source "$(dirname "$0")/lib.sh"
AS=()
if [[ $(id -u) -eq 0 ]]; then
    command -v setpriv >/dev/null || { echo "skip: no setpriv"; exit 77; }
    AS=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    chmod 755 "$T"
fi
W="$T/w"
mkdir -p "$W/data/acme"
tiny_monthly_csv "$W/data/acme/sales.csv"
chmod -R a+rwX "$W"
export HORIZON_STORE="sqlite:$W/store.db" HZ_DATASET_ROOTS="$W/data/{tenant}" \
    TMPDIR="$W" HZ_TEST_HOOKS=1 COSMOS_KEY=COSMOSKEYSECRET1 \
    OPENAI_API_KEY=sk-OPENAISECRET2 OPENAI_BASE_URL=http://127.0.0.1:9/v1 \
    HZ_LLM_MAX_ATTEMPTS=1
unset HZ_TENANT AZURE_OPENAI_ENDPOINT HZ_LLM_CONFIG || true
"${AS[@]}" "$HORIZON" submit --type forecast --tenant acme --id slow --quiet \
    --dataset "$W/data/acme/sales.csv" --param date=date --param value=value \
    --param model=naive --param freq=month --param debugSleepS=3
"${AS[@]}" "$HORIZON" run --once >"$W/run.out" 2>"$W/run.err" &
wrapper=$!
# setpriv execs horizon, which re-executes itself (execv): the same PID.
# Not pgrep -f "horizon run --once", which finds another test's runner
# when ctest runs tests in parallel (the oldest first), one that may end
# before its /proc files are looked at.
runner=$wrapper
job=$(job_process "$runner")
sleep 0.5 # the job is asleep (debugSleepS=3)
check "the runner and its job process were found ($runner, $job)" \
    test -n "$runner" -a -n "$job"
uid=$(stat -c %u "/proc/$runner/environ" 2>/dev/null)
juid=$(stat -c %u "/proc/$job/mem" 2>/dev/null)
# a process of the same user as the runner tries to read them
read_as_user() { "${AS[@]}" cat "$1" >/dev/null 2>&1; }
read_as_user "/proc/$runner/environ"
r_env=$?
peek() { # PID: read 16 bytes of its first mapping through /proc/PID/mem
    "${AS[@]}" /usr/bin/python3 -c '
import sys
pid = sys.argv[1]
try:
    lo = int(open("/proc/%s/maps" % pid).readline().split("-")[0], 16)
    with open("/proc/%s/mem" % pid, "rb", 0) as m:
        m.seek(lo)
        m.read(16)
    print("read")
except OSError as e:
    print("refused", e)
' "$1" 2>&1
}
rpeek=$(peek "$runner")
jpeek=$(peek "$job")
wait "$wrapper"
check "the runner's /proc files are root's ($uid)" test "$uid" = 0
check "the job process's /proc files are root's ($juid)" test "$juid" = 0
check "its user cannot read the runner's environment" test $r_env -ne 0
check "its user cannot read the runner's memory ($rpeek)" \
    grep -q refused <<<"$rpeek"
check "its user cannot read the job process's memory ($jpeek)" \
    grep -q refused <<<"$jpeek"
check "the job succeeded ($(cat "$W/run.err"))" \
    test "$("$HORIZON" jobs show slow --json | /usr/bin/python3 -c \
        'import json,sys; print(json.load(sys.stdin)["status"])')" = succeeded
finish
