#!/usr/bin/env bash
# A runner stopped (SIGTERM) while the Cosmos DB endpoint hangs: its
# workers' requests (a lease renewal, the release of the job killed at the
# end of the grace, or its write-back) are abandoned 5 s after the grace instead of waited for
# until COSMOS_DEADLINE_S (30 s here; before: the run stopped when they
# gave up).  Nothing is lost: the job keeps its lease, which expires, and
# the next run takes it over and finishes it.  The --once run exits 143
# (stopped before the queue was drained), not 75.
source "$(dirname "$0")/lib.sh"

start_cosmos_peer stophang
tiny_monthly_csv "$T/tiny.csv"
direct=$COSMOS_ENDPOINT
node "$HZ_SRC/tests/peers/fault_proxy.js" --target "https://127.0.0.1:$port" \
    --target-ca "$T/cert.pem" --tls-cert "$T/cert.pem" --tls-key "$T/key.pem" \
    --rate 0 --seed 1 --delay-ms 120000 --faults "delay=1" \
    --port 0 --port-file "$T/proxy.port" > "$T/proxy.log" 2>&1 &
proxy=$!
trap 'kill $server $proxy 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
pport=$(wait_port "$T/proxy.port")
export HZ_TEST_HOOKS=1
"$HORIZON" submit --type forecast --tenant acme --dataset "$T/tiny.csv" \
    --param date=date --param value=value --param model=naive \
    --param freq=month --param debugSleepS=8 --id slow --quiet

# what a run costs here when nothing hangs (start, exit, a claim)
t0=$(date +%s.%N)
"$HORIZON" run --once --no-schedules --tenant nobody --quiet > /dev/null 2>&1
base=$(python3 -c "print($(date +%s.%N) - $t0)")

t0=$(date +%s.%N)
COSMOS_ENDPOINT="https://127.0.0.1:$pport/" COSMOS_TIMEOUT_S=30 \
COSMOS_DEADLINE_S=30 \
    "$HORIZON" run --once --no-schedules --grace 1 --lease 3 \
    > "$T/out" 2> "$T/err" &
w=$!
for _ in $(seq 200); do
    "$HORIZON" jobs show slow --json 2>/dev/null | grep -q '"running"' && break
    sleep 0.05
done
# from now on every request hangs
curl -s --cacert "$T/cert.pem" -X POST -d '{"rate":1}' \
    "https://127.0.0.1:$pport/__proxy/config" > /dev/null
sleep 1.2 # a renewal (every lease/3) is in flight
kill -TERM $w
ts=$(date +%s.%N)
wait $w
rc=$?
secs=$(python3 -c "print(round($(date +%s.%N) - $ts, 1))")
check "exit 143 on SIGTERM ($rc): $(tail -1 "$T/err")" test $rc -eq 143
# the grace (1 s), 5 s more for the workers' requests, about a second
# for libcurl to ask whether to go on, and the run's own cost
check "stopped ${secs} s after SIGTERM, not at the deadline of 30 s (baseline $base s)" \
    python3 -c "import sys; sys.exit(not $secs < 1 + 5 + 3 + $base)"
# (the release of the job killed at the grace, or its results when the
# job process ended while the renewal hung)
check "the log says what was not written: $(grep -m1 'not written' "$T/err")" \
    grep -Eq "job slow: runner stopping: its (release|results) not written \(cosmos: .*abandoned after" "$T/err"

# the job keeps its lease until it expires, then the next run takes it
# over and finishes it (taken over once, its attempt refunded)
curl -s --cacert "$T/cert.pem" -X POST -d '{"rate":0}' \
    "https://127.0.0.1:$pport/__proxy/config" > /dev/null
check "the job is still running (leased)" \
    bash -c "'$HORIZON' jobs show slow --json | grep -q '\"running\"'"
sleep 3.2
"$HORIZON" run --once --no-schedules --quiet > "$T/out2" 2> "$T/err2"
rc=$?
check "the next run exit 0 ($rc): $(tail -1 "$T/err2")" test $rc -eq 0
st=$("$HORIZON" jobs show slow --json | python3 -c \
    'import json,sys; d=json.load(sys.stdin); print(d["status"], d.get("takeovers", 0), d.get("attempts"))')
check "succeeded after one takeover, one attempt ($st)" test "$st" = "succeeded 1 1"
finish
