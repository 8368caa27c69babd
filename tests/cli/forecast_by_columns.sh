#!/usr/bin/env bash
# --by names group columns: an empty name ('product,' with a comma too
# many, ',product', 'region,,product') was dropped without a word (the
# list was split skipping empty items), and a group column that is the
# date or the value column made a series of each date or of each amount
# (exit 0).  Both are refused (exit 2), in forecast, backtest and jobs;
# so is an empty item of --level and --models, split the same way.
source "$HZ_SRC/tests/cli/lib.sh"
H=$HORIZON

awk 'BEGIN {
    print "date,region,product,qty"
    for (m = 0; m < 24; m++) {
        d = sprintf("%d-%02d-01", 2022 + int(m / 12), m % 12 + 1)
        printf "%s,North,a,%d\n%s,South,b,%d\n", d, 10 + m % 3, d, 20 + m % 5
    }
}' >"$T/d.csv"
F=(forecast "$T/d.csv" --date date --value qty --horizon 2 --model naive)

for by in "product," ",product" "region,,product" "region, "; do
    expect_exit 2 "--by: an empty column name in '$by'" -- "$H" "${F[@]}" --by "$by"
done
check "no output for an empty name" test ! -s "$T/out"
expect_exit 2 "--by: an empty column name in 'product,' (item 2)" -- \
    "$H" backtest "$T/d.csv" --date date --value qty --horizon 2 --models naive --by "product,"
expect_exit 2 "group column 'qty' is the value column: it cannot also group the rows" -- \
    "$H" "${F[@]}" --by qty
expect_exit 2 "group column 'date' is the date column" -- "$H" "${F[@]}" --by region,date
expect_exit 2 "group column 'qty' is the value column" -- \
    "$H" "${F[@]}" --by region,qty --reconcile bu
expect_exit 2 "group column 'qty' is the value column" -- \
    "$H" backtest "$T/d.csv" --date date --value qty --horizon 2 --models naive --by qty
check "no output for a value column" test ! -s "$T/out"
expect_exit 2 "--level: expected" -- "$H" "${F[@]}" --level "80,95,"
expect_exit 2 "--models" -- \
    "$H" backtest "$T/d.csv" --date date --value qty --horizon 2 --models "naive,,theta"
# blanks around a name are not part of it, as in the header
expect_exit 0 "" -- "$H" "${F[@]}" --by " region , product"
check "blanks around names: the groups" grep -q '^North|a,2024-01-01,' "$T/out"

J="$T/jobs"
mkdir -p "$J"
cp "$T/d.csv" "$J/d.csv"
HORIZON_STORE="sqlite:$J/s.db" HZ_DATASET_ROOTS="$J" TMPDIR="$J" \
    "$H" submit --type forecast --tenant t --dataset "$J/d.csv" --id j1 \
    --param date=date --param value=qty --param by=region, \
    --param horizon=2 >/dev/null 2>"$J/err"
check "job: an empty --by name refused at submit (exit 2)" test $? -eq 2
check "job: the message" grep -qF "an empty column name in 'region,'" "$J/err"
HORIZON_STORE="sqlite:$J/s.db" HZ_DATASET_ROOTS="$J" TMPDIR="$J" \
    "$H" submit --type forecast --tenant t --dataset "$J/d.csv" --id j2 \
    --param date=date --param value=qty --param by=qty \
    --param horizon=2 >/dev/null 2>"$J/err"
HORIZON_STORE="sqlite:$J/s.db" HZ_DATASET_ROOTS="$J" TMPDIR="$J" \
    "$H" run --once >/dev/null 2>&1
HORIZON_STORE="sqlite:$J/s.db" "$H" jobs show j2 >"$J/show" 2>&1
check "job: a value column as group fails, said" \
    grep -qF "group column 'qty' is the value column" "$J/show"
finish
