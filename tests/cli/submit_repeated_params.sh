#!/usr/bin/env bash
# A job parameter given twice: `submit --param by=region --param
# by=product` and `schedule add` kept the last one without a word (the
# job grouped by product alone), so did --params over --param, and a
# job whose params hold a parameter under its name and its former one
# (value and valueColumn) ran with whichever came later.  All refused
# (exit 2, nothing stored).
source "$(dirname "$0")/lib.sh"
export HORIZON_STORE="sqlite:$T/store.db" TMPDIR="$T" \
    HZ_DATASET_ROOTS="$T"
unset HZ_TENANT
printf 'date,region,product,qty,revenue\n2024-01,N,a,1,10\n2024-02,N,a,2,20\n2024-03,S,b,3,30\n' >"$T/d.csv"
P=(--type forecast --tenant acme --dataset "$T/d.csv" --param date=date
   --param value=qty --quiet)
stored() { "$HORIZON" jobs list --json 2>/dev/null | wc -l; }

expect_exit 2 "--param: 'by' given twice: give each parameter once (several group columns go in one: by=region,product)" -- \
    "$HORIZON" submit "${P[@]}" --param by=region --param by=product
expect_exit 2 "--param: 'value' given twice" -- \
    "$HORIZON" submit "${P[@]}" --param value=revenue
expect_exit 2 "--params: 'date' given twice" -- \
    "$HORIZON" submit "${P[@]}" --params '{"date":"date"}'
expect_exit 2 "--params: 'by' given twice" -- \
    "$HORIZON" submit --type forecast --tenant acme --dataset "$T/d.csv" \
    --params '{"date":"date","value":"qty","by":"region","by":"product"}'
expect_exit 2 "params.valueColumn: given twice (as 'value' too): give it once" -- \
    "$HORIZON" submit "${P[@]}" --param valueColumn=revenue
expect_exit 2 "--param: 'by' given twice" -- \
    "$HORIZON" schedule add --tenant acme --id s --cron @daily \
    --type forecast --dataset "$T/d.csv" --param date=date --param value=qty \
    --param by=region --param by=product
check "nothing stored" test "$(stored)" -eq 0
expect_exit 0 "" -- "$HORIZON" submit "${P[@]}" --param by=region,product --id ok
check "one job stored" test "$(stored)" -eq 1
finish
