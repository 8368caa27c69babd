#!/usr/bin/env bash
# horizon analyze churn --label leaves out the columns of numbers that
# identify rather than measure, naming them: an account number, a phone
# number, a zip code (by name) and a customer number (a different whole
# number on every row).  Until 2026-12-07 they were fitted as numbers,
# and customers numbered in signup order, whose newer ones churn more,
# made the number the strongest churn driver.  --keep-ids forces one in.
source "$(dirname "$0")/lib.sh"
H="$HORIZON"

/usr/bin/python3 - "$T/cust.csv" <<'PY'
import random, sys
random.seed(7)
with open(sys.argv[1], "w") as f:
    f.write("customerID,member,account_no,phone,ZipCode,tenure,monthly,has_phone,churned\n")
    for i in range(1, 401):
        tenure = random.randint(1, 60)
        monthly = random.uniform(20, 100)
        # newer customers (higher numbers) churn more: a number that
        # would rank as a driver
        churn = random.random() < 0.1 + 0.6 * i / 400
        f.write("C%d,%d,%d,%d,%d,%d,%.2f,%d,%s\n" % (
            i, 5000 + i, 100000 + 7 * i, 5550000000 + random.randint(0, 9999999),
            random.choice([10001, 94105, 60601, 73301]), tenure, monthly,
            random.randint(0, 1), "Yes" if churn else "No"))
PY
expect_exit 0 "" -- "$H" analyze churn "$T/cust.csv" --label churned --json --summary-only
/usr/bin/python3 - "$T/out" <<'PY' || { echo "FAIL: identifiers used as features: $(cat "$T/out")"; fails=$((fails + 1)); }
import json, sys
c = json.load(open(sys.argv[1]))["summary"]["churn"]
feats = sorted(x["feature"] for x in c["coefficients"])
assert feats == ["has_phone", "monthly", "tenure"], feats
sk = c["skipped_columns"]
for want in ["member (an identifier: a different whole number on every row)",
             "account_no (an identifier by its name)", "phone (an identifier by its name)",
             "ZipCode (an identifier by its name)"]:
    assert want in sk, (want, sk)
assert "--keep-ids" in c["method"], c["method"]
PY
# the text summary names them and how to keep one
expect_exit 0 "" -- "$H" analyze churn "$T/cust.csv" --label churned -o "$T/ch.csv"
check "text: left out, named" grep -q "left out: member (an identifier: a different whole number on every row), account_no (an identifier by its name)" "$T/out"
check "text: no id driver" bash -c "! grep -qE 'driver (member|account_no|phone|ZipCode) ' '$T/out'"
check "csv: 400 customers" test "$(($(wc -l <"$T/ch.csv") - 1))" -eq 400

# --keep-ids uses a column as a number all the same, and it is named
# in the drivers
expect_exit 0 "" -- "$H" analyze churn "$T/cust.csv" --label churned --keep-ids member,ZipCode --json --summary-only
check "--keep-ids: member and ZipCode used" /usr/bin/python3 -c "
import json, sys
c = json.load(open(sys.argv[1]))['summary']['churn']
feats = sorted(x['feature'] for x in c['coefficients'])
assert feats == ['ZipCode', 'has_phone', 'member', 'monthly', 'tenure'], feats
assert 'account_no (an identifier' in c['skipped_columns'], c['skipped_columns']
" "$T/out"
expect_exit 2 "--keep-ids: no column 'nosuch'" -- \
    "$H" analyze churn "$T/cust.csv" --label churned --keep-ids member,nosuch
expect_exit 1 "--keep-ids: 'churned' is the label column" -- \
    "$H" analyze churn "$T/cust.csv" --label churned --keep-ids churned
expect_exit 2 "--keep-ids is for churn with --label" -- \
    "$H" analyze segment "$HZ_DATA_DIR/sample_sales.csv" --keep-ids x

# a saved model's features are fixed: --keep-ids beside --model-file is
# refused, not ignored
expect_exit 0 "" -- "$H" analyze churn "$T/cust.csv" --label churned --save-model "$T/m.json" -o "$T/m.csv"
check "saved model: no identifier feature" bash -c "! grep -qE '\"(member|account_no|phone|ZipCode)\"' '$T/m.json'"
expect_exit 2 "--keep-ids is for fitting a churn model" -- \
    "$H" analyze churn "$T/cust.csv" --label churned --model-file "$T/m.json" --keep-ids member

# measurements stay: whole numbers that repeat, decimals that do not
/usr/bin/python3 - "$T/meas.csv" <<'PY'
import random, sys
random.seed(3)
with open(sys.argv[1], "w") as f:
    f.write("id,orders,spend,churned\n")
    for i in range(60):
        f.write("c%d,%d,%.2f,%s\n" % (i, random.randint(0, 9), random.uniform(1, 500),
                                     random.choice(["yes", "no"])))
PY
expect_exit 0 "" -- "$H" analyze churn "$T/meas.csv" --label churned --json --summary-only
check "measurements: orders and spend are features" /usr/bin/python3 -c "
import json, sys
c = json.load(open(sys.argv[1]))['summary']['churn']
assert sorted(x['feature'] for x in c['coefficients']) == ['orders', 'spend'], c['coefficients']
assert c['skipped_columns'] == '', c['skipped_columns']
" "$T/out"

# a measurement in whole units, different on every row but spread wide
# (an income in dollars), is a feature, not a numbered identifier: until
# 2026-12-07 it was left out as "a different whole number on every row"
/usr/bin/python3 - "$T/inc.csv" <<'PY'
import random, sys
random.seed(2)
seen = set()
with open(sys.argv[1], "w") as f:
    f.write("customer,tenure,income,churned\n")
    for i in range(120):
        inc = random.randint(20000, 150000)
        while inc in seen:
            inc = random.randint(20000, 150000)
        seen.add(inc)
        churn = random.random() < (0.7 if inc < 50000 else 0.2)
        f.write("c%d,%d,%d,%s\n" % (i, random.randint(1, 60), inc,
                                    "yes" if churn else "no"))
PY
expect_exit 0 "" -- "$H" analyze churn "$T/inc.csv" --label churned --json --summary-only
check "wide whole numbers: income is a feature" /usr/bin/python3 -c "
import json, sys
c = json.load(open(sys.argv[1]))['summary']['churn']
assert sorted(x['feature'] for x in c['coefficients']) == ['income', 'tenure'], c['coefficients']
assert c['skipped_columns'] == '', c['skipped_columns']
" "$T/out"

# a job takes the same parameter
export HORIZON_STORE="sqlite:$T/store.db" TMPDIR="$T" HZ_DATASET_ROOTS="$T"
"$H" submit --type churn --tenant acme --id ids --dataset "$T/cust.csv" \
    --param label=churned --param keep-ids=member --quiet
expect_exit 0 "" -- "$H" run --once --quiet
expect_exit 0 "" -- "$H" jobs show ids --json
check "job: member kept, account_no left out" bash -c \
    "grep -q 'account_no (an identifier by its name)' '$T/out' && ! grep -q 'member (an identifier' '$T/out'"
finish
