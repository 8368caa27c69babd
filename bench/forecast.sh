#!/usr/bin/env bash
# Forecasting benchmarks in one run: M3 monthly accuracy/speed (R's ets and
# thetaf on every 10th series when installed), several seasons beside R's
# mstl/stlf, stlf-arima and tbats (bench_multi), intermittent demand beside
# R's croston (bench_intermittent), short seasonal histories, conformal
# intervals, reconciled hierarchies and the 100,000-series scale run.
#   usage: bench/forecast.sh BUILD_DIR [SHARED_DATA_DIR]
set -u
B="${1:-build}"
D="${2:-$(dirname "$0")/../../shared/data}"
for p in bench_m3 bench_multi bench_intermittent bench_short bench_conformal \
         bench_hier bench_scale; do
    if [[ ! -x "$B/$p" ]]; then
        echo "bench/forecast.sh: build $B first ($p)" >&2
        exit 2
    fi
done
echo "load: $(cat /proc/loadavg)"
run() { echo; echo "==== $*"; "$@"; }
if [[ -r "$D/m3/m3_monthly_train.csv" ]]; then
    run "$B/bench_m3" "$D/m3"
else
    echo "SKIP: M3 data not found under $D/m3"
fi
run "$B/bench_multi" "$D"
run "$B/bench_intermittent"
run "$B/bench_short"
run "$B/bench_conformal" "$D/m3"
run "$B/bench_hier"
run "$B/bench_scale"
echo "load: $(cat /proc/loadavg)"
