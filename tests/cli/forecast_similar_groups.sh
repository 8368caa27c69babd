#!/usr/bin/env bash
# Group values that differ only in case or blanks around them ('North',
# 'north ', 'NORTH'): forecast as the groups the data name, and said
# (whatever --quiet says; JSON similar_groups / first_similar) instead
# of being split without a word (until 2026-12-07), with and without
# --reconcile, and by backtest; clean names say nothing.
source "$HZ_SRC/tests/cli/lib.sh"
H=$HORIZON

awk 'BEGIN {
    print "date,region,category,value"
    for (m = 0; m < 30; m++) {
        d = sprintf("%d-%02d-01", 2022 + int(m / 12), m % 12 + 1)
        printf "%s,North,Toys,%.2f\n", d, 100 + m + 5 * sin(m)
        printf "%s,north ,Toys,%.2f\n", d, 50 + m + 3 * cos(m)
        printf "%s,NORTH,Toys,%.2f\n", d, 20 + m + 2 * sin(2 * m)
        printf "%s,South,Toys,%.2f\n", d, 70 + 4 * sin(3 * m)
        printf "%s,South,Food,%.2f\n", d, 40 + 4 * cos(3 * m)
    }
}' >"$T/case.csv"
want="3 group names are another's but for case or blanks around a value (first: 'NORTH' and 'North')"

"$H" forecast "$T/case.csv" --date date --value value --by region \
    --freq month --horizon 2 --quiet -o "$T/f.csv" 2>"$T/err"
check "by region: exit 0" test $? -eq 0
check "by region: said, with --quiet too" grep -qF "$want" "$T/err"
check "by region: every group forecast as named (4 x 2 rows)" \
    test "$(tail -n +2 "$T/f.csv" | wc -l)" -eq 8
check "by region: 'north ' kept as written" grep -q '^north ,' "$T/f.csv"

"$H" forecast "$T/case.csv" --date date --value value --by region \
    --freq month --horizon 2 --quiet --json -o "$T/f.json" 2>/dev/null
check "JSON: the count and the first two" \
    grep -q '"similar_groups":3,"first_similar":\["NORTH","North"\]' "$T/f.json"

"$H" forecast "$T/case.csv" --date date --value value --by region,category \
    --freq month --horizon 2 --reconcile mint --quiet -o "$T/r.csv" 2>"$T/err"
check "reconciled: exit 0" test $? -eq 0
check "reconciled: said with the bottom names" grep -qF \
    "3 group names are another's but for case or blanks around a value (first: 'NORTH|Toys' and 'North|Toys')" \
    "$T/err"

"$H" backtest "$T/case.csv" --date date --value value --by region \
    --freq month --horizon 2 --models naive >/dev/null 2>"$T/err"
check "backtest: said too" grep -qF "$want" "$T/err"

# a region written two ways over different stores: 'East|1' and 'east|2'
# are not alike, but the regions 'East' and 'east' are two nodes of the
# reconciled hierarchy, split without a word
awk 'BEGIN {
    print "date,region,store,value"
    for (m = 0; m < 24; m++) {
        d = sprintf("%d-%02d-01", 2022 + int(m / 12), m % 12 + 1)
        printf "%s,East,1,%d\n%s,east,2,%d\n%s,West,3,%d\n", d, 100 + m, d, 50 + m, d, 70 + m
    }
}' >"$T/level.csv"
"$H" forecast "$T/level.csv" --date date --value value --by region,store \
    --freq month --horizon 2 --reconcile bu --quiet -o "$T/l.csv" 2>"$T/err"
check "alike at a level: exit 0" test $? -eq 0
check "alike at a level: said, naming the regions" grep -qF \
    "2 group names are another's but for case or blanks around a value (first: 'East' and 'east')" \
    "$T/err"

grep -v -i '^[^,]*,north' "$T/case.csv" >"$T/clean.csv"
"$H" forecast "$T/clean.csv" --date date --value value --by region \
    --freq month --horizon 2 --json -o "$T/c.json" 2>"$T/err"
check "clean names: exit 0" test $? -eq 0
check "clean names: nothing said" bash -c "! grep -q 'but for case' '$T/err'"
check "clean names: JSON counts none" grep -q '"similar_groups":0,' "$T/c.json"
# the HTML report says it too (until 2026-12-07 only stderr, JSON and a
# job's summary did), and a group whose value is empty is headed
# "(empty)", not ": model" or a second "total: model"
awk -F, 'NR == 1 || $2 == "South" { print; next }
         $2 == "North" { $2 = ""; print }' OFS=, "$T/case.csv" >"$T/empty.csv"
cat "$T/case.csv" >"$T/both.csv"
tail -n +2 "$T/empty.csv" | sed 's/,Toys,/,Games,/' >>"$T/both.csv"
"$H" forecast "$T/both.csv" --date date --value value --by region \
    --freq month --horizon 2 --reconcile mint --quiet -o "$T/r.csv" \
    --report "$T/r.html" 2>"$T/err"
check "report: exit 0" test $? -eq 0
check "report: the similar names said" \
    grep -qF "Data: 3 group names are another&#39;s but for case or blanks" "$T/r.html"
check "report: the empty group headed (empty)" grep -q '<h3[^>]*>(empty): ' "$T/r.html"
check "report: no heading without a name" bash -c "! grep -q '<h3[^>]*>: ' '$T/r.html'"
check "report: one total heading" test "$(grep -c '<h3[^>]*>total: ' "$T/r.html")" -eq 1

# a job's summary names the reconciliation method (and the similar names)
J="$T/jobs"
mkdir -p "$J"
cp "$T/case.csv" "$J/d.csv"
HORIZON_STORE="sqlite:$J/s.db" HZ_DATASET_ROOTS="$J" TMPDIR="$J" \
    "$H" submit --type forecast --tenant t --dataset "$J/d.csv" --id j1 \
    --param date=date --param value=value --param by=region,category \
    --param freq=month --param horizon=2 --param reconcile=mint >/dev/null 2>&1
check "job: submitted" test $? -eq 0
HORIZON_STORE="sqlite:$J/s.db" HZ_DATASET_ROOTS="$J" TMPDIR="$J" \
    "$H" run --once >/dev/null 2>&1
check "job: ran" test $? -eq 0
HORIZON_STORE="sqlite:$J/s.db" "$H" jobs show j1 >"$J/show" 2>&1
check "job summary: the reconciliation method" grep -q '^summary .*"reconcile":"mint"' "$J/show"
check "job summary: similar groups" grep -q '"similarGroups":3,' "$J/show"
finish
