#!/usr/bin/env bash
# A runner stopped (SIGTERM) while it writes a schedule's due slot (the
# slot's job) and another process holds the SQLite store's lock: the
# write is abandoned, which is the stop, not a broken schedule, so it is
# logged as "stopping: ..." at level info, never as a warning naming the
# schedule (before: "warn ... schedule nightly: sqlite store ...:
# abandoned: the caller stopped waiting").  The slot is not lost: the
# next run creates its job.
source "$(dirname "$0")/lib.sh"
export TMPDIR="$T" HZ_DATASET_ROOTS="$T" HZ_TEST_HOOKS=1
unset HORIZON_STORE
tiny_monthly_csv "$T/tiny.csv"
S="sqlite:$T/jobs.db"
"$HORIZON" schedule add --store "$S" --tenant acme --id nightly \
    --cron "*/5 * * * *" --type forecast --dataset "$T/tiny.csv" \
    --param date=date --param value=value --param model=naive \
    --param freq=month > /dev/null
# the runner's clock an hour ahead: the schedule has due slots
export HZ_TEST_NOW=$(($(date +%s) + 3600))

for mode in watch once; do
    rm -f "$T/locked" "$T/hb.json"
    python3 - "$T/jobs.db" "$T/locked" <<'PY' &
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN EXCLUSIVE")
open(sys.argv[2], "w").close()
time.sleep(40)
PY
    locker=$!
    for _ in $(seq 100); do [[ -e "$T/locked" ]] && break; sleep 0.05; done
    "$HORIZON" run --$mode --store "$S" --grace 1 --log-format json \
        --heartbeat "$T/hb.json" > "$T/out" 2> "$T/err" &
    w=$!
    # the schedules are read (WAL: the lock does not stop a reader), then
    # the slot's job waits for the lock
    for _ in $(seq 200); do [[ -e "$T/hb.json" ]] && break; sleep 0.05; done
    sleep 0.5
    kill -TERM $w
    wait $w
    rc=$?
    kill $locker 2>/dev/null
    wait $locker 2>/dev/null
    want=$([[ $mode == watch ]] && echo 0 || echo 143)
    check "$mode: exit $want ($rc): $(tail -1 "$T/err")" test $rc -eq $want
    check "$mode: the slot's write was abandoned by the stop (info)" python3 -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
sys.exit(not any(l["level"] == "info" and l["msg"].startswith("stopping: sqlite store")
                 and "abandoned" in l["msg"] for l in lines))' "$T/err"
    check "$mode: no warning about the schedule: $(grep -m1 '"warn"' "$T/err")" \
        bash -c "! grep -q '\"level\":\"warn\"' '$T/err'"
done

# the slots are not lost: the next run creates them and runs their jobs
"$HORIZON" run --once --store "$S" --quiet > "$T/out" 2> "$T/err"
rc=$?
check "the next run exits 0 ($rc): $(tail -1 "$T/err")" test $rc -eq 0
n=$("$HORIZON" jobs list --store "$S" --status succeeded --json | grep -c '"nightly-')
check "the schedule's slots ran ($n jobs)" test "$n" -ge 1
finish
