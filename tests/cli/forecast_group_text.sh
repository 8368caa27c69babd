#!/usr/bin/env bash
# Group columns are read as text, as written: stores 007, 7 and 07.0 are
# three groups, as an ERP's codes are.  A column of such codes was read
# as numbers and all three became the group '7', their sales summed into
# one series without a word (exit 0); so for horizon forecast (with and
# without --reconcile), horizon backtest and forecast jobs.  --schema
# store:int64 still merges them, if asked.
source "$HZ_SRC/tests/cli/lib.sh"
H=$HORIZON

awk 'BEGIN {
    print "date,store,value"
    for (m = 0; m < 24; m++) {
        d = sprintf("%d-%02d-01", 2022 + int(m / 12), m % 12 + 1)
        printf "%s,007,%d\n%s,7,%d\n", d, 10 + m % 3, d, 100 + (m * 7) % 11
        printf "%s,07.0,%d\n%s,12,%d\n", d, 1000 + (m * 5) % 13, d, 50 + (m * 3) % 7
    }
}' >"$T/codes.csv"

"$H" forecast "$T/codes.csv" --date date --value value --by store --horizon 1 \
    --model naive --quiet -o "$T/f.csv" 2>"$T/err"
check "forecast: exit 0" test $? -eq 0
check "forecast: four stores, as written" \
    test "$(tail -n +2 "$T/f.csv" | cut -d, -f1 | tr '\n' ' ')" = "007 07.0 12 7 "
check "forecast: 07.0 is its own (naive: its last value, 1000 + 115 % 13)" \
    grep -q '^07\.0,2024-01-01,1011,' "$T/f.csv"

"$H" forecast "$T/codes.csv" --date date --value value --by store --horizon 1 \
    --model naive --reconcile bu --bias-correct off --quiet -o "$T/r.csv" 2>"$T/err"
check "reconciled: exit 0" test $? -eq 0
check "reconciled: the total over four stores" \
    test "$(cut -d, -f1 "$T/r.csv" | tail -n +2 | tr '\n' ' ')" = "total 007 07.0 12 7 "

"$H" backtest "$T/codes.csv" --date date --value value --by store --horizon 2 \
    --models naive --per-series "$T/cv.csv" >/dev/null 2>"$T/err"
check "backtest: exit 0" test $? -eq 0
check "backtest: four stores" \
    test "$(tail -n +2 "$T/cv.csv" | cut -d, -f1 | sort -u | wc -l)" -eq 4

grep -v ',07\.0,' "$T/codes.csv" >"$T/ints.csv"
"$H" forecast "$T/ints.csv" --date date --value value --by store --horizon 1 \
    --model naive --schema store:int64 --quiet -o "$T/s.csv" 2>"$T/err"
check "--schema store:int64: exit 0" test $? -eq 0
check "--schema store:int64: merged as asked (7 and 12)" \
    test "$(tail -n +2 "$T/s.csv" | cut -d, -f1 | tr '\n' ' ')" = "12 7 "

# a forecast job reads its dataset the same way
export HORIZON_STORE="sqlite:$T/store.db" HZ_DATASET_ROOTS="$T"
id=$("$H" submit --type forecast --tenant acme --dataset "$T/codes.csv" \
    --param date=date --param value=value --param by=store --param horizon=1 \
    --param model=naive 2>"$T/err")
check "job: submitted" test -n "$id"
"$H" run --once >/dev/null 2>"$T/err"
check "job: run exit 0" test $? -eq 0
"$H" jobs results "$id" --tenant acme --csv >"$T/j.csv" 2>"$T/err"
check "job: four stores, as written" \
    test "$(tail -n +2 "$T/j.csv" | cut -d, -f2 | tr '\n' ' ')" = "007 07.0 12 7 "
finish
