#!/usr/bin/env bash
# A job's errors name its dataset as the job gives it — the path, or a
# registered dataset by its id and path — never the descriptor the job
# process reads it through (/proc/self/fd/N); and a dataset that lacks a
# column the job needs fails with reason `dataset`, not `compute`:
#  - a clv job on a file without an amount column;
#  - a forecast job whose file lost its value column after submit (by
#    path and by dataset id);
#  - a CSV error at ingest, as before.
source "$(dirname "$0")/lib.sh"
export HORIZON_STORE="sqlite:$T/store.db" TMPDIR="$T" HZ_TEST_HOOKS=0 \
    HZ_DATASET_ROOTS="$T/data/{tenant}"
unset HZ_DATASET_HOSTS HZ_DATASET_ALLOW_ADDRS HZ_TENANT OPENAI_API_KEY \
      OPENAI_BASE_URL AZURE_OPENAI_ENDPOINT HZ_LLM_CONFIG || true
D="$T/data/acme"
mkdir -p "$D"
cp "$HZ_DATA_DIR/sample_customers.csv" "$D/cust.csv"
cp "$HZ_DATA_DIR/sample_sales.csv" "$D/lost.csv"
cp "$HZ_DATA_DIR/sample_sales.csv" "$D/lost-id.csv"
printf 'order_date,revenue\n2024-01-01,1\n2024-02-30,2\n' >"$D/bad.csv"
P=(--param date=order_date --param value=revenue --param model=naive
   --param freq=month)
sub() { "$HORIZON" submit --tenant acme --quiet "$@"; }
sub --type clv --dataset "$D/cust.csv" --id no-amount
sub --type forecast "${P[@]}" --dataset "$D/lost.csv" --id lost-col
DS=$("$HORIZON" datasets add --tenant acme --id lostds "$D/lost-id.csv")
sub --type forecast "${P[@]}" --dataset-id "$DS" --id lost-col-id
sub --type forecast "${P[@]}" --dataset "$D/bad.csv" --id bad-csv
# the files lose their revenue column after submit
for f in lost lost-id; do
    cut -d, -f1-9 "$HZ_DATA_DIR/sample_sales.csv" >"$D/$f.csv"
done
"$HORIZON" run --once >"$T/run.out" 2>"$T/run.log"
check "no message names /proc/self/fd" bash -c "! grep -q /proc/self/fd '$T/run.log'"
expect_reason() { # job reason message
    local s
    s=$("$HORIZON" jobs show "$1" --json)
    if ! /usr/bin/python3 -c '
import json, sys
d = json.loads(sys.argv[1])
sys.exit(0 if d["status"] == "failed" and d["errorReason"] == sys.argv[2]
         and d["error"].startswith(sys.argv[3]) else 1)' "$s" "$2" "$3"; then
        echo "FAIL: $1: expected failed [$2] '$3...'; got: $s"
        fails=$((fails + 1))
    else
        passes=$((passes + 1))
    fi
}
expect_reason no-amount dataset "$D/cust.csv: no amount column found"
expect_reason lost-col dataset "no column 'revenue' in $D/lost.csv (columns: "
expect_reason lost-col-id dataset \
    "no column 'revenue' in dataset lostds ($D/lost-id.csv) (columns: "
expect_reason bad-csv dataset "$D/bad.csv:3:"
check "the log line says [dataset] and the path" grep -qF \
    "job no-amount (clv, tenant acme) failed [dataset]: $D/cust.csv: no amount column" \
    "$T/run.log"
finish
