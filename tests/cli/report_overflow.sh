#!/usr/bin/env bash
# Forecasts near the top of the double range (8.5e307 a month) are right,
# but their total over the horizon passes 1.8e308: the report said "total
# inf, against inf", and with no total to narrate `forecast --report`
# refused the whole command ("report: out of memory (or nothing to
# narrate)", the forecast not written either) and `explain` failed on the
# succeeded job.  The total is said to be beyond the range instead.
source "$(dirname "$0")/lib.sh"

{
    echo "series,date,value"
    for i in $(seq 0 35); do
        printf 'h,%d-%02d,8.5e307\n' $((2021 + i / 12)) $((i % 12 + 1))
    done
} > "$T/huge.csv"
"$HORIZON" forecast "$T/huge.csv" --long --by series --date date \
    --value value --freq month --horizon 6 -o "$T/fc.csv" \
    --report "$T/r.html" > "$T/out" 2>&1
rc=$?
check "forecast --report: exit 0 ($(head -1 "$T/out"))" test $rc -eq 0
check "forecast written" test -s "$T/fc.csv"
check "key figures: no 'inf'" bash -c "! grep -o '<li>[^<]*</li>' '$T/r.html' | grep -qw inf"
check "key figures: the total is beyond the range" \
    grep -q 'total beyond the range of numbers (1.8e308)' "$T/r.html"

export HORIZON_STORE="sqlite:$T/store.db" HZ_DATASET_ROOTS="$T" TMPDIR="$T"
unset OPENAI_API_KEY OPENAI_BASE_URL AZURE_OPENAI_ENDPOINT HZ_LLM_CONFIG || true
"$HORIZON" submit --type forecast --tenant t --dataset "$T/huge.csv" \
    --param date=date --param value=value --param by=series \
    --param long=true --param freq=month --param horizon=6 --id hj --quiet
"$HORIZON" run --once --quiet > /dev/null 2>&1
check "job succeeded" bash -c "'$HORIZON' jobs show hj | grep -q 'succeeded'"
"$HORIZON" explain hj > "$T/explain" 2>&1
rc=$?
check "explain: exit 0 ($(cat "$T/explain"))" test $rc -eq 0
check "explain: says why there is no total" \
    grep -q 'beyond the range of numbers' "$T/explain"
finish
