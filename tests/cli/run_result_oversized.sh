#!/usr/bin/env bash
# A result file (or report) larger than the job's memory limit is not
# read: the job fails with reason memory and says why.  The files are the
# job process's to write, and code a hostile dataset got to run there
# could write gigabytes that the runner read whole into its own memory
# (and parsed into far more): the OOM killer then took the runner and
# every tenant's running jobs.  The test hook params.debugResultMB
# (HZ_TEST_HOOKS=1) makes the job process write a result file of that
# many MiB and exit.
source "$(dirname "$0")/lib.sh"
sqlite_runner_env
submit() { # ID [PARAM...]
    local id=$1
    shift
    "$HORIZON" submit --type forecast --tenant acme --id "$id" --quiet \
        --dataset "$T/data/acme/sales.csv" --param date=date --param value=value \
        --param model=naive --param freq=month --max-attempts 1 "$@"
}
submit big --params '{"debugResultMB": 80}'
submit plain
"$HORIZON" run --once --max-memory-mb 64 --isolation best-effort \
    >"$T/run.out" 2>"$T/run.err"
rc=$?
check "the run exits 1 for the failed job ($rc)" test $rc -eq 1
check "the oversized result fails its job, reason memory ($(field big status) $(field big errorReason))" \
    test "$(field big status) $(field big errorReason)" = "failed memory"
check "the error says why ($(field big error))" grep -q \
    "the job process left a result file of 80 MiB, over its memory limit of 64 MiB: not read" \
    <<<"$(field big error)"
check "the other job succeeds ($(field plain status))" \
    test "$(field plain status)" = succeeded
finish
