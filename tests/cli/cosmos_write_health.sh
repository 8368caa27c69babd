#!/usr/bin/env bash
# A --watch runner whose claims work but whose write-backs all fail (a
# store that throttles its writes past the deadline: every batch of
# results answered 207 with a 429 inside) is not healthy: its heartbeat
# says "degraded" with the write's error, horizon_runner_healthy is 0 and
# horizon_store_errors_total{op="write"} counts the failures, until a
# write-back gets through.  Until 2026-12-07 the heartbeat said "ok" and
# the gauge 1 while every job was computed again and again, and a
# liveness probe or an alert on the gauge never fired.
source "$(dirname "$0")/lib.sh"

cosmos_peer_prep
track_pids
run_cosmos_server
run_fault_proxy --rate 1 --faults batch429=1 --retry-after-ms 100

export COSMOS_KEY="$COSMOS_TEST_KEY" COSMOS_DATABASE=wh \
    COSMOS_CA_CERT="$T/cert.pem" HORIZON_STORE=cosmos HZ_DATASET_ROOTS="$T" \
    TMPDIR="$T"
unset OPENAI_API_KEY OPENAI_BASE_URL AZURE_OPENAI_ENDPOINT || true
direct="https://127.0.0.1:$cport/"
COSMOS_ENDPOINT=$direct "$HORIZON" cosmos init > /dev/null 2>&1 ||
    { echo "FAIL: cosmos init"; exit 1; }
tiny_monthly_csv "$T/m.csv"
COSMOS_ENDPOINT=$direct "$HORIZON" submit --type forecast --tenant acme \
    --dataset "$T/m.csv" --param date=date --param value=value \
    --param model=naive --count 2 --quiet

hb="$T/hb.json" prom="$T/m.prom"
COSMOS_ENDPOINT="https://127.0.0.1:$pport/" COSMOS_DEADLINE_S=1 \
    "$HORIZON" run --watch --lease 3 --poll-interval 0.5 --heartbeat "$hb" \
    --metrics-file "$prom" --metrics-interval 1 > "$T/run.out" \
    2> "$T/run.err" &
R=$!
pids+=($R)
field() { python3 -c 'import json,sys
try: print(json.load(open(sys.argv[1])).get(sys.argv[2], ""))
except Exception: print("")' "$hb" "$1"; }
# wait_state S: the heartbeat's state is S within 20 s
wait_state() {
    for _ in $(seq 200); do [[ "$(field state)" == "$1" ]] && return 0; sleep 0.1; done
    return 1
}
check "writes failing: heartbeat degraded ($(cat "$hb" 2>/dev/null))" \
    wait_state degraded
check "writes failing: lastError names the throttled write ($(field lastError))" \
    bash -c "[[ '$(field lastError)' == *'failed with status 429'* ]]"
sleep 1.5 # a metrics interval
check "writes failing: horizon_runner_healthy 0" \
    grep -qx 'horizon_runner_healthy 0' "$prom"
check "writes failing: counted as store errors of op write" \
    grep -q '^horizon_store_errors_total{op="write"} [1-9]' "$prom"

# the store takes writes again: healthy once a write-back gets through
curl -s --cacert "$T/cert.pem" -X POST -d '{"rate":0}' \
    "https://127.0.0.1:$pport/__proxy/config" > /dev/null
check "writes through again: heartbeat ok ($(cat "$hb"))" wait_state ok
sleep 1.5
check "writes through again: horizon_runner_healthy 1" \
    grep -qx 'horizon_runner_healthy 1' "$prom"
kill -TERM $R
wait $R
rc=$?
check "the runner stopped with exit 0 ($rc)" test $rc -eq 0
n=$(COSMOS_ENDPOINT=$direct "$HORIZON" jobs list --status succeeded --json | wc -l)
check "both jobs succeeded in the end ($n)" test "$n" -eq 2
finish
