#!/usr/bin/env bash
# A SQLite store spec that cannot name a store file (its directory does not
# exist, or it is a directory) is a configuration error: exit 2 naming the
# path, for every command and for `run --once` and `run --watch` alike
# (before: 75, "store unavailable", so that a scheduler retried a typo for
# ever).  A read-only command on a store file that does not exist is exit
# 3 (input not found).  A store that cannot be opened for another reason
# is an outage: `run --once` exits 75, `run --watch` backs off, says
# "degraded" in its heartbeat, and goes on once the store can be opened.
source "$(dirname "$0")/lib.sh"
export TMPDIR="$T" HZ_DATASET_ROOTS="$T"
unset HORIZON_STORE
tiny_monthly_csv "$T/tiny.csv"
P=(--type forecast --tenant acme --param date=date --param value=value
   --param model=naive --param freq=month --quiet)

# ---- 2: the directory does not exist, or is a file, or the path is a
# directory
S="sqlite:$T/nodir/jobs.db"
want="sqlite store $T/nodir/jobs.db: the directory $T/nodir does not exist"
expect_exit 2 "$want" -- "$HORIZON" run --once --quiet --store "$S"
expect_exit 2 "$want" -- "$HORIZON" run --watch --quiet --store "$S" \
    --heartbeat "$T/hb0.json"
expect_exit 2 "$want" -- "$HORIZON" submit --store "$S" "${P[@]}" \
    --dataset "$T/tiny.csv"
expect_exit 2 "$want" -- "$HORIZON" jobs list --store "$S"
expect_exit 2 "$want" -- "$HORIZON" datasets list --store "$S"
expect_exit 2 "$want" -- "$HORIZON" schedule list --store "$S"
HORIZON_STORE="$S" expect_exit 2 "check --store or HORIZON_STORE" -- \
    "$HORIZON" jobs show x
check "nothing made" test ! -e "$T/nodir"
touch "$T/afile"
expect_exit 2 "sqlite store $T/afile/jobs.db: $T/afile is not a directory" -- \
    "$HORIZON" run --once --quiet --store "sqlite:$T/afile/jobs.db"
expect_exit 2 "sqlite store $T: is a directory, not a store file" -- \
    "$HORIZON" run --once --quiet --store "sqlite:$T"

# ---- 3: a read-only command on a store file that does not exist
expect_exit 3 "sqlite store $T/none.db: no such file" -- \
    "$HORIZON" jobs list --store "sqlite:$T/none.db"
check "the read-only command made no file" test ! -e "$T/none.db"

# ---- 75 (--once) or degraded (--watch): a file that is not a store
S="sqlite:$T/store.db"
echo "not a database" > "$T/store.db"
expect_exit 75 "store unavailable: could not open it" -- \
    "$HORIZON" run --once --quiet --claim-retry 1 --store "$S"
"$HORIZON" run --watch --store "$S" --poll-interval 0.2 \
    --heartbeat "$T/hb.json" --quiet > "$T/watch.out" 2> "$T/watch.err" &
W=$!
for _ in $(seq 100); do
    grep -q '"degraded"' "$T/hb.json" 2>/dev/null && break
    sleep 0.1
done
check "watch: heartbeat says degraded" \
    grep -q '"state":[[:space:]]*"degraded"' "$T/hb.json"
check "watch: the heartbeat names the error" \
    grep -q '"lastError":.*not a database' "$T/hb.json"
check "watch: still running" kill -0 $W
# the store is repaired: the runner opens it and runs its job
rm -f "$T/store.db"
"$HORIZON" submit --store "$S" "${P[@]}" --dataset "$T/tiny.csv" --id j1
for _ in $(seq 300); do
    "$HORIZON" jobs list --store "$S" --status succeeded --json 2>/dev/null |
        grep -q j1 && break
    sleep 0.1
done
check "watch: the job ran once the store opened" bash -c \
    "'$HORIZON' jobs list --store '$S' --status succeeded --json | grep -q j1"
for _ in $(seq 50); do
    grep -q '"ok"' "$T/hb.json" 2>/dev/null && break
    sleep 0.1
done
check "watch: heartbeat ok again" grep -q '"state":[[:space:]]*"ok"' "$T/hb.json"
kill -TERM $W
wait $W
rc=$?
check "watch: exit 0 on SIGTERM ($rc)" test $rc -eq 0
check "watch: said why it could not open the store" \
    grep -q "could not open the store: .*not a database (retrying in" "$T/watch.err"
finish
