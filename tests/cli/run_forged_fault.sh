#!/usr/bin/env bash
# A job process's result cannot stop the runner: the reasons "isolation"
# (the kernel refused the job process its isolation) and "workdir" (the
# run's work directory is full) make the runner release the job with its
# attempt refunded and end the run (exit 78, 75), for every tenant.  The
# result file is the job process's to write, and code a hostile dataset
# got to run there could write either: the job was released, refunded,
# claimed by the next runner and stopped it too, for ever.  Now the runner
# takes "isolation" only from a job process that said so, before it read
# its dataset, in a file beside its directory (where an isolated job
# process cannot write), and "workdir" only when its work directory has
# no room once the job's own files are gone; else the job fails alone.
# The test hook params.debugReason (HZ_TEST_HOOKS=1) makes the job
# process fail with the reason given, after it has isolated itself.
source "$(dirname "$0")/lib.sh"
abi=$(/usr/bin/python3 -c 'import ctypes; print(ctypes.CDLL(None).syscall(444, None, 0, 1))')
if [[ "$abi" -le 0 ]]; then
    echo "skip: the kernel has no Landlock (landlock_create_ruleset: $abi)"
    exit 77
fi
mkdir -p "$T/data/acme"
tiny_monthly_csv "$T/data/acme/sales.csv"
export HORIZON_STORE="sqlite:$T/store.db" HZ_DATASET_ROOTS="$T/data/{tenant}" \
    TMPDIR="$T" HZ_TEST_HOOKS=1
unset HZ_TENANT HZ_JOB_ISOLATION OPENAI_API_KEY OPENAI_BASE_URL \
    AZURE_OPENAI_ENDPOINT HZ_LLM_CONFIG || true
submit() { # ID [PARAM...]
    local id=$1
    shift
    "$HORIZON" submit --type forecast --tenant acme --id "$id" --quiet \
        --dataset "$T/data/acme/sales.csv" --param date=date --param value=value \
        --param model=naive --param freq=month --max-attempts 1 "$@"
}
state() {
    "$HORIZON" jobs show "$1" --json |
        /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["status"], d.get("errorReason"), d.get("attempts"))'
}
submit a-iso --param debugReason=isolation
submit b-workdir --param debugReason=workdir
submit c-plain
"$HORIZON" run --once >"$T/run.out" 2>"$T/run.err"
rc=$?
check "the run goes on and exits 1 for the failed jobs ($rc: $(tail -1 "$T/run.err"))" \
    test $rc -eq 1
check "a forged isolation failure fails its job alone ($(state a-iso))" \
    test "$(state a-iso)" = "failed isolation 1"
check "a forged full work directory fails its job alone ($(state b-workdir))" \
    test "$(state b-workdir)" = "failed workdir 1"
check "the other job runs ($(state c-plain))" \
    test "$(state c-plain)" = "succeeded None 1"
check "no stop of the run is logged" \
    bash -c "! grep -Eq 'no more jobs are run|claims no more|isolation is required' '$T/run.err'"
check "no marker file is left" bash -c "! ls -d '$T'/horizon-run-* 2>/dev/null"
finish
