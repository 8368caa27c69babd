#!/usr/bin/env bash
# The demo behind `make demo`: a realistic batch of forecast and analytics
# jobs for two tenants on the bundled sample data, queued in a local SQLite
# store under the build directory and run to completion by `horizon run`,
# then a summary and the jobs' HTML reports (their paths are printed: open
# them in a browser).  No network.
#   scripts/demo.sh [path/to/horizon]
set -euo pipefail
HORIZON=${1:-build/horizon}
SRC=$(cd "$(dirname "$0")/.." && pwd)
DATA="$SRC/data"
[[ -x "$HORIZON" ]] || { echo "demo: no horizon binary at $HORIZON" >&2; exit 3; }
for f in sample_sales.csv sample_customers.csv; do
    [[ -r "$DATA/$f" ]] || { echo "demo: missing $DATA/$f" >&2; exit 3; }
done
OUT="$(cd "$(dirname "$HORIZON")" && pwd)/demo"
rm -rf "$OUT" && mkdir -p "$OUT"
export HORIZON_STORE="sqlite:$OUT/jobs.db"
export TMPDIR="$OUT"
# the dataset sandbox: jobs may read the bundled data only
export HZ_DATASET_ROOTS="$DATA"

echo "== datasets (store: $OUT/jobs.db)"
SALES_A=$("$HORIZON" datasets add --tenant acme --name "sales 2022-2024" \
    "$DATA/sample_sales.csv")
CUST_A=$("$HORIZON" datasets add --tenant acme --name "customers" \
    "$DATA/sample_customers.csv")
SALES_G=$("$HORIZON" datasets add --tenant globex --name "sales" \
    "$DATA/sample_sales.csv")
"$HORIZON" datasets list

echo
echo "== submitting jobs"
sub() { "$HORIZON" submit --quiet "$@"; }
# acme: revenue forecasts (total, by region, by category), the analytics
# suite on transactions, churn on the labelled customer table
# job parameters are the options of `horizon forecast` / `horizon analyze`
REV=(--param date=order_date --param value=revenue)
sub --tenant acme --type forecast --dataset-id "$SALES_A" "${REV[@]}" \
    --param freq=month --param horizon=12 --id acme-revenue-12m
sub --tenant acme --type forecast --dataset-id "$SALES_A" "${REV[@]}" \
    --param freq=month --param horizon=6 --param by=region \
    --id acme-revenue-by-region
sub --tenant acme --type forecast --dataset-id "$SALES_A" "${REV[@]}" \
    --param freq=week --param horizon=8 --param by=category \
    --id acme-weekly-by-category
sub --tenant acme --type suite --dataset-id "$SALES_A" --id acme-suite
sub --tenant acme --type churn --dataset-id "$CUST_A" \
    --param customer=customer_id --param label=churned \
    --id acme-churn-model
# globex: the same kind of work on its own copy
sub --tenant globex --type forecast --dataset-id "$SALES_G" "${REV[@]}" \
    --param freq=quarter --param horizon=4 --id globex-quarterly
sub --tenant globex --type clv --dataset-id "$SALES_G" \
    --param horizon=12 --id globex-clv
sub --tenant globex --type segment --dataset-id "$SALES_G" --id globex-segments
"$HORIZON" jobs list

echo
echo "== running (horizon run --concurrency 4)"
rc=0
"$HORIZON" run --concurrency 4 --timeout 120 --progress \
    --metrics "$OUT/metrics.json" || rc=$?

echo
echo "== results"
"$HORIZON" jobs list
echo
"$HORIZON" jobs show acme-suite | sed -n '1,12p' | cut -c1-160
echo
echo "first rows of acme-revenue-by-region:"
# into a file first: 'jobs results | head' fails (exit 1, set -o pipefail)
# whenever head closes the pipe before the rows are all written
"$HORIZON" jobs results acme-revenue-by-region > "$OUT/acme-revenue-by-region.csv"
head -4 "$OUT/acme-revenue-by-region.csv"
echo
echo "== reports (horizon jobs report ID -o FILE.html)"
for id in acme-revenue-by-region acme-suite acme-churn-model; do
    "$HORIZON" jobs report "$id" -o "$OUT/$id.html" || rc=1
done
echo "forecast report:  $OUT/acme-revenue-by-region.html"
echo "analytics report: $OUT/acme-suite.html"
echo "churn report:     $OUT/acme-churn-model.html"
echo
echo "metrics: $OUT/metrics.json; store: $OUT/jobs.db"
echo "inspect: HORIZON_STORE=$HORIZON_STORE $HORIZON jobs show ID"
exit $rc
