#!/usr/bin/env bash
# A churn label or a survival event mixing its forms (1/0 and Yes/No, as
# a CRM export that changed its format) is read whatever comes first:
# until 2026-12-07 a column that began with 1/0 was read as integers and
# its first "yes" an error ("expected an integer").  1.0/0.0 (a float
# column's export) are flags too; other values stay errors with their
# place.
source "$(dirname "$0")/lib.sh"
H="$HORIZON"

{
    echo "id,tenure,x,churned"
    for i in $(seq 1 30); do echo "c$i,$((i % 13 + 1)),$((i % 5)),$((i % 2))"; done
    echo "c31,4,2,yes"
    echo "c32,5,3,No"
    echo "c33,6,1,"
} >"$T/mixed.csv"
expect_exit 0 "" -- "$H" analyze churn "$T/mixed.csv" --label churned --folds 2 -o "$T/ch.csv"
check "churn: 32 customers scored (one empty label left out)" test "$(($(wc -l <"$T/ch.csv") - 1))" -eq 32
check "churn: c31 is labelled 1, c32 0" bash -c "grep -q '^c31,1,' '$T/ch.csv' && grep -q '^c32,0,' '$T/ch.csv'"
check "churn: the empty label is counted" grep -q "1 row dropped for empty values" "$T/out"
sed '$d' "$T/mixed.csv" >"$T/mixed_ev.csv"
expect_exit 0 "" -- "$H" analyze survival "$T/mixed_ev.csv" --json --summary-only
check "survival: 32 customers, 16 events" /usr/bin/python3 -c "
import json, sys
k = json.load(open(sys.argv[1]))['summary']['survival']['kaplan_meier']
assert k['n'] == 32 and k['events'] == 16, k
" "$T/out"

# 1.0 / 0.0
sed 's/,1$/,1.0/; s/,0$/,0.0/' "$T/mixed_ev.csv" >"$T/float.csv"
expect_exit 0 "" -- "$H" analyze churn "$T/float.csv" --label churned --folds 2 -o "$T/fl.csv"
check "1.0/0.0: same labels" bash -c "diff <(cut -d, -f1,2 '$T/fl.csv') <(cut -d, -f1,2 '$T/ch.csv' | grep -v '^c33,')"
# spaces around a flag are the export's (the reader's booleans took
# "Yes " before labels were read as text)
sed 's/,yes$/,"Yes "/; s/,0$/, 0/' "$T/mixed_ev.csv" >"$T/spaced.csv"
expect_exit 0 "" -- "$H" analyze churn "$T/spaced.csv" --label churned --folds 2 -o "$T/sp.csv"
check "spaced: same labels" bash -c "diff <(cut -d, -f1,2 '$T/sp.csv') <(cut -d, -f1,2 '$T/ch.csv' | grep -v '^c33,')"
# still an error with its place: a value that is no flag
sed 's/^c32,5,3,No$/c32,5,3,2/' "$T/mixed_ev.csv" >"$T/bad.csv"
expect_exit 1 "bad.csv:33:4: column 'churned' (label) is '2'" -- \
    "$H" analyze churn "$T/bad.csv" --label churned --folds 2
expect_exit 1 "bad.csv:33:4" -- "$H" analyze survival "$T/bad.csv"

# the suite's label per transaction, likewise
/usr/bin/python3 - "$T/tx.csv" <<'PY'
import datetime, random, sys
random.seed(4)
rows = []
for c in range(120):
    lab = random.choice(["1", "0"])
    d = datetime.date(2024, 1, 1) + datetime.timedelta(days=random.randint(0, 100))
    for k in range(random.randint(1, 5)):
        rows.append((f"C{c}", d.isoformat(), random.randint(5, 80), lab))
        d += datetime.timedelta(days=random.randint(3, 40))
rows.sort(key=lambda r: r[1])
with open(sys.argv[1], "w") as f:
    f.write("customer_id,order_date,revenue,churned\n")
    for r in rows:
        f.write(",".join(map(str, r)) + "\n")
    f.write("C999,2024-05-01,10,yes\n")
    f.write("C999,2024-05-09,12,Yes\n")
PY
expect_exit 0 "" -- "$H" analyze suite "$T/tx.csv" --label churned -o "$T/suite.csv"
check "suite: C999 labelled 1" bash -c "head -1 '$T/suite.csv' | tr , '\n' | grep -nx churn_label | cut -d: -f1 >'$T/col' && awk -F, -v c=\$(cat '$T/col') '\$1 == \"C999\" {print \$c}' '$T/suite.csv' | grep -qx 1"
# a customer whose label is empty on every row: refused with the place of
# the customer's first row (until 2026-12-07 the customer only, no place)
cp "$T/tx.csv" "$T/tx_blank.csv"
printf 'C777,2024-05-02,10,\nC777,2024-05-20,15,\n' >>"$T/tx_blank.csv"
n=$(wc -l <"$T/tx_blank.csv")
expect_exit 1 "$T/tx_blank.csv:$((n - 1)):4: column 'churned' (label) is empty on every row of customer C777" -- \
    "$H" analyze suite "$T/tx_blank.csv" --label churned -o "$T/suite_blank.csv"
check "suite, blank label: nothing written" test ! -e "$T/suite_blank.csv"

# a missing-value mark as a label: the option that leaves such rows out
# (until 2026-12-07 only 'expected yes/no ...', with no word of --na)
{
    echo "customer_id,tenure,churned"
    for i in $(seq 1 40); do
        if [ "$i" -eq 7 ]; then l=NA; elif [ $((i % 3)) -eq 0 ]; then l=yes; else l=no; fi
        echo "C$i,$((i % 13 + 1)),$l"
    done
} >"$T/na_label.csv"
expect_exit 1 "na_label.csv:8:3: column 'churned' (label) is 'NA': expected yes/no, true/false or 0/1; 'NA' is a missing-value mark: give --na 'NA' to leave such rows out" -- \
    "$HORIZON" analyze churn "$T/na_label.csv" --label churned --summary-only
expect_exit 0 "" -- "$HORIZON" analyze churn "$T/na_label.csv" --label churned --na NA --summary-only
check "--na NA: the row left out and counted ($(grep -o '1 row dropped[^)]*)' "$T/out"))" \
    grep -qF "1 row dropped for empty values (first: $T/na_label.csv:8:3" "$T/out"
finish
