#!/usr/bin/env bash
# `horizon run --once` against a Cosmos DB endpoint that takes requests and
# never answers gives up after --claim-retry seconds counted from the
# first failing claim's start: a claim that hangs until the client's own
# deadline (COSMOS_DEADLINE_S) has already failed for that long, as has
# the schedules' query that hung before it.  Before,
# the store counted as failing only once that claim had given up, so the
# run waited for a second one: twice the deadline (two minutes with the
# defaults) whatever --claim-retry said.  Exit 75, one line says why.
# A stop (SIGTERM) abandons a request that hangs at once.
source "$(dirname "$0")/lib.sh"

cosmos_peer_prep
track_pids
run_cosmos_server
# every request held for a minute
run_fault_proxy --rate 1 --seed 1 --delay-ms 60000 --faults "delay=1"
export COSMOS_KEY="$COSMOS_TEST_KEY"
export COSMOS_DATABASE=hang COSMOS_CA_CERT="$T/cert.pem" TMPDIR="$T"
COSMOS_ENDPOINT="https://127.0.0.1:$cport/" "$HORIZON" cosmos init \
    > /dev/null 2>&1 || { echo "FAIL: cosmos init"; exit 1; }

# The times below are judged against what a run costs on this machine
# when nothing hangs (start, the job process helper, a claim on the peer
# itself, exit), measured here, so that a loaded machine does not fail
# them (they held an absolute 6.5 s against a 4 s deadline)
runs=()
for _ in 1 2 3; do
    t0=$(date +%s.%N)
    COSMOS_ENDPOINT="https://127.0.0.1:$cport/" \
        "$HORIZON" run --once --store cosmos --quiet > /dev/null 2> "$T/err"
    rc=$?
    t1=$(date +%s.%N)
    check "baseline: a run on the peer itself, exit 0 ($rc): $(head -c 300 "$T/err")" \
        test $rc -eq 0
    runs+=("$(python3 -c "print($t1 - $t0)")")
done
base=$(printf '%s\n' "${runs[@]}" | sort -g | sed -n 2p) # the median
# within: SECS < LIMIT + the baseline
within() { python3 -c "import sys; sys.exit(not $1 < $2 + $base)"; }

t0=$(date +%s.%N)
COSMOS_ENDPOINT="https://127.0.0.1:$pport/" COSMOS_TIMEOUT_S=1 \
COSMOS_DEADLINE_S=4 \
    "$HORIZON" run --once --store cosmos --no-schedules --claim-retry 2 \
    --quiet > "$T/out" 2> "$T/err"
rc=$?
t1=$(date +%s.%N)
secs=$(python3 -c "print(round($t1 - $t0, 1))")
check "exit 75 ($rc)" test $rc -eq 75
check "one line says why: $(tail -1 "$T/err")" \
    grep -q "store unavailable: claims failed" "$T/err"
# one claim of 4 s (its deadline) has failed for more than 2 s: give up;
# before, a second one: 8.5 s
check "gave up after ${secs} s: one claim's deadline, not two (baseline $base s)" \
    within "$secs" 6
check "no key in the output" bash -c "! grep -qF -- '$COSMOS_KEY' '$T/err' '$T/out'"

# with schedules (the default), their query is the first to hang: it
# counts as the store failing, and the run does not spend a claim's
# deadline more (before: 8.1 s, two deadlines)
t0=$(date +%s.%N)
COSMOS_ENDPOINT="https://127.0.0.1:$pport/" COSMOS_TIMEOUT_S=1 \
COSMOS_DEADLINE_S=4 \
    "$HORIZON" run --once --store cosmos --claim-retry 2 \
    --quiet > "$T/out" 2> "$T/err"
rc=$?
t1=$(date +%s.%N)
secs=$(python3 -c "print(round($t1 - $t0, 1))")
check "schedules: exit 75 ($rc)" test $rc -eq 75
check "schedules: one line says why: $(tail -1 "$T/err")" \
    grep -q "store unavailable" "$T/err"
check "schedules: gave up after ${secs} s: one deadline, not two (baseline $base s)" \
    within "$secs" 6

