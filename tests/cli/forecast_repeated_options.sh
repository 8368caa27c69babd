#!/usr/bin/env bash
# An option given twice: getopt keeps the last one, so '--by region --by
# product' grouped by product alone (the region dropped without a word)
# and '--value qty --value revenue' forecast revenue (exit 0).  forecast
# and backtest refuse an option with a value given twice (exit 2, both
# values named, no output); flags (--json, --quiet) may repeat.
source "$HZ_SRC/tests/cli/lib.sh"
H=$HORIZON

awk 'BEGIN {
    print "date,region,product,qty,revenue"
    for (m = 0; m < 24; m++) {
        d = sprintf("%d-%02d-01", 2022 + int(m / 12), m % 12 + 1)
        printf "%s,North,a,%d,%d\n%s,South,b,%d,%d\n", d, 10 + m % 3, \
            100 + m, d, 20 + m % 5, 200 + m
    }
}' >"$T/d.csv"
F=(forecast "$T/d.csv" --date date --value qty --horizon 2 --model naive)
B=(backtest "$T/d.csv" --date date --value qty --horizon 2 --models naive)

expect_exit 2 "--by given twice ('region', then 'product'): give it once (several group columns go in one list: --by region,product)" -- \
    "$H" "${F[@]}" --by region --by product
check "forecast: no output" test ! -s "$T/out"
expect_exit 2 "--value given twice ('qty', then 'revenue')" -- "$H" "${F[@]}" --value revenue
expect_exit 2 "--model given twice ('naive', then 'theta')" -- "$H" "${F[@]}" --model theta
expect_exit 2 "--horizon given twice ('2', then '3')" -- "$H" "${F[@]}" --horizon 3
expect_exit 2 "--date given twice" -- "$H" "${F[@]}" --date date
expect_exit 2 "--output given twice ('$T/a.csv', then '$T/b.csv')" -- \
    "$H" "${F[@]}" -o "$T/a.csv" --output "$T/b.csv"
check "forecast: no file written" test ! -e "$T/a.csv" -a ! -e "$T/b.csv"
expect_exit 2 "--by given twice ('region', then 'product')" -- \
    "$H" "${B[@]}" --by region --by product
expect_exit 2 "--models given twice ('naive', then 'theta')" -- "$H" "${B[@]}" --models theta
# flags may repeat; one --by with both columns is the hierarchy
expect_exit 0 "" -- "$H" "${F[@]}" --by region,product --json --json --quiet --quiet
check "one --by list: the groups" grep -q '"North|a"' "$T/out"
# report: -o given twice wrote the last file alone (exit 0)
expect_exit 2 "-o given twice ('$T/a.html', then '$T/b.html'): give it once" -- \
    "$H" report "${F[@]}" -o "$T/a.html" -o "$T/b.html"
check "report: no page written" test ! -e "$T/a.html" -a ! -e "$T/b.html"
finish
