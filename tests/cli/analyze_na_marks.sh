#!/usr/bin/env bash
# horizon analyze churn --label: a column of numbers with a missing-value
# mark ("NA", "N/A", "-", "?", "null") is refused with the mark's place
# and the --na that reads it; until 2026-12-07 it was read as text and
# its numbers fitted as one-hot categories (tenure 12 unrelated to 13:
# 40 features from one column), silently.
source "$(dirname "$0")/lib.sh"
H="$HORIZON"

for mark in NA N/A '#N/A' - '?' null; do
    {
        echo "id,tenure,plan,churned"
        for i in $(seq 1 60); do
            t=$((i % 40 + 1))
            [ $((i % 10)) -eq 1 ] && t="$mark"
            echo "c$i,$t,$([ $((i % 3)) -eq 0 ] && echo A || echo B),$([ $((i % 4)) -eq 0 ] && echo yes || echo no)"
        done
    } >"$T/m.csv"
    expect_exit 1 "m.csv:2:2: column 'tenure' holds numbers and '$mark', a missing-value mark" -- \
        "$H" analyze churn "$T/m.csv" --label churned -o "$T/m_out.csv"
    check "mark $mark: no output" test ! -e "$T/m_out.csv"
    check "mark $mark: the message names --na" grep -qF -- "give --na '$mark'" "$T/err"
    expect_exit 0 "" -- "$H" analyze churn "$T/m.csv" --label churned --na "$mark" --json --summary-only
    check "mark $mark with --na: tenure one number, six rows left out" /usr/bin/python3 -c "
import json, sys
c = json.load(open(sys.argv[1]))['summary']['churn']
assert sorted(x['feature'] for x in c['coefficients']) == ['plan=A', 'plan=B', 'tenure'], c['coefficients']
assert c['rows_dropped'] == 6, c['rows_dropped']
" "$T/out"
done
# a Cox covariate likewise (it was one dummy a value, "fee=NA" among them)
{
    echo "id,tenure,fee,churned"
    for i in $(seq 1 60); do
        f=$((i % 20 + 10)); [ $((i % 10)) -eq 1 ] && f=NA
        echo "c$i,$((i % 13 + 1)),$f,$([ $((i % 4)) -eq 0 ] && echo yes || echo no)"
    done
} >"$T/sv.csv"
expect_exit 1 "sv.csv:2:3: column 'fee' holds numbers and 'NA', a missing-value mark" -- \
    "$H" analyze survival "$T/sv.csv" --covariates fee

# a text column of words is still categories, and a column of numbers
# with blanks still numbers (blanks left out and counted)
{
    echo "id,tenure,plan,churned"
    for i in $(seq 1 60); do
        t=$((i % 40 + 1)); [ $i -eq 9 ] && t=""
        echo "c$i,$t,$([ $((i % 3)) -eq 0 ] && echo none || echo Pro),$([ $((i % 4)) -eq 0 ] && echo yes || echo no)"
    done
} >"$T/ok.csv"
expect_exit 0 "" -- "$H" analyze churn "$T/ok.csv" --label churned --json --summary-only
check "words: 'none' is a plan level, tenure a number" /usr/bin/python3 -c "
import json, sys
c = json.load(open(sys.argv[1]))['summary']['churn']
assert sorted(x['feature'] for x in c['coefficients']) == ['plan=Pro', 'plan=none', 'tenure'], c['coefficients']
" "$T/out"
finish
