#!/usr/bin/env bash
# A transactional batch throttled part way is sent again within
# COSMOS_DEADLINE_S, the whole of its attempts: a batch sent again near
# the deadline's end must not be given a deadline of its own.  Until
# 2026-12-07 each new sending had COSMOS_DEADLINE_S of its own for its
# retries (408/429/5xx answers, time-outs), so a throttled batch could
# take twice the deadline, and a job's write-back hold a batch past its
# lease.
source "$(dirname "$0")/lib.sh"

cosmos_peer_prep
track_pids
run_cosmos_server
# the first batch throttled part way with a wait of 5.5 s (of a deadline
# of 6 s); every request after it answered 503
run_fault_proxy --rate 1 --faults batch429=1 --retry-after-ms 5500

export COSMOS_KEY="$COSMOS_TEST_KEY" COSMOS_DATABASE=bdl \
    COSMOS_CA_CERT="$T/cert.pem" HORIZON_STORE=cosmos HZ_DATASET_ROOTS="$T" \
    TMPDIR="$T"
unset OPENAI_API_KEY OPENAI_BASE_URL AZURE_OPENAI_ENDPOINT || true
COSMOS_ENDPOINT="https://127.0.0.1:$cport/" "$HORIZON" cosmos init \
    > /dev/null 2>&1 || { echo "FAIL: cosmos init"; exit 1; }
tiny_monthly_csv "$T/m.csv"

t0=$(date +%s.%N)
COSMOS_ENDPOINT="https://127.0.0.1:$pport/" COSMOS_DEADLINE_S=6 \
    "$HORIZON" submit --type forecast --tenant acme --dataset "$T/m.csv" \
    --param date=date --param value=value --param model=naive --count 2 \
    --quiet > "$T/sub.out" 2> "$T/sub.err" &
S=$!
stats() { curl -s --cacert "$T/cert.pem" "https://127.0.0.1:$pport/__proxy/stats"; }
for _ in $(seq 100); do
    stats | grep -q '"batch429":[1-9]' && break
    sleep 0.05
done
curl -s --cacert "$T/cert.pem" -X POST \
    -d '{"faults":{"batch429":0,"503":1}}' \
    "https://127.0.0.1:$pport/__proxy/config" > /dev/null
wait $S
rc=$?
t1=$(date +%s.%N)
took=$(python3 -c "print('%.1f' % ($t1 - $t0))")
check "submit failed, exit 75 ($rc): $(cat "$T/sub.err")" test $rc -eq 75
check "given up within the deadline of 6 s (took $took s)" \
    python3 -c "import sys; sys.exit(0 if $took < 8.5 else 1)"
finish
