#!/usr/bin/env bash
# Runner benchmark: N mixed jobs (default 1,000) on generated datasets,
# run by `horizon run` at several concurrencies (default 1 8 32 128), with
# a fresh SQLite store each time.  Reports throughput, job latency p50/p95,
# p95 of latency normalised by the job's own work (latency / the sum of its
# stage times: 1.0 = the runner added nothing), and the store's share of
# the time.  Then one suite job on the ~50 MB sales file through the
# runner, against `horizon analyze suite` on the same file (the floor: no
# runner, no store).
#   bench/runner_bench.sh [HORIZON] [N] [CONCURRENCIES...]
# Generated data is kept in $(dirname HORIZON)/bench-runner/.
set -euo pipefail
HORIZON=${1:-build/horizon}
N=${2:-1000}
shift $(( $# >= 2 ? 2 : $# )) || true
LEVELS=("$@")
[[ ${#LEVELS[@]} -gt 0 ]] || LEVELS=(1 8 32 128)
[[ -x "$HORIZON" ]] || { echo "runner_bench: no binary $HORIZON" >&2; exit 3; }
W="$(cd "$(dirname "$HORIZON")" && pwd)/bench-runner"
mkdir -p "$W"
export TMPDIR="$W"
PY=/usr/bin/python3

gen() { # name rows customers months
    [[ -s "$W/$1.csv" ]] || "$HORIZON" gen --kind sales --rows "$2" \
        --customers "$3" --months "$4" --seed 7 -o "$W/$1.csv"
}
gen small 2000 200 24
gen medium 8000 600 36

submit_mix() { # store n
    local st=$1 n=$2
    local nf=$((n * 60 / 100)) nr=$((n * 10 / 100)) nc=$((n * 10 / 100))
    local nv=$((n * 8 / 100)) ns=$((n * 7 / 100))
    local nu=$((n - nf - nr - nc - nv - ns))
    local S=(--store "sqlite:$st" --quiet)
    "$HORIZON" submit "${S[@]}" --count $nf --type forecast --tenant t1 \
        --dataset "$W/small.csv" --param freq=month --param horizon=6 \
        --param model=naive
    "$HORIZON" submit "${S[@]}" --count $nr --type forecast --tenant t2 \
        --dataset "$W/medium.csv" --param freq=month --param horizon=6 \
        --param 'by=["region"]'
    "$HORIZON" submit "${S[@]}" --count $nc --type churn --tenant t3 \
        --dataset "$W/small.csv"
    "$HORIZON" submit "${S[@]}" --count $nv --type clv --tenant t3 \
        --dataset "$W/small.csv"
    "$HORIZON" submit "${S[@]}" --count $ns --type segment --tenant t4 \
        --dataset "$W/small.csv" --param k=4 --param nInit=2
    "$HORIZON" submit "${S[@]}" --count $nu --type suite --tenant t4 \
        --dataset "$W/small.csv" --param k=4 --param nInit=2
}

echo "runner_bench: $N mixed jobs (60% naive forecast, 10% forecast by"
echo "region, 10% churn, 8% clv, 7% segment, 5% suite) on generated data;"
echo "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%6s %8s %9s %9s %9s %11s %9s %8s\n' conc "jobs/s" "p50 ms" \
    "p95 ms" "p95 norm" "store s" "store %" failed
for c in "${LEVELS[@]}"; do
    st="$W/c$c.db"
    rm -f "$st" "$st-wal" "$st-shm"
    submit_mix "$st" "$N"
    "$HORIZON" run --store "sqlite:$st" --concurrency "$c" --timeout 600 \
        --lease 120 --quiet --metrics "$W/c$c.json" 2>/dev/null || true
    "$PY" - "$st" "$W/c$c.json" "$c" <<'PY'
import json, sqlite3, sys
st, mpath, c = sys.argv[1], sys.argv[2], int(sys.argv[3])
m = json.load(open(mpath))
db = sqlite3.connect(st)
norm, lat = [], []
for (b,) in db.execute("select body from docs where container='jobs'"):
    j = json.loads(b)
    if j.get("status") != "succeeded":
        continue
    l = j["finishedAt"] - j["startedAt"]
    work = sum(j.get("metrics", {}).values())
    lat.append(l)
    if work > 0:
        norm.append(l / work)
def q(x, p):
    x = sorted(x)
    if not x:
        return float("nan")
    h = (len(x) - 1) * p
    lo = int(h)
    hi = min(lo + 1, len(x) - 1)
    return x[lo] + (h - lo) * (x[hi] - x[lo])
print("%6d %8.1f %9.1f %9.1f %9.2f %11.2f %8.1f%% %8d" % (
    c, m["jobsPerS"], q(lat, .5) * 1e3, q(lat, .95) * 1e3, q(norm, .95),
    m["store"]["seconds"], 100 * m["store"]["shareOfJobTime"],
    m["jobs"]["failed"]))
json.dump({"c": c, "p95norm": q(norm, .95), "p95": q(lat, .95)},
          open(mpath + ".norm", "w"))
PY
done
if [[ -f "$W/c8.json.norm" && -f "$W/c128.json.norm" ]]; then
    "$PY" - "$W" <<'PY'
import json, sys
a = json.load(open(sys.argv[1] + "/c8.json.norm"))
b = json.load(open(sys.argv[1] + "/c128.json.norm"))
print("p95 normalised by per-job work: %.2fx at 128 vs 8 (target <= 1.5x);"
      " raw p95 %.1fx" % (b["p95norm"] / a["p95norm"], b["p95"] / a["p95"]))
PY
fi

# the "standard workflow": a suite job on the ~50 MB sales file
gen big50 700000 20000 36
st="$W/suite50.db"
rm -f "$st" "$st-wal" "$st-shm"
"$HORIZON" submit --store "sqlite:$st" --quiet --type suite --tenant big \
    --dataset "$W/big50.csv" --id suite50
t0=$(date +%s%N)
"$HORIZON" run --store "sqlite:$st" --concurrency 1 --threads "$(nproc)" \
    --quiet --timeout 600 2>/dev/null
t1=$(date +%s%N)
"$HORIZON" analyze suite "$W/big50.csv" > /dev/null
t2=$(date +%s%N)
"$PY" - "$st" "$(( (t1 - t0) / 1000000 ))" "$(( (t2 - t1) / 1000000 ))" \
    "$(stat -c %s "$W/big50.csv")" <<'PY'
import json, sqlite3, sys
st, run_ms, direct_ms, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
j = json.loads(sqlite3.connect(st).execute(
    "select body from docs where container='jobs'").fetchone()[0])
m = j.get("metrics", {})
print("suite job on %.1f MB (%s): %s, %.2f s claim-to-write-back "
      "(stages: %s), whole `horizon run` %.2f s; `horizon analyze suite` "
      "alone %.2f s (runner/floor %.2fx); %s result rows" % (
      size / 1e6, j["id"], j["status"], j["finishedAt"] - j["startedAt"],
      ", ".join("%s %.2f" % (k, v) for k, v in m.items()),
      run_ms / 1e3, direct_ms / 1e3, run_ms / max(direct_ms, 1),
      j.get("resultRows")))
PY
