#!/usr/bin/env bash
# Re-make the report screenshots shown in README.md from the bundled sample
# data (headless Chromium through tests/peers/render_report.js, which also
# checks the pages):
#   scripts/report_screenshots.sh [path/to/horizon]
#   -> docs/report-forecast.png, docs/report-analytics.png
set -euo pipefail
HORIZON=${1:-build/horizon}
SRC=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
DATA="$SRC/data/sample_sales.csv"
"$HORIZON" forecast "$DATA" --date order_date --value revenue --freq month \
    --by region -o /dev/null --quiet --report "$T/forecast.html"
"$HORIZON" analyze suite "$DATA" --calibration-end 2024-06-30 -o /dev/null \
    --report "$T/analytics.html" > /dev/null
node "$SRC/tests/peers/render_report.js" "$T/forecast.html" \
    "$SRC/docs/report-forecast.png" --width 1100 --max-height 2150
node "$SRC/tests/peers/render_report.js" "$T/analytics.html" \
    "$SRC/docs/report-analytics.png" --width 1100 --max-height 2500
ls -l "$SRC/docs/"report-*.png
