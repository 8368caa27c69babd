#!/usr/bin/env bash
# Done-when test of the Cosmos DB store: four `horizon run --store cosmos`
# processes share 1,000 jobs (forecast, churn, CLV, segmentation and suite
# jobs, seeded by the official @azure/cosmos SDK) through the Cosmos DB
# peer (@vercel/cosmosdb-server, TLS), with tests/peers/fault_proxy.js
# between them faulting 10% of the requests (429 + retry-after, 503, 500,
# delays past the client timeout, dropped connections before and after
# the request went through, truncated and damaged bodies).  Every job must
# be completed exactly once with all its result documents, none orphaned.
#   HZ_COSMOS_JOBS=N overrides the job count (default 1000).
source "$(dirname "$0")/lib.sh"

cosmos_peer_prep
NJOBS=${HZ_COSMOS_JOBS:-1000}
# mostly forecasts (cheap on a small dataset), with every analytics type
MIX=${HZ_COSMOS_MIX:-forecast,forecast,forecast,forecast,churn,forecast,forecast,forecast,forecast,clv,forecast,forecast,forecast,forecast,segment,forecast,forecast,forecast,forecast,suite}
P="$HZ_SRC/tests/peers"

track_pids
run_cosmos_server
run_fault_proxy --rate 0.10 --seed 2024 --retry-after-ms 20 --delay-ms 2500 \
    --faults "429=4,503=2,500=1,delay=1,drop=1,drop_after=2,truncate=1,malformed=1"

KEY=$COSMOS_TEST_KEY
export COSMOS_KEY="$KEY" COSMOS_DATABASE=runners COSMOS_CA_CERT="$T/cert.pem"
export HZ_DATASET_ROOTS="$T"
direct="https://127.0.0.1:$cport/"

COSMOS_ENDPOINT=$direct "$HORIZON" cosmos init >"$T/init" 2>&1
check "cosmos init" test $? -eq 0
"$HORIZON" gen --kind sales --rows 1500 --customers 150 --months 24 --seed 7 \
    -o "$T/sales.csv" >/dev/null 2>&1
node "$P/cosmos_jobs.js" seed --endpoint "$direct" --key "$KEY" \
    --database runners --ca "$T/cert.pem" --jobs "$NJOBS" --tenants 10 \
    --dataset-sales "$T/sales.csv" --mix "$MIX" >"$T/seed" 2>&1
rc=$?
check "SDK seeded $NJOBS jobs ($(cat "$T/seed"))" test $rc -eq 0

# four runners through the faulty proxy; a 1 s request timeout so that
# the proxy's 2.5 s delays are timeouts
t0=$(date +%s.%N)
rpids=()
for r in 1 2 3 4; do
    COSMOS_ENDPOINT="https://127.0.0.1:$pport/" COSMOS_TIMEOUT_S=1 \
        "$HORIZON" run --store cosmos --concurrency 3 --lease 30 \
        --verbose --metrics "$T/m$r.json" >"$T/run$r.out" 2>"$T/run$r.err" &
    rpids+=($!)
    pids+=($!)
done
rcs=()
for p in "${rpids[@]}"; do wait "$p"; rcs+=($?); done
t1=$(date +%s.%N)
for r in 0 1 2 3; do
    check "runner $((r + 1)) exit ${rcs[$r]}" test "${rcs[$r]}" -eq 0
done

node "$P/cosmos_jobs.js" verify --endpoint "$direct" --key "$KEY" \
    --database runners --ca "$T/cert.pem" --jobs "$NJOBS" >"$T/verify" 2>&1
rc=$?
check "every job succeeded with all results: $(cat "$T/verify")" test $rc -eq 0

# exactly once: one "succeeded" line per job across the four runners
cat "$T"/run?.err | grep -o 'job j-[0-9]* ([a-z]*, tenant [a-z0-9-]*) succeeded' \
    | awk '{print $2}' | sort > "$T/done"
check "$NJOBS completions logged ($(wc -l < "$T/done"))" \
    test "$(wc -l < "$T/done")" -eq "$NJOBS"
check "no job completed twice" test -z "$(uniq -d "$T/done")"
check "the four runners shared the work" \
    test "$(for r in 1 2 3 4; do grep -c succeeded "$T/run$r.err"; done | awk '$1 > 0' | wc -l)" -eq 4

curl -s --cacert "$T/cert.pem" "https://127.0.0.1:$pport/__proxy/stats" > "$T/stats"
check "about 10% of requests faulted ($(cat "$T/stats"))" node -e '
  const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const f = Object.values(s.faults).reduce((a, b) => a + b, 0);
  process.exit(s.requests > Number(process.argv[2]) && f / s.requests > 0.06 &&
               f / s.requests < 0.14 ? 0 : 1);' "$T/stats" "$NJOBS"
check "key never printed" \
    bash -c "! grep -qF -- '$KEY' '$T'/run*.err '$T'/run*.out '$T'/m*.json '$T'/init"
awk -v a="$t0" -v b="$t1" -v n="$NJOBS" \
    'BEGIN { printf "cosmos_runners: %d jobs, 4 runners, 10%% faults: %.1f s (%.1f jobs/s)\n", n, b - a, n / (b - a) }'
finish
