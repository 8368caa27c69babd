#!/usr/bin/env bash
# A release is a write of the runner's like a write-back: one that fails
# (the store down) counts in horizon_store_errors_total{op="write"} and
# makes the heartbeat "degraded", and one that reaches the store makes it
# healthy again.  Until 2026-12-07 a failed release was not counted, and a
# successful one left the runner "degraded" (runner_internal.h said a
# release counted): a runner whose jobs were only released (a dataset
# server answering 503, jobs retried) stayed "degraded" once the store
# was back, its liveness probe failing for nothing.
source "$(dirname "$0")/lib.sh"

cosmos_peer_prep
track_pids
run_cosmos_server
# the releases (a job's replace back to "queued") answered 503
run_fault_proxy --rate 1 --faults 503=1 --method PUT \
    --path-regex 'colls/jobs/docs/' --body-regex '"status":"queued"'

# a dataset server that always answers 503, after 0.5 s: every attempt of
# the job is released to be retried (attempts left, not used up at once)
cat > "$T/down.py" <<'PY'
import http.server, sys, time
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def do_GET(self):
        time.sleep(0.5)
        self.send_response(503)
        self.send_header("content-length", "0")
        self.end_headers()
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1] + ".tmp", "w").write(str(s.server_address[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s.serve_forever()
PY
python3 "$T/down.py" "$T/down.port" &
pids+=($!)
dport=$(wait_port "$T/down.port")

export COSMOS_KEY="$COSMOS_TEST_KEY" COSMOS_DATABASE=rh \
    COSMOS_CA_CERT="$T/cert.pem" HORIZON_STORE=cosmos HZ_DATASET_ROOTS="$T" \
    TMPDIR="$T" HZ_DATASET_HOSTS=127.0.0.1 \
    HZ_DATASET_ALLOW_ADDRS=127.0.0.1/32
unset OPENAI_API_KEY OPENAI_BASE_URL AZURE_OPENAI_ENDPOINT || true
direct="https://127.0.0.1:$cport/"
COSMOS_ENDPOINT=$direct "$HORIZON" cosmos init > /dev/null 2>&1 ||
    { echo "FAIL: cosmos init"; exit 1; }
COSMOS_ENDPOINT=$direct "$HORIZON" submit --type forecast --tenant acme \
    --id down --dataset "http://127.0.0.1:$dport/m.csv" --param date=date \
    --param value=value --param model=naive --quiet

hb="$T/hb.json" prom="$T/m.prom"
COSMOS_ENDPOINT="https://127.0.0.1:$pport/" COSMOS_DEADLINE_S=1 \
    "$HORIZON" run --watch --lease 3 --timeout 2 --max-attempts 100 \
    --poll-interval 0.3 --heartbeat "$hb" --metrics-file "$prom" \
    --metrics-interval 1 > "$T/run.out" 2> "$T/run.err" &
R=$!
pids+=($R)
field() { python3 -c 'import json,sys
try: print(json.load(open(sys.argv[1])).get(sys.argv[2], ""))
except Exception: print("")' "$hb" "$1"; }
wait_state() {
    for _ in $(seq 200); do [[ "$(field state)" == "$1" ]] && return 0; sleep 0.1; done
    return 1
}
wait_log() {
    for _ in $(seq 200); do grep -q "$1" "$T/run.err" && return 0; sleep 0.1; done
    return 1
}
check "releases failing: a release failed ($(grep -c 'could not release' "$T/run.err"))" \
    wait_log 'could not release'
check "releases failing: heartbeat degraded ($(cat "$hb" 2>/dev/null))" \
    wait_state degraded
sleep 1.5 # a metrics interval
check "releases failing: counted as store errors of op write ($(grep store_errors "$prom"))" \
    grep -q '^horizon_store_errors_total{op="write"} [1-9]' "$prom"

# the store takes writes again: the next release makes the runner healthy
curl -s --cacert "$T/cert.pem" -X POST -d '{"rate":0}' \
    "https://127.0.0.1:$pport/__proxy/config" > /dev/null
n0=$(grep -c 'back in the queue' "$T/run.err")
for _ in $(seq 300); do
    (( $(grep -c 'back in the queue' "$T/run.err") > n0 )) && break
    sleep 0.1
done
check "releases through again: a job released ($(grep -c 'back in the queue' "$T/run.err"))" \
    test "$(grep -c 'back in the queue' "$T/run.err")" -gt "$n0"
check "releases through again: heartbeat ok ($(cat "$hb"))" wait_state ok
sleep 1.5
check "releases through again: horizon_runner_healthy 1" \
    grep -qx 'horizon_runner_healthy 1' "$prom"
check "no job succeeded or failed (only released)" \
    bash -c "! grep -q 'job down (forecast, tenant acme) \(succeeded\|failed\)' '$T/run.err'"
kill -TERM $R
wait $R
rc=$?
check "the runner stopped ($rc)" test $rc -eq 0 -o $rc -eq 75
finish
