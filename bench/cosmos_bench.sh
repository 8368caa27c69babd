#!/usr/bin/env bash
# Cosmos DB store benchmark: jobs/s and RUs/job for the 1,000-job mix
# (forecast, churn, CLV, segmentation, suite jobs over 10 tenants on a
# generated sales dataset) through the Cosmos DB peer
# (@vercel/cosmosdb-server over TLS on 127.0.0.1), with 1, 2 and 4
# `horizon run --store cosmos` processes; the same jobs on the SQLite store
# with the same number of processes are measured in the same run as the
# floor, and the ratio printed.
#
#   bench/cosmos_bench.sh [BUILD_DIR] [NJOBS] [CONCURRENCY]
#     BUILD_DIR    holds the horizon binary (default build)
#     NJOBS        jobs per round (default 1000)
#     CONCURRENCY  jobs at once per runner process (default 2)
#
# RUs: the peer charges 1 RU a request, so its RUs/job are its requests
# per job (counted by the peer); the real service charges about 1 RU a
# point read and ~5-10 RU a small write, more for large documents.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-build}
NJOBS=${2:-1000}
CONC=${3:-2}
HORIZON=$(cd "$build" 2>/dev/null && pwd)/horizon
if [[ ! -x "$HORIZON" ]]; then
    echo "cosmos_bench: no horizon binary in '$build' (make build first)" >&2
    exit 2
fi
if ! command -v node >/dev/null 2>&1; then
    echo "cosmos_bench: skip: node is not installed (the Cosmos DB peer" \
         "needs it; install nodejs/npm, see scripts/install-deps.sh)"
    exit 0
fi
bash "$here/scripts/test-peers.sh" >&2 || exit 1
P="$here/tests/peers"
T=$(mktemp -d /tmp/cosmos_bench.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
waitport() { for _ in $(seq 400); do [[ -s "$1" ]] && break; sleep 0.05; done; cat "$1"; }
now() { date +%s.%N; }

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$T/key.pem" \
    -out "$T/cert.pem" >/dev/null 2>&1
"$HORIZON" gen --kind sales --rows 3000 --customers 200 --months 24 \
    --seed 11 -o "$T/sales.csv" >/dev/null
# the job mix: the five types in turn over 10 tenants
node -e '
  const [n, data] = [Number(process.argv[1]), process.argv[2]];
  const types = ["forecast", "churn", "clv", "segment", "suite"];
  const jobs = [];
  for (let i = 0; i < n; i++) {
    const type = types[i % 5];
    const params = type === "forecast"
      ? { dateColumn: "order_date", valueColumn: "revenue", freq: "month",
          horizon: 6 }
      : { customerColumn: "customer_id", dateColumn: "order_date",
          amountColumn: "revenue" };
    jobs.push({ id: `b-${String(i).padStart(6, "0")}`, type,
      customerId: `tenant-${i % 10}`, dataset: data, params });
  }
  process.stdout.write(JSON.stringify(jobs));' "$NJOBS" "$T/sales.csv" \
    > "$T/jobs.json"

KEY="dGVzdC1vbmx5LWtleS1ob3Jpem9uLWNvc21vcy1wZWVyLTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMg=="
export COSMOS_KEY="$KEY" COSMOS_CA_CERT="$T/cert.pem" HZ_DATASET_ROOTS="$T"

# run_round STORE_SPEC N -> prints "wall_s failed"
run_round() {
    local spec=$1 n=$2 t0 t1 r rp=() failed=0
    t0=$(now)
    for r in $(seq "$n"); do
        "$HORIZON" run --store "$spec" --concurrency "$CONC" --quiet \
            --metrics "$T/m-$r.json" >/dev/null 2>"$T/run-$r.err" &
        rp+=($!)
    done
    for p in "${rp[@]}"; do wait "$p" || failed=$((failed + 1)); done
    t1=$(now)
    echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }') $failed"
}

# count_done SPEC -> succeeded jobs in the store
count_done() {
    "$HORIZON" jobs list --store "$1" --status succeeded --limit 1000000 \
        --json 2>/dev/null | grep -c '"id"'
}

printf "%-9s %12s %10s %12s %12s %10s\n" runners "cosmos j/s" "RU/job" \
    "sqlite j/s" "cosmos/sql" "cosmos ok"
for n in 1 2 4; do
    # Cosmos: a fresh peer per round (same conditions), seeded directly
    rm -f "$T/cosmos.port" "$T/stats.json"
    node "$P/cosmos_server.js" --cert "$T/cert.pem" --key "$T/key.pem" \
        --port 0 --port-file "$T/cosmos.port" --stats-file "$T/stats.json" \
        >"$T/cosmos.log" 2>&1 &
    peer=$!
    pids+=($peer)
    port=$(waitport "$T/cosmos.port")
    export COSMOS_ENDPOINT="https://127.0.0.1:$port/" COSMOS_DATABASE=bench
    "$HORIZON" cosmos init >/dev/null || exit 1
    "$HORIZON" submit --store cosmos --file "$T/jobs.json" --quiet \
        >/dev/null || exit 1
    # the charge so far (provisioning + submission) is not the runners'
    kill -USR1 "$peer"
    for _ in $(seq 100); do [[ -s "$T/stats.json" ]] && break; sleep 0.05; done
    c0=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(
      process.argv[1], "utf8")).charge)' "$T/stats.json")
    rm -f "$T/stats.json"
    read -r cw cf < <(run_round cosmos "$n")
    cok=$(count_done cosmos)
    kill "$peer"
    wait "$peer" 2>/dev/null
    creq=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(
      process.argv[1], "utf8")).charge)' "$T/stats.json")
    # SQLite: the same jobs, the same number of runner processes
    rm -f "$T/bench.db"*
    "$HORIZON" submit --store "sqlite:$T/bench.db" --file "$T/jobs.json" \
        --quiet >/dev/null || exit 1
    read -r sw sf < <(run_round "sqlite:$T/bench.db" "$n")
    awk -v n="$n" -v j="$NJOBS" -v cw="$cw" -v sw="$sw" -v creq="$creq" \
        -v c0="$c0" -v ok="$cok" 'BEGIN {
        ru = (creq - c0) / j     # RUs of the runners, per job
        printf "%-9d %12.2f %10.2f %12.2f %12.2f %10s\n", n, j / cw, ru,
            j / sw, (j / cw) / (j / sw), ok }'
    [[ "$cf" -eq 0 && "$sf" -eq 0 ]] ||
        echo "  (runner processes that exited non-zero: cosmos $cf," \
             "sqlite $sf: some jobs failed, see horizon jobs list)"
done
echo "jobs per round: $NJOBS (mix forecast/churn/clv/segment/suite, 10" \
     "tenants), concurrency $CONC per runner process; machine: $(nproc)" \
     "cores, load $(cut -d' ' -f1 /proc/loadavg)"
