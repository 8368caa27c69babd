#!/usr/bin/env bash
# A job process may write at most `horizon run --max-disk-mb` in its work
# directory: no file past it (RLIMIT_FSIZE, SIGXFSZ ignored so that the
# write fails with EFBIG instead of killing the job with a signal), and
# no more than it in all (the runner looks and stops the job).  Past it
# the job fails for good with reason disk, naming the limit.  Before, a
# job could fill the work directory's file system, and every other job
# then failed with reason workdir (and the run ended with exit 75).
# The test hook params.debugWriteMB / debugWriteFiles (HZ_TEST_HOOKS=1)
# makes the job process write that many files of that many MiB
# (debugWriteHide: out of the runner's sight, see below).
source "$(dirname "$0")/lib.sh"
sqlite_runner_env
submit() { # ID [PARAM...]
    local id=$1
    shift
    "$HORIZON" submit --type forecast --tenant acme --id "$id" --quiet \
        --dataset "$T/data/acme/sales.csv" --param date=date --param value=value \
        --param model=naive --param freq=month "$@"
}
expect_exit 2 "--max-disk-mb" -- "$HORIZON" run --once --max-disk-mb -1
expect_exit 2 "--max-disk-mb" -- "$HORIZON" run --once --max-disk-mb 4x

submit onefile --params '{"debugWriteMB": 8}'
submit manyfiles --params '{"debugWriteMB": 1, "debugWriteFiles": 400}'
submit small --params '{"debugWriteMB": 1, "debugWriteFiles": 2}'
# empty files by the thousand (a file system's inodes): each counts 4 KiB
submit inodes --params '{"debugWriteMB": 0.001, "debugWriteFiles": 3000}'
submit plain
# a job process that raises its soft RLIMIT_FSIZE to the hard one: the
# hard one is the limit too, the write still stops there (before, the
# soft limit alone was set, and the file grew past it unhindered)
submit raise --params '{"debugWriteMB": 8, "debugWriteRaise": true}'
# files out of the runner's sight (unlinked while open, O_TMPFILE, renamed
# over), 20 of 3 MiB each: refused (seccomp), so the files stay in sight
# and the job is stopped; before, each took its room to the end unseen
# and the job succeeded, 60 MiB past a 4 MiB limit (no bound at all)
for how in unlink tmpfile rename; do
    submit "hide-$how" --params "{\"debugWriteMB\": 3, \"debugWriteFiles\": 20, \"debugWriteHide\": \"$how\"}"
done
# a gzip dataset inflating past the limit: the CSV reader's temporary file
# (unlinked, out of the runner's sight) stops at it (EFBIG); the job fails
# for disk, not for its dataset ("File too large (set TMPDIR)")
/usr/bin/python3 - "$T/data/acme/big.csv.gz" <<'PY'
import gzip, sys
with gzip.open(sys.argv[1], "wt") as f:
    f.write("date,value,pad\n")
    for i in range(60000):
        f.write("2020-%02d-01,%d,%s\n" % (i % 12 + 1, i, "x" * 100))
PY
"$HORIZON" submit --type forecast --tenant acme --id gzip --quiet \
    --dataset "$T/data/acme/big.csv.gz" --param date=date --param value=value \
    --param model=naive --param freq=month
t0=$(date +%s)
"$HORIZON" run --once --concurrency 2 --max-disk-mb 4 --isolation best-effort \
    >"$T/run.out" 2>"$T/run.err"
rc=$?
t1=$(date +%s)
check "the run exits 1 for the failed jobs, not 75 ($rc): $(tail -2 "$T/run.err")" \
    test $rc -eq 1
for id in onefile manyfiles inodes hide-unlink hide-tmpfile hide-rename raise; do
    st="$(field $id status) $(field $id errorReason) $(field $id attempts)"
    check "$id: failed for good with reason disk, one attempt ($st)" \
        test "$st" = "failed disk 1"
    check "$id: the error names the limit ($(field $id error))" grep -q \
        "disk limit of 4 MiB in its work directory (horizon run --max-disk-mb)" \
        <<<"$(field $id error)"
done
check "raise: the file size limit stays 4 MiB ($(grep -o 'debugWriteRaise.*' "$T/run.err"))" \
    grep -q "debugWriteRaise: the file size limit is 4194304$" "$T/run.err"
st="$(field gzip status) $(field gzip errorReason) $(field gzip attempts)"
check "gzip: failed for good with reason disk, one attempt ($st)" \
    test "$st" = "failed disk 1"
check "gzip: the error names the limit ($(field gzip error))" grep -q \
    "as large as its disk limit of 4 MiB (horizon run --max-disk-mb): " \
    <<<"$(field gzip error)"
check "a file past the limit: the write failed, the job was not killed by SIGXFSZ" \
    bash -c "! grep -qi -e 'crashed or was killed' -e 'signal' '$T/run.err'"
check "a job that writes on and on is stopped ($(field manyfiles error)), in $((t1 - t0)) s" \
    bash -c "grep -q ': stopped' <<<'$(field manyfiles error)' && test $((t1 - t0)) -lt 8"
check "no job was failed or released for the work directory" \
    bash -c "! grep -q 'workdir' '$T/run.err'"
check "a job under the limit succeeds ($(field small error))" \
    test "$(field small status)" = succeeded
check "the other job succeeds ($(field plain error))" \
    test "$(field plain status)" = succeeded
check "the run's work directory is gone" \
    bash -c "! ls -d '$T'/horizon-run-* 2>/dev/null"
# the default (--max-download-mb + 2048 MiB): an 8 MiB file is fine
submit default --params '{"debugWriteMB": 8}'
"$HORIZON" run --once --isolation best-effort >"$T/run.out" 2>"$T/run.err"
check "under the default limit an 8 MiB file is fine ($(field default error))" \
    test "$(field default status)" = succeeded
# the limit on a file holds without the runner looking too: RLIMIT_FSIZE
# of the job process (0: no limit, and nothing of it)
submit nolimit --params '{"debugWriteMB": 8}'
"$HORIZON" run --once --max-disk-mb 0 --isolation best-effort \
    >"$T/run.out" 2>"$T/run.err"
check "--max-disk-mb 0: no limit ($(field nolimit error))" \
    test "$(field nolimit status)" = succeeded
finish
