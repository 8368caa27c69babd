#!/usr/bin/env bash
# Rows whose value in a --by column is empty (a missing value or "") are
# summed into a group of their own, named with the value empty ('',
# 'North|'): a region the user never had.  It was forecast without a word
# (exit 0); now the rows, the series they make and the first row's place
# are said whatever --quiet says, in --json, a backtest and a job's
# summary.
source "$HZ_SRC/tests/cli/lib.sh"
H=$HORIZON

awk 'BEGIN {
    print "date,region,product,qty"
    for (m = 0; m < 24; m++) {
        d = sprintf("%d-%02d-01", 2022 + int(m / 12), m % 12 + 1)
        printf "%s,North,a,%d\n%s,South,b,%d\n", d, 10 + m % 3, d, 20 + m % 5
        if (m % 6 == 2)
            printf "%s,,a,%d\n", d, 3
        if (m == 5)
            printf "%s,North,\"\",%d\n", d, 4
    }
}' >"$T/d.csv"
# rows with an empty region: months 2, 8, 14, 20 (lines 8, 21, 34, 47);
# the empty product: month 5 (line 15)

"$H" forecast "$T/d.csv" --date date --value qty --by region --horizon 2 \
    --model naive --quiet -o "$T/f.csv" 2>"$T/err"
check "forecast: exit 0" test $? -eq 0
check "forecast: the empty region said, with its rows and first place" \
    grep -qF "4 rows with an empty group value (first: $T/d.csv:8:2, column 'region'): forecast as 1 series of their own, named with the value empty ('')" "$T/err"
check "forecast: the group '' is still forecast" grep -q '^,2024-01-01,' "$T/f.csv"

"$H" forecast "$T/d.csv" --date date --value qty --by region,product \
    --horizon 2 --model naive --reconcile bu --bias-correct off --quiet \
    -o "$T/r.csv" 2>"$T/err"
check "reconciled: exit 0" test $? -eq 0
check "reconciled: both empty values said, the first row first" \
    grep -qF "5 rows with an empty group value (first: $T/d.csv:8:2, column 'region'): forecast as 2 series of their own, named with the value empty ('|a', ...)" "$T/err"

"$H" forecast "$T/d.csv" --date date --value qty --by region --horizon 2 \
    --model naive --json >"$T/f.json" 2>"$T/err"
check "json: exit 0" test $? -eq 0
check "json: the rows counted" grep -q '"empty_group_rows":4,"empty_group_series":1,"first_empty_group":"[^"]*d.csv:8:2"' "$T/f.json"

"$H" forecast "$T/d.csv" --date date --value qty --by product --horizon 2 \
    --model naive --quiet -o "$T/p.csv" 2>"$T/err"
check "a quoted empty value too (line 15)" \
    grep -qF "1 row with an empty group value (first: $T/d.csv:15:3, column 'product')" "$T/err"

grep -v ',,' "$T/d.csv" | grep -v '""' >"$T/full.csv"
"$H" forecast "$T/full.csv" --date date --value qty --by region --horizon 2 \
    --model naive -o "$T/n.csv" 2>"$T/err"
check "no empty value: nothing said" bash -c "! grep -q 'empty group' '$T/err'"

"$H" backtest "$T/d.csv" --date date --value qty --by region --horizon 2 \
    --models naive >/dev/null 2>"$T/err"
check "backtest: exit 0" test $? -eq 0
check "backtest: said too" grep -qF "4 rows with an empty group value" "$T/err"

J="$T/jobs"
mkdir -p "$J"
cp "$T/d.csv" "$J/d.csv"
HORIZON_STORE="sqlite:$J/s.db" HZ_DATASET_ROOTS="$J" TMPDIR="$J" \
    "$H" submit --type forecast --tenant t --dataset "$J/d.csv" --id j1 \
    --param date=date --param value=qty --param by=region \
    --param horizon=2 --param model=naive >/dev/null 2>&1
check "job: submitted" test $? -eq 0
HORIZON_STORE="sqlite:$J/s.db" HZ_DATASET_ROOTS="$J" TMPDIR="$J" \
    "$H" run --once >/dev/null 2>&1
check "job: ran" test $? -eq 0
HORIZON_STORE="sqlite:$J/s.db" "$H" jobs show j1 >"$J/show" 2>&1
check "job summary: the empty group's rows" \
    grep -q '"emptyGroupRows":4,"emptyGroupSeries":1,"firstEmptyGroup":"[^"]*:8:2"' "$J/show"
finish
