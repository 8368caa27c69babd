#!/usr/bin/env bash
# M3 monthly auto-ARIMA: R forecast::auto.arima on every 10th series, then
# Horizon on all 1428 series (2 threads) compared on the same subset.
# usage: bench/arima_m3.sh BUILD_DIR [SHARED_DATA_DIR] [EVERY]
set -u
B=${1:?usage: bench/arima_m3.sh BUILD_DIR [SHARED_DATA_DIR] [EVERY]}
D=${2:-$(dirname "$0")/../../shared/data}
K=${3:-10}
[[ -r "$D/m3/m3_monthly_train.csv" ]] || { echo "arima_m3: no M3 data under $D, skipping"; exit 0; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
if Rscript -e 'library(forecast)' >/dev/null 2>&1; then
    echo "running R auto.arima on every ${K}th series (about 3.4 s each)..."
    Rscript "$(dirname "$0")/arima_m3.R" "$D" "$K" > "$out/r.tsv"
    "$B/arima_m3" "$D" "$out/r.tsv" "$out/horizon.tsv"
else
    echo "R with the forecast package not installed: Horizon only"
    "$B/arima_m3" "$D"
fi
