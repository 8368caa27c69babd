#!/usr/bin/env bash
# Under a hard `ulimit -f` lower than --max-disk-mb (the operator's, which
# stays in force), a job that writes a file as large as it fails with
# reason disk naming that limit, not --max-disk-mb: before, the message
# said "its disk limit of 100 MiB (horizon run --max-disk-mb)" for a file
# that stopped at 4 MiB.  Without a disk limit (--max-disk-mb 0) the
# ulimit -f still holds: the job fails for good the same way (before, the
# job process died of SIGXFSZ: "crash", retried, its reason not said).
# The test hook params.debugWriteMB (HZ_TEST_HOOKS=1) makes the job process
# write a file of that many MiB.
source "$(dirname "$0")/lib.sh"
sqlite_runner_env
"$HORIZON" submit --type forecast --tenant acme --id big --quiet \
    --dataset "$T/data/acme/sales.csv" --param date=date --param value=value \
    --param model=naive --param freq=month --params '{"debugWriteMB": 8}'
(ulimit -f 4096 && "$HORIZON" run --once --max-disk-mb 100 --max-attempts 1 \
    --isolation best-effort >"$T/run.out" 2>"$T/run.err")
rc=$?
err=$(field big error)
check "the job fails with reason disk ($(field big errorReason))" \
    test "$(field big errorReason)" = disk
check "its error names the file size limit in force ($err)" \
    grep -qF "file size limit of 4 MiB (the hard ulimit -f the runner was started with, below horizon run --max-disk-mb 100)" <<<"$err"
check "not the --max-disk-mb limit alone ($err)" \
    bash -c "! grep -qF 'disk limit of 100 MiB' <<<'$err'"
check "the run exits 1 ($rc)" test $rc -eq 1

"$HORIZON" submit --type forecast --tenant acme --id nolimit --quiet \
    --dataset "$T/data/acme/sales.csv" --param date=date --param value=value \
    --param model=naive --param freq=month --params '{"debugWriteMB": 8}'
(ulimit -f 4096 && "$HORIZON" run --once --max-disk-mb 0 --max-attempts 3 \
    --isolation best-effort >"$T/run.out" 2>"$T/run.err")
rc=$?
err=$(field nolimit error)
check "without --max-disk-mb: reason disk ($(field nolimit errorReason): $err)" \
    test "$(field nolimit errorReason)" = disk
check "its error names the ulimit ($err)" \
    grep -qF "file size limit of 4 MiB (the hard ulimit -f the runner was started with)" <<<"$err"
check "no retry: one attempt ($(field nolimit attempts))" \
    test "$(field nolimit attempts)" = 1
check "the run exits 1 ($rc)" test $rc -eq 1
finish
