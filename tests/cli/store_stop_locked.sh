#!/usr/bin/env bash
# A runner stopped (SIGTERM) while another process holds the SQLite store's
# lock stops at once: its wait for the lock is abandoned, as a Cosmos DB
# request that hangs is (tests/cli/cosmos_hang_claims.sh).  Before, it sat
# out SQLite's busy timeout of 30 s, up to four times (`BEGIN IMMEDIATE`
# is tried again), whatever --grace said.  --watch exits 0, --once 143.
source "$(dirname "$0")/lib.sh"
export TMPDIR="$T" HZ_DATASET_ROOTS="$T"
unset HORIZON_STORE
tiny_monthly_csv "$T/tiny.csv"
S="sqlite:$T/jobs.db"
"$HORIZON" submit --store "$S" --type forecast --tenant acme \
    --param date=date --param value=value --param model=naive \
    --param freq=month --dataset "$T/tiny.csv" --id j1 --quiet

# what a run costs here when nothing is locked (start, a claim, exit)
t0=$(date +%s.%N)
"$HORIZON" run --once --store "$S" --tenant nobody --quiet > /dev/null 2>&1
base=$(python3 -c "print($(date +%s.%N) - $t0)")

for mode in watch once; do
    # another process holds the write lock for 40 s
    rm -f "$T/locked"
    python3 - "$T/jobs.db" "$T/locked" <<'PY' &
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN EXCLUSIVE")
open(sys.argv[2], "w").close()
time.sleep(40)
PY
    locker=$!
    for _ in $(seq 100); do [[ -e "$T/locked" ]] && break; sleep 0.05; done
    if [[ $mode == watch ]]; then args=(--watch); else args=(--once); fi
    rm -f "$T/hb.json"
    "$HORIZON" run "${args[@]}" --store "$S" --no-schedules --grace 1 \
        --heartbeat "$T/hb.json" > "$T/out" 2> "$T/err" &
    w=$!
    # the heartbeat is first written once the store is open; the claim
    # that waits for the lock follows at once
    for _ in $(seq 200); do [[ -e "$T/hb.json" ]] && break; sleep 0.05; done
    sleep 0.5
    t0=$(date +%s.%N)
    kill -TERM $w
    wait $w
    rc=$?
    secs=$(python3 -c "print(round($(date +%s.%N) - $t0, 1))")
    kill $locker 2>/dev/null
    wait $locker 2>/dev/null
    want=$([[ $mode == watch ]] && echo 0 || echo 143)
    check "$mode: exit $want on SIGTERM ($rc): $(tail -1 "$T/err")" test $rc -eq $want
    check "$mode: stopped ${secs} s after SIGTERM, not at the busy timeout (baseline $base s)" \
        python3 -c "import sys; sys.exit(not $secs < 2 + $base)"
    # the stop came while the claim waited for the lock (else the test
    # would prove nothing: a loaded machine may start the run late)
    check "$mode: the wait for the lock was abandoned" grep -q \
        "stopping: sqlite store .*: abandoned: the caller stopped waiting" \
        "$T/err"
    check "$mode: no claim failure after the stop" \
        bash -c "! grep -q 'could not claim' '$T/err'"
done
# nothing lost: the job runs once the lock is gone
"$HORIZON" run --once --store "$S" --quiet > /dev/null 2>&1
check "the job runs afterwards ($?)" test $? -eq 0
check "the job succeeded" bash -c \
    "'$HORIZON' jobs show j1 --store '$S' | grep -q 'status:    succeeded'"
finish
