#!/usr/bin/env bash
# `horizon run --once` against a Cosmos DB endpoint that takes requests and
# never answers gives up after --claim-retry seconds counted from the
# first failing claim's start: a claim that hangs until the client's own
# deadline (COSMOS_DEADLINE_S) has already failed for that long, as has
# the schedules' query that hung before it.  Before,
# the store counted as failing only once that claim had given up, so the
# run waited for a second one: twice the deadline (two minutes with the
# defaults) whatever --claim-retry said.  Exit 75, one line says why.
source "$(dirname "$0")/lib.sh"

cosmos_peer_prep
P="$HZ_SRC/tests/peers"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
node "$P/cosmos_server.js" --cert "$T/cert.pem" --key "$T/key.pem" \
    --port 0 --port-file "$T/cosmos.port" > "$T/cosmos.log" 2>&1 &
pids+=($!)
cport=$(wait_port "$T/cosmos.port")
# every request held for a minute
node "$P/fault_proxy.js" --target "https://127.0.0.1:$cport" \
    --target-ca "$T/cert.pem" --tls-cert "$T/cert.pem" --tls-key "$T/key.pem" \
    --rate 1 --seed 1 --delay-ms 60000 --faults "delay=1" \
    --port 0 --port-file "$T/proxy.port" > "$T/proxy.log" 2>&1 &
pids+=($!)
pport=$(wait_port "$T/proxy.port")
export COSMOS_KEY="dGVzdC1vbmx5LWtleS1ob3Jpem9uLWNvc21vcy1wZWVyLTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMg=="
export COSMOS_DATABASE=hang COSMOS_CA_CERT="$T/cert.pem" TMPDIR="$T"
COSMOS_ENDPOINT="https://127.0.0.1:$cport/" "$HORIZON" cosmos init \
    > /dev/null 2>&1 || { echo "FAIL: cosmos init"; exit 1; }

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
check "gave up after ${secs} s: one claim's deadline, not two" \
    python3 -c "import sys; sys.exit(not $secs < 6.5)"
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
check "schedules: gave up after ${secs} s: one deadline, not two" \
    python3 -c "import sys; sys.exit(not $secs < 6.5)"

# --watch stopped (SIGTERM) while the schedules' query hangs: it stops
# when that query gives up, without a claim's deadline more (before:
# 8 s, the claim started after the stop)
t0=$(date +%s.%N)
COSMOS_ENDPOINT="https://127.0.0.1:$pport/" COSMOS_TIMEOUT_S=1 \
COSMOS_DEADLINE_S=4 \
    "$HORIZON" run --watch --store cosmos --grace 1 \
    --quiet > "$T/out" 2> "$T/err" &
w=$!
pids+=($w)
sleep 1
kill -TERM $w
wait $w
rc=$?
t1=$(date +%s.%N)
secs=$(python3 -c "print(round($t1 - $t0, 1))")
check "watch: exit 0 on SIGTERM ($rc)" test $rc -eq 0
check "watch: stopped after ${secs} s: one deadline, not two" \
    python3 -c "import sys; sys.exit(not $secs < 6.5)"
check "watch: no claim after the stop" bash -c "! grep -q 'could not claim' '$T/err'"
finish
