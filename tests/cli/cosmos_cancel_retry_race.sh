#!/usr/bin/env bash
# A job canceled while its outcome was written (Cosmos DB: the result
# documents and report chunks go before the job's final status) has them
# removed by its runner (A) afterwards; meanwhile `jobs retry` may give
# the job to another run (B) that writes its own under the same document
# ids.  A's removal must take only what A wrote: until 2026-12-07 its
# deletes were unconditional and removed B's results, the job succeeded
# without them.  The fault proxy holds A's first delete of a result
# document 12 s (then forwards it): time for the retry and B's run.
source "$(dirname "$0")/lib.sh"

cosmos_peer_prep
track_pids
run_cosmos_server
run_fault_proxy --rate 1 --seed 1 --faults "delay=1" --delay-ms 12000 \
    --method DELETE --path-regex '/colls/results/docs/'
export COSMOS_KEY="$COSMOS_TEST_KEY"
export COSMOS_DATABASE=race COSMOS_CA_CERT="$T/cert.pem" TMPDIR="$T" \
    HORIZON_STORE=cosmos HZ_DATASET_ROOTS="$T" HZ_TEST_HOOKS=1 \
    COSMOS_ENDPOINT="https://127.0.0.1:$cport/"
unset OPENAI_API_KEY OPENAI_BASE_URL AZURE_OPENAI_ENDPOINT || true
"$HORIZON" cosmos init > /dev/null 2>&1 || { echo "FAIL: cosmos init"; exit 1; }
tiny_monthly_csv "$T/m.csv"
stats() { curl -s --cacert "$T/cert.pem" "https://127.0.0.1:$pport/__proxy/stats"; }
"$HORIZON" submit --type forecast --tenant acme --id rr \
    --dataset "$T/m.csv" --param date=date --param value=value \
    --param model=naive --param debugSleepS=3 --quiet

# runner A, through the proxy: canceled while it runs
COSMOS_ENDPOINT="https://127.0.0.1:$pport/" COSMOS_DEADLINE_S=40 \
COSMOS_TIMEOUT_S=30 \
    "$HORIZON" run --once --concurrency 1 --no-schedules \
    > "$T/a.out" 2> "$T/a.err" &
A=$!
for _ in $(seq 100); do
    "$HORIZON" jobs show rr 2>/dev/null | grep -q 'status: *running' && break
    sleep 0.1
done
"$HORIZON" jobs cancel rr > /dev/null
# A's first removal is held by the proxy
for _ in $(seq 200); do
    stats | grep -q '"delay":[1-9]' && break
    sleep 0.1
done
stats > "$T/held"
check "A's removal held: $(cat "$T/held")" grep -q '"delay":[1-9]' "$T/held"
# retried, and run again by B (directly) while A's delete is held
"$HORIZON" jobs retry rr > /dev/null
"$HORIZON" run --once --concurrency 1 --no-schedules > "$T/b.out" 2> "$T/b.err"
check "B ran it: $(tail -2 "$T/b.err")" bash -c "'$HORIZON' jobs show rr | grep -q 'status: *succeeded'"
# the rest of A's removals without delay
curl -s --cacert "$T/cert.pem" -X POST -d '{"rate":0}' \
    "https://127.0.0.1:$pport/__proxy/config" > /dev/null
wait $A
check "A said the job changed: $(grep -v '^ ' "$T/a.err" | tail -3)" \
    grep -q 'job rr: canceled while it ran, then changed (retried, or submitted again)' "$T/a.err"
check "the job is succeeded" bash -c "'$HORIZON' jobs show rr | grep -q 'status: *succeeded'"
"$HORIZON" jobs results rr --csv > "$T/res.csv" 2> "$T/res.err"
check "its results are there: $(cat "$T/res.err")" \
    test "$(grep -c '^forecast,' "$T/res.csv")" -eq 12
check "its report is there: $("$HORIZON" jobs report rr 2>&1 > /dev/null | tail -2)" \
    bash -c "'$HORIZON' jobs report rr > /dev/null"
finish
