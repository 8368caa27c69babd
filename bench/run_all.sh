#!/usr/bin/env bash
# Every benchmark in one go (make bench).  Each prints its own figures and
# the ratios against the floors or peers it measures in the same run.
#   bench/run_all.sh [BUILD_DIR] [SHARED_DATA_DIR]
set -uo pipefail
BUILD=${1:-build}
DATA=${2:-$(cd "$(dirname "$0")/.." && pwd)/../shared/data}
here=$(cd "$(dirname "$0")" && pwd)
status=0
run() {
    echo
    echo "==== $*"
    "$@" || { echo "bench: '$*' failed"; status=1; }
}
run "$here/ingest.sh" "$BUILD"
if [[ -d $DATA/m3 ]]; then
    run "$BUILD/bench_m3" "$DATA/m3"
    run "$here/arima_m3.sh" "$BUILD" "$DATA" 10
    run "$BUILD/bench_conformal" "$DATA/m3"
else
    echo "bench: $DATA/m3 absent: skipping the M3 benchmarks"
fi
run "$BUILD/bench_multi" "$DATA"
run "$BUILD/bench_intermittent"
run "$BUILD/bench_short"
run "$BUILD/bench_hier"
run "$BUILD/bench_scale"
if [[ -d $DATA/cdnow ]]; then
    run "$BUILD/bench_analytics" "$DATA"
else
    echo "bench: $DATA absent: skipping the CDNOW/telco benchmarks"
fi
run "$here/runner_bench.sh" "$BUILD/horizon" 1000 1 8 32 128
run "$here/cosmos_bench.sh" "$BUILD" 1000 2
run "$here/llm_tokens.sh" "$BUILD"
exit $status
