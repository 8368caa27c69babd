#!/usr/bin/env bash
# The run's work directory ($TMPDIR) on a full file system: a job process
# that cannot write its result says so (reason workdir, naming the
# directory and "No space left on device"); the job is released with its
# attempt refunded, the run claims nothing more and exits 75, as when the
# request file cannot be written.  Before, the worker found no result and
# took the job for one that crashed ("job process N ended without a
# result (it crashed or was killed)"), retried it and failed it for good
# after --max-attempts, and so every job of the queue in turn.
# Needs a small tmpfs: run as root (a private mount namespace, unshare -m).
source "$(dirname "$0")/lib.sh"
if [[ $(id -u) -ne 0 ]] || ! unshare -m true 2>/dev/null; then
    echo "skip: needs root to mount a small tmpfs (unshare -m)"
    exit 77
fi
export HORIZON_STORE="sqlite:$T/store.db" HZ_DATASET_ROOTS="$T"
unset HZ_TENANT OPENAI_API_KEY OPENAI_BASE_URL AZURE_OPENAI_ENDPOINT HZ_LLM_CONFIG || true
"$HORIZON" gen --kind sales --rows 20000 --customers 400 --months 24 --seed 1 \
    -o "$T/sales.csv" >/dev/null 2>&1
"$HORIZON" submit --type forecast --tenant acme --id big --quiet \
    --dataset "$T/sales.csv" --param date=order_date --param value=revenue \
    --param by=customer_id --param model=naive --param freq=month
mkdir -p "$T/small"
# the results (about 10,000 rows) do not fit in 64 KiB
unshare -m bash -c "mount -t tmpfs -o size=64k tmpfs '$T/small' &&
    TMPDIR='$T/small' '$HORIZON' run --once --max-attempts 2 --quiet" \
    > "$T/out" 2> "$T/err"
rc=$?
check "run exits 75 (the runner's work directory: $rc): $(tail -1 "$T/err")" test $rc -eq 75
"$HORIZON" jobs show big --json > "$T/show.json"
st=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["status"], d.get("errorReason"), d.get("attempts"))' "$T/show.json")
check "the job is queued again, its attempt refunded ($st)" test "$st" = "queued workdir 0"
err=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["error"])' "$T/show.json")
check "its error names the directory and the cause ($err)" grep -Eq \
    "the job process could not write its result in the run's work directory $T/small/horizon-run-[A-Za-z0-9]+: No space left on device" <<<"$err"
check "the log says it, not a crash" bash -c \
    "grep -q 'released \[workdir\]' '$T/err' && ! grep -q 'crashed or was killed' '$T/err'"
# --watch too: the run ends (exit 75) instead of claiming, computing and
# releasing the job again several times a second for ever
unshare -m bash -c "mount -t tmpfs -o size=64k tmpfs '$T/small' &&
    TMPDIR='$T/small' timeout 30 '$HORIZON' run --watch --poll-interval 0.2 \
    --quiet" > "$T/out" 2> "$T/err"
rc=$?
check "--watch ends by itself, exit 75 ($rc): $(tail -1 "$T/err")" test $rc -eq 75
n=$(grep -c 'released \[workdir\]' "$T/err")
check "--watch: the job was released once ($n)" test "$n" -eq 1
"$HORIZON" jobs show big --json > "$T/show.json"
st=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["status"], d.get("errorReason"), d.get("attempts"))' "$T/show.json")
check "--watch: the job is queued again, its attempt refunded ($st)" test "$st" = "queued workdir 0"
# with room, the job runs
"$HORIZON" run --once --quiet > "$T/out" 2> "$T/err"
rc=$?
check "with room the job succeeds (exit $rc)" test $rc -eq 0
finish
