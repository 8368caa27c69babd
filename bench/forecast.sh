#!/usr/bin/env bash
# Forecasting benchmarks: M3 monthly accuracy/speed (with R's forecast
# package on every 10th series when installed) and the 10,000-series scale
# run.  usage: bench/forecast.sh BUILD_DIR [SHARED_DATA_DIR]
set -u
B="${1:-build}"
D="${2:-$(dirname "$0")/../../shared/data}"
if [[ ! -x "$B/bench_m3" || ! -x "$B/bench_scale" ]]; then
    echo "bench/forecast.sh: build $B first (bench_m3, bench_scale)" >&2
    exit 2
fi
if [[ -r "$D/m3/m3_monthly_train.csv" ]]; then
    "$B/bench_m3" "$D/m3"
else
    echo "SKIP: M3 data not found under $D/m3"
fi
"$B/bench_scale"
