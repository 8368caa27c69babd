#!/usr/bin/env bash
# Golden outputs: run a fixed set of commands of one build into a directory
# so that two builds (before and after a refactoring) can be compared with
# `diff -r`.  Timings are removed; everything else is kept byte for byte.
#
#   scripts/golden.sh BUILD_DIR OUT_DIR [DATA_DIR [SHARED_DATA]]
#
# BUILD_DIR    holds `horizon` and `bench_m3`
# OUT_DIR      created (must not exist or be empty)
# DATA_DIR     the sample data (default: data/ beside this script)
# SHARED_DATA  the shared benchmark data (default: ../shared/data beside the
#              repository); the CDNOW and M3 parts are skipped, with a note
#              in OUT_DIR/SKIPPED, when it is absent
#
# Example (compare a branch with an older commit):
#   git worktree add --detach /tmp/base 623755c
#   (cd /tmp/base && cmake -S . -B build -DCMAKE_BUILD_TYPE=Release &&
#    cmake --build build -j2)
#   scripts/golden.sh /tmp/base/build /tmp/golden-base
#   scripts/golden.sh build /tmp/golden-new
#   diff -r /tmp/golden-base /tmp/golden-new
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
build="$(cd "${1:?usage: golden.sh BUILD_DIR OUT_DIR [DATA_DIR [SHARED_DATA]]}" && pwd)"
out="${2:?usage: golden.sh BUILD_DIR OUT_DIR [DATA_DIR [SHARED_DATA]]}"
data="${3:-$here/data}"
shared="${4:-$here/../shared/data}"
H="$build/horizon"
[ -x "$H" ] || { echo "golden: $H not found" >&2; exit 3; }
mkdir -p "$out"
out="$(cd "$out" && pwd)"
if [ -n "$(ls -A "$out")" ]; then
    echo "golden: $out is not empty" >&2
    exit 2
fi
S="$data/sample_sales.csv"
C="$data/sample_customers.csv"
# Results must not depend on the thread count; run with 2 anyway so the
# parallel paths are the ones compared.
export OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=1

# run NAME CMD...: stdout to OUT/NAME, the exit code to OUT/NAME.rc; stderr
# is dropped (it carries timings) except for failed commands.
run() {
    local name="$1"
    shift
    local rc=0
    "$@" >"$out/$name" 2>"$out/$name.err" || rc=$?
    echo "$rc" >"$out/$name.rc"
    if [ "$rc" -eq 0 ]; then
        rm -f "$out/$name.err"
    else
        echo "golden: $name exited $rc" >&2
    fi
}

# strip_json FILE: drop the "seconds..." members (timings) in place.
strip_json() {
    sed -i -E 's/"seconds[a-z_]*": *[-0-9.eE+]+,? *//g' "$1"
}

# --- ingest -----------------------------------------------------------------
run inspect_sales.json "$H" inspect "$S" --json
run inspect_customers.json "$H" inspect "$C" --json
run inspect_sales.txt "$H" inspect "$S"

# --- forecasting ------------------------------------------------------------
fc=(--date order_date --value revenue --freq month)
run forecast_region_category.csv "$H" forecast "$S" "${fc[@]}" --by region,category
run forecast_region_category.json "$H" forecast "$S" "${fc[@]}" --by region,category --json
for m in ets theta arima combo select naive snaive drift naive2; do
    run "forecast_region_$m.csv" "$H" forecast "$S" "${fc[@]}" --by region --model "$m"
done
run forecast_category_week.csv "$H" forecast "$S" --date order_date \
    --value revenue --by category --freq week --horizon 8 --level 50,90
run backtest_region.json "$H" backtest "$S" "${fc[@]}" --by region \
    --models auto,ets,arima,theta,combo,select,naive2,snaive,naive --origins 2 --json
strip_json "$out/backtest_region.json"
run backtest_category.csv "$H" backtest "$S" "${fc[@]}" --by category \
    --models ets,theta,arima -o /dev/stdout
# the CSV's last column is seconds: drop it
awk -F, 'BEGIN { OFS = "," } { NF = NF - 1; print }' "$out/backtest_category.csv" \
    >"$out/backtest_category.tmp" && mv "$out/backtest_category.tmp" "$out/backtest_category.csv"

# --- customer analytics -----------------------------------------------------
for k in clv segment suite; do
    run "analyze_${k}_sales.csv" "$H" analyze "$k" "$S"
    run "analyze_${k}_sales.json" "$H" analyze "$k" "$S" --json
    strip_json "$out/analyze_${k}_sales.json"
done
run analyze_churn_sales.csv "$H" analyze churn "$S"
run analyze_churn_sales.json "$H" analyze churn "$S" --json
strip_json "$out/analyze_churn_sales.json"
run analyze_churn_customers.csv "$H" analyze churn "$C" --customer customer_id --label churned
run analyze_churn_customers.json "$H" analyze churn "$C" --customer customer_id \
    --label churned --json
strip_json "$out/analyze_churn_customers.json"
run analyze_clv_weeks.csv "$H" analyze clv "$S" --unit weeks \
    --calibration-end 2024-06-30 --horizon 6
run analyze_segment_k4.csv "$H" analyze segment "$S" --k 4 --seed 7

# --- shared data: CDNOW and M3 ----------------------------------------------
if [ -f "$shared/cdnow/cdnowElog.csv" ]; then
    run cdnow_clv_summary.txt "$H" analyze clv "$shared/cdnow/cdnowElog.csv" \
        --customer sampleid --date date --amount sales --unit weeks \
        --calibration-end 1997-09-30 --summary-only
    # the first line carries the timings: "(0.34 s: summary 0.00, ...)"
    sed -i -E 's/ \([0-9.]+ s: [^)]*\)//' "$out/cdnow_clv_summary.txt"
    run cdnow_clv_summary.json "$H" analyze clv "$shared/cdnow/cdnowElog.csv" \
        --customer sampleid --date date --amount sales --unit weeks \
        --calibration-end 1997-09-30 --summary-only --json
    strip_json "$out/cdnow_clv_summary.json"
else
    echo "cdnow: $shared/cdnow absent" >>"$out/SKIPPED"
fi
if [ -f "$shared/m3/m3_monthly_train.csv" ] && [ -x "$build/bench_m3" ]; then
    run bench_m3.txt "$build/bench_m3" "$shared/m3" --methods auto,theta --no-r
    # keep the per-method accuracy lines (method sMAPE MASE OWA cov80 cov95
    # seconds fallbacks subset-sMAPE), without the seconds column
    awk '$1 ~ /^[a-z0-9_]+$/ && NF == 9 && $2 ~ /^[0-9.]+$/ { $7 = ""; print }' \
        "$out/bench_m3.txt" >"$out/bench_m3.acc"
    mv "$out/bench_m3.acc" "$out/bench_m3.txt"
else
    echo "m3: $shared/m3 or $build/bench_m3 absent" >>"$out/SKIPPED"
fi
echo "golden: $(ls "$out" | grep -vc '\.rc$') outputs in $out"