# The heartbeat beats while a store request hangs: it is rewritten every
# second, and says "degraded" once the request has waited 5 s (before:
# the dispatcher wrote it between requests, so a store that hangs left it
# unwritten for COSMOS_DEADLINE_S, and a liveness probe such as the
# README's would kill a runner that was only waiting); so does the
# metrics file, with horizon_runner_healthy 0
# (a deadline far beyond the checks' time, however loaded the machine:
# the request must still be waiting when they look)
COSMOS_ENDPOINT="https://127.0.0.1:$pport/" COSMOS_TIMEOUT_S=100 \
COSMOS_DEADLINE_S=200 \
    "$HORIZON" run --watch --store cosmos --grace 1 --heartbeat "$T/hb.json" \
    --metrics-file "$T/m.prom" --metrics-interval 1 \
    --quiet > "$T/out" 2> "$T/err" &
w=$!
pids+=($w)
# both files written once (the run started: a loaded machine may take
# seconds), then watched for 8 s
for _ in $(seq 200); do
    [[ -e "$T/hb.json" && -e "$T/m.prom" ]] && break
    sleep 0.05
done
sleep 0.5
oldest=0
for _ in $(seq 8); do
    sleep 1
    for f in hb.json m.prom; do
        if [[ -e "$T/$f" ]]; then
            age=$(python3 -c "import os,time; print(time.time() - os.stat('$T/$f').st_mtime)")
        else
            age=99
        fi
        oldest=$(python3 -c "print(max($oldest, $age))")
    done
done
check "heartbeat and metrics file: rewritten while the store hangs (oldest seen ${oldest} s)" \
    python3 -c "import sys; sys.exit(not $oldest < 3)"
check "metrics file: not healthy while a request waits" \
    grep -qx 'horizon_runner_healthy 0' "$T/m.prom"
check "heartbeat: degraded while a request waits: $(tr -d '\n\t' < "$T/hb.json")" \
    grep -q '"state":[[:space:]]*"degraded"' "$T/hb.json"
check "heartbeat: says why" \
    grep -q '"lastError":[[:space:]]*"a store request has waited' "$T/hb.json"
kill -TERM $w
wait $w
check "heartbeat: exit 0 on SIGTERM ($?)" test $? -eq 0
check "heartbeat: the last one says stopping" \
    grep -q '"state":[[:space:]]*"stopping"' "$T/hb.json"

# Stopped (SIGTERM) while a store request hangs: the request is abandoned
# within about a second, not waited for until COSMOS_DEADLINE_S (20 s
# here; before: the run stopped when it gave up, and a claim started
# after the stop cost another deadline).  --watch while the schedules'
# query hangs exits 0; --once (no schedules) while its claim hangs exits
# 143: the queue was not drained.
for mode in watch once; do
    if [[ $mode == watch ]]; then args=(--watch); else args=(--once --no-schedules); fi
    t0=$(date +%s.%N)
    COSMOS_ENDPOINT="https://127.0.0.1:$pport/" COSMOS_TIMEOUT_S=10 \
    COSMOS_DEADLINE_S=20 \
        "$HORIZON" run "${args[@]}" --store cosmos --grace 1 \
        --quiet > "$T/out" 2> "$T/err" &
    w=$!
    pids+=($w)
    sleep 1
    kill -TERM $w
    wait $w
    rc=$?
    t1=$(date +%s.%N)
    secs=$(python3 -c "print(round($t1 - $t0, 1))")
    want=$([[ $mode == watch ]] && echo 0 || echo 143)
    check "$mode: exit $want on SIGTERM ($rc)" test $rc -eq $want
    check "$mode: stopped after ${secs} s: the request abandoned, not its deadline of 20 s (baseline $base s)" \
        within "$secs" 3.5
    check "$mode: says so: $(grep abandoned "$T/err" | head -1)" \
        grep -q "abandoned after .* s: the caller stopped waiting" "$T/err"
    check "$mode: no claim after the stop" bash -c "! grep -q 'could not claim' '$T/err'"
done
finish
