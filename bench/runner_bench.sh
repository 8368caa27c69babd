#!/usr/bin/env bash
# Runner benchmark: N mixed jobs (default 1,000) on generated datasets,
# run by `horizon run` at several concurrencies (default 1 8 32 128), with
# a fresh SQLite store each time.  Reports throughput, job latency p50/p95
# (claim to write-back), two normalised p95s and the store's share of the
# time:
#   p95 fair  = p95 / (concurrency / throughput): the mean time a job must
#               spend in the system when c jobs share the machine (Little's
#               law); it stays flat when the runner scales without adding
#               delay of its own as concurrency grows
#   p95/work  = p95 of each job's latency / the sum of its stage times
#               (1.0 = nothing outside fetch..write); at high concurrency on
#               few cores it includes waiting for a CPU outside the stages  Then one suite job on the ~50 MB sales file through the
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
export TMPDIR="$W" HZ_DATASET_ROOTS="$W"
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
        --param model=naive --param date=order_date --param value=revenue
    "$HORIZON" submit "${S[@]}" --count $nr --type forecast --tenant t2 \
        --dataset "$W/medium.csv" --param freq=month --param horizon=6 \
        --param by=region --param date=order_date --param value=revenue
    "$HORIZON" submit "${S[@]}" --count $nc --type churn --tenant t3 \
        --dataset "$W/small.csv"
    "$HORIZON" submit "${S[@]}" --count $nv --type clv --tenant t3 \
        --dataset "$W/small.csv"
    "$HORIZON" submit "${S[@]}" --count $ns --type segment --tenant t4 \
        --dataset "$W/small.csv" --param k=4 --param n-init=2
    "$HORIZON" submit "${S[@]}" --count $nu --type suite --tenant t4 \
        --dataset "$W/small.csv" --param k=4 --param n-init=2
}

echo "runner_bench: $N mixed jobs (60% naive forecast, 10% forecast by"
echo "region, 10% churn, 8% clv, 7% segment, 5% suite) on generated data;"
echo "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%6s %8s %9s %9s %9s %9s %9s %8s %7s\n' conc "jobs/s" "p50 ms" \
    "p95 ms" "p95 fair" "p95/work" "store s" "store %" failed
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
fair = q(lat, .95) / (c / m["jobsPerS"])
print("%6d %8.1f %9.1f %9.1f %9.2f %9.2f %9.2f %7.1f%% %7d" % (
    c, m["jobsPerS"], q(lat, .5) * 1e3, q(lat, .95) * 1e3, fair,
    q(norm, .95), m["store"]["seconds"],
    100 * m["store"]["shareOfJobTime"], m["jobs"]["failed"]))
json.dump({"c": c, "fair": fair, "p95norm": q(norm, .95),
           "p95": q(lat, .95)}, open(mpath + ".norm", "w"))
PY
done
if [[ -f "$W/c8.json.norm" && -f "$W/c128.json.norm" ]]; then
    "$PY" - "$W" <<'PY'
import json, sys
a = json.load(open(sys.argv[1] + "/c8.json.norm"))
b = json.load(open(sys.argv[1] + "/c128.json.norm"))
print("p95 at 128 vs 8: %.2fx normalised by each job's fair share of the "
      "machine (target <= 1.5x); %.2fx by its own stage times; raw %.1fx"
      % (b["fair"] / a["fair"], b["p95norm"] / a["p95norm"],
         b["p95"] / a["p95"]))
PY
fi

# the "standard workflow": a suite job on the ~50 MB sales file
gen big50 700000 20000 36
st="$W/suite50.db"
rm -f "$st" "$st-wal" "$st-shm"
"$HORIZON" submit --store "sqlite:$st" --quiet --type suite --tenant big \
    --dataset "$W/big50.csv" --id suite50
"$PY" - "$HORIZON" "$st" "$W/big50.csv" <<'PY'
import json, os, resource, sqlite3, subprocess, sys, time
h, st, csv = sys.argv[1:4]
def timed(cmd):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.time()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=True)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.time() - t0, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
run_w, run_c = timed([h, "run", "--store", "sqlite:" + st, "--concurrency",
                      "1", "--threads", str(os.cpu_count()), "--quiet",
                      "--timeout", "600"])
dir_w, dir_c = timed([h, "analyze", "suite", csv])
j = json.loads(sqlite3.connect(st).execute(
    "select body from docs where container='jobs'").fetchone()[0])
m = j.get("metrics", {})
print("suite job on %.1f MB: %s in %.2f s claim-to-write-back (stages: %s);"
      % (os.path.getsize(csv) / 1e6, j["status"],
         j["finishedAt"] - j["startedAt"],
         ", ".join("%s %.2f" % (k, v) for k, v in m.items())))
print("  whole `horizon run`: %.2f s wall, %.2f s CPU; floor `horizon analyze"
      " suite`: %.2f s wall, %.2f s CPU; runner/floor CPU %.2fx; %s rows"
      % (run_w, run_c, dir_w, dir_c, run_c / dir_c, j.get("resultRows")))
PY
