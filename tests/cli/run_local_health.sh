#!/usr/bin/env bash
# The heartbeat's state is the store's health.  A step of the runner's own
# that fails (here: making a job's directory in the run's work directory,
# moved away meanwhile) releases the job, its attempt refunded, and is
# said apart ("localFailingSince", "localError") until a job process
# starts again.  Until 2026-12-07 it made the state "degraded", which
# stayed so until a write reached the store: for good on an idle queue,
# and a readiness probe took a runner with a working store out.
source "$(dirname "$0")/lib.sh"
export HORIZON_STORE="sqlite:$T/s.db" TMPDIR="$T" HZ_DATASET_ROOTS="$T"
unset OPENAI_API_KEY OPENAI_BASE_URL AZURE_OPENAI_ENDPOINT || true
tiny_monthly_csv "$T/m.csv"
hb() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
print(d["state"], d.get("localError", "-"))' "$T/hb.json" 2>/dev/null; }

"$HORIZON" run --watch --poll-interval 0.2 --heartbeat "$T/hb.json" \
    --concurrency 1 > "$T/run.out" 2> "$T/run.err" &
R=$!
trap 'kill $R 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 100); do
    wd=$(ls -d "$T"/horizon-run-* 2>/dev/null | head -1)
    [[ -n "$wd" && -s "$T/hb.json" ]] && break
    sleep 0.1
done
# the run's work directory gone: no job's directory can be made in it
mv "$wd" "$wd.away"
"$HORIZON" submit --type forecast --tenant acme --id a --dataset "$T/m.csv" \
    --param date=date --param value=value --param model=naive --quiet
for _ in $(seq 100); do
    grep -q 'could not create' "$T/run.err" && break
    sleep 0.1
done
# while it fails (the job claimed and released again and again, its
# attempt refunded each time): the store works, the state says so
sleep 1.5
h=$(hb)
check "a local failure met ($(grep -c 'could not create' "$T/run.err"))" \
    grep -q 'could not create' "$T/run.err"
check "the store's state stays ok: $h" test "${h%% *}" = ok
check "the local error said apart: $h" grep -q 'could not create' <<< "$h"
# and the runner waits between its tries, the wait doubling from 0.5 s
# (until 2026-12-07 it claimed and released the job some 1000 times a
# second, each said)
n=$(grep -c 'could not create' "$T/run.err")
check "a few tries in 1.5 s, not a loop ($n)" test "$n" -le 5
mv "$wd.away" "$wd"

# the directory back: the job's process starts, the local error is gone
for _ in $(seq 200); do
    "$HORIZON" jobs show a 2>/dev/null | grep -q 'status: *succeeded' && break
    sleep 0.1
done
sleep 1.5
h=$(hb)
check "after a job ran: ok, no local error: $h" test "$h" = "ok -"
kill -TERM $R
wait $R
check "run: exit 0 ($?)" test $? -eq 0

# --once: exit 75 (the job was not run), said as the runner's own failure,
# not the store's (until 2026-12-07 "store unavailable: 1 job outcome(s)
# could not be written back" for a store that worked).  Job c's directory
# name (worker 0, second job) is taken by a file while job b runs.
export HZ_TEST_HOOKS=1
"$HORIZON" submit --type forecast --tenant acme --id b2 --dataset "$T/m.csv" \
    --param date=date --param value=value --param model=naive \
    --param debugSleepS=2 --quiet
"$HORIZON" submit --type forecast --tenant acme --id c --dataset "$T/m.csv" \
    --param date=date --param value=value --param model=naive --quiet
mkdir "$T/once"
TMPDIR="$T/once" "$HORIZON" run --once --concurrency 1 \
    > "$T/once.out" 2> "$T/once.err" &
R=$!
for _ in $(seq 200); do
    wd=$(ls -d "$T"/once/horizon-run-* 2>/dev/null | head -1)
    [[ -n "$wd" ]] && break
    sleep 0.02
done
: > "$wd/job-0-2"
wait $R
rc=$?
check "--once: exit 75 ($rc)" test $rc -eq 75
check "--once: says the job could not be run here: $(grep -v '^ ' "$T/once.err" | tail -2)" \
    grep -q 'horizon run: 1 job(s) could not be run here, released with their attempt refunded: could not create' "$T/once.err"
check "--once: not a store error" \
    bash -c "! grep -q 'store unavailable' '$T/once.err'"
# --watch --max-jobs 1: its one job released undone (its directory's name
# taken by a file before the job comes) is exit 75 as with --once, not 0
# (until 2026-12-07 0: the work was not done).  Tenant beta: job c of
# the --once run above is still queued.
mkdir "$T/watch"
TMPDIR="$T/watch" timeout 60 "$HORIZON" run --watch --poll-interval 0.2 \
    --concurrency 1 --max-jobs 1 --tenant beta \
    > "$T/watch.out" 2> "$T/watch.err" &
R=$!
for _ in $(seq 200); do
    wd=$(ls -d "$T"/watch/horizon-run-* 2>/dev/null | head -1)
    [[ -n "$wd" ]] && break
    sleep 0.05
done
: > "$wd/job-0-1"
"$HORIZON" submit --type forecast --tenant beta --id w --dataset "$T/m.csv" \
    --param date=date --param value=value --param model=naive --quiet
wait $R
rc=$?
check "--watch --max-jobs 1, its job released: exit 75 ($rc): $(tail -1 "$T/watch.err")" \
    test $rc -eq 75
check "--watch --max-jobs 1: says the job could not be run here" \
    grep -q 'horizon run: 1 job(s) could not be run here, released with their attempt refunded: could not create' "$T/watch.err"
check "--watch --max-jobs 1: the job queued again" \
    bash -c "'$HORIZON' jobs show w | grep -q 'status: *queued'"
# and one that ran its job: exit 0
timeout 60 "$HORIZON" run --watch --poll-interval 0.2 --concurrency 1 \
    --max-jobs 1 --tenant beta > "$T/watch2.out" 2> "$T/watch2.err"
rc=$?
check "--watch --max-jobs 1, its job done: exit 0 ($rc): $(tail -1 "$T/watch2.err")" \
    test $rc -eq 0
check "--watch --max-jobs 1: the job succeeded" \
    bash -c "'$HORIZON' jobs show w | grep -q 'status: *succeeded'"
finish
