#!/usr/bin/env bash
# horizon backtest when a model gives no intervals (snaive trained on
# exactly one season): the pair counts in sMAPE, MASE and OWA but not in
# coverage, MSIS and SPL (it was scored as 0% coverage, with 'nan' in the
# table and CSV and invalid JSON); no output ever holds nan or inf.
source "$HZ_SRC/tests/cli/lib.sh"
H=$HORIZON

# 24 months: a trend of 1 a month and a December spike of 30, so that
# snaive's errors are all 12 (one year of trend) and its intervals, from
# those errors, cover every held-out value
python3 -c "
print('month,value')
for i in range(24): print(f'{2022+i//12}-{i%12+1:02d},{100+i+(i%12==11)*30}')" \
    >"$T/m24.csv"
B=(--date month --value value --models snaive,naive)

# a model given twice was evaluated and listed twice
expect_exit 2 "--models: model 'naive' given twice in 'naive,snaive,naive'" -- \
    "$H" backtest "$T/m24.csv" --date month --value value --models naive,snaive,naive

# no nan or inf as a word (nor NaN, Infinity) in a file
clean() { ! grep -Eiwq 'nan|-?inf|infinity' "$1"; }
# strict JSON: NaN / Infinity are refused too
json_ok() {
    python3 -c '
import json, sys
def bad(c): raise ValueError("non-finite number " + c)
json.load(open(sys.argv[1]), parse_constant=bad)' "$1"
}

# ---- horizon 12: the single pair has no snaive intervals ----
"$H" backtest "$T/m24.csv" "${B[@]}" --horizon 12 >"$T/t.txt" 2>"$T/t.err"
check "h12 text: exit 0" test $? -eq 0
check "h12 text: no nan" clean "$T/t.txt"
check "h12 text: snaive's coverage, MSIS and SPL are '-'" \
    awk '$1 == "snaive" && $5 == "-" && $6 == "-" && $7 == "-" && $8 == "-" \
         {ok = 1} END {exit !ok}' "$T/t.txt"
check "h12 text: snaive's sMAPE is still scored" \
    grep -Eq '^snaive +10\.598 ' "$T/t.txt"
check "h12 text: naive's coverage a number" \
    grep -Eq '^naive +17\.765 +6\.1707 +1\.000 +0\.667 +0\.833 ' "$T/t.txt"
check "h12: the notice on stderr" grep -qF \
    "snaive has no intervals at 1 of the 1 (series, origin) pairs in the table: they count in its sMAPE, MASE and OWA, not in its coverage, MSIS and SPL (empty: no pair has them; --per-series status 'no-intervals'); first: series 'total', cutoff 2022-12" \
    "$T/t.err"
check "h12: no notice for naive" \
    test "$(grep -c 'has no intervals' "$T/t.err")" -eq 1

"$H" backtest "$T/m24.csv" "${B[@]}" --horizon 12 --json >"$T/j.json" \
    2>/dev/null
check "h12 json: exit 0" test $? -eq 0
check "h12 json: valid" json_ok "$T/j.json"
check "h12 json: no nan" clean "$T/j.json"
check "h12 json: snaive's interval measures null, with_intervals 0" \
    python3 -c '
import json, sys
m = {r["model"]: r for r in json.load(open(sys.argv[1]))["models"]}
s, n = m["snaive"], m["naive"]
assert s["coverage"] == {"80": None, "95": None}, s
assert s["msis"] is None and s["spl"] is None and s["with_intervals"] == 0, s
assert abs(s["smape"] - 10.5982) < 1e-4, s
assert n["with_intervals"] == 1 and abs(n["coverage"]["80"] - 2 / 3) < 1e-5, n
assert isinstance(n["msis"], float) and isinstance(n["spl"], float), n' \
    "$T/j.json"

"$H" backtest "$T/m24.csv" "${B[@]}" --horizon 12 -o "$T/o.csv" \
    --per-series "$T/ps.csv" --report "$T/r.html" 2>/dev/null
check "h12 csv: exit 0" test $? -eq 0
check "h12 csv: no nan" clean "$T/o.csv"
check "h12 csv: snaive's coverage, msis, spl empty" \
    awk -F, '$1 == "snaive" && $5 == "" && $6 == "" && $7 == "" && \
             $8 == "" && $9 == 1 {ok = 1} END {exit !ok}' "$T/o.csv"
check "h12 per-series: no nan" clean "$T/ps.csv"
check "h12 per-series: snaive 'no-intervals', its interval columns empty" \
    awk -F, '$3 == "snaive" && $6 != "" && $7 != "" && $8 == "" && \
             $9 == "" && $10 == "" && $11 == "" && $NF == "no-intervals" \
             {ok = 1} END {exit !ok}' "$T/ps.csv"
check "h12 per-series: naive 'ok'" \
    awk -F, '$3 == "naive" && $8 != "" && $NF == "ok" {ok = 1}
             END {exit !ok}' "$T/ps.csv"
check "h12 report: no nan" clean "$T/r.html"
check "h12 report: says which model has no intervals" grep -qF \
    "over the pairs whose forecast has intervals: snaive 0 of 1" "$T/r.html"
check "h12 report: the summary says snaive has none" \
    grep -qF "Model snaive gave no intervals, so its coverage is unknown" "$T/r.html"
check "h12 report: no 0% coverage said for snaive" \
    test "$(grep -c 'intervals of snaive covered' "$T/r.html")" -eq 0

# ---- horizon 3 at 10 origins: snaive has intervals at 9 of the 10
# pairs (trained on 13..21 months) and covers every value there: its
# coverage is 1 (it was 0.9, the pair without intervals counted as 0),
# its MSIS the 9 pairs' (it was nan) ----
"$H" backtest "$T/m24.csv" "${B[@]}" --horizon 3 --origins 10 --json \
    --per-series "$T/ps10.csv" >"$T/j10.json" 2>"$T/j10.err"
check "o10 json: exit 0" test $? -eq 0
check "o10 json: valid" json_ok "$T/j10.json"
check "o10 per-series: no nan" clean "$T/ps10.csv"
check "o10 per-series: 1 pair without intervals, 9 scored in full" \
    test "$(awk -F, '$3 == "snaive" {print $NF}' "$T/ps10.csv" |
        sort | uniq -c | tr -s ' ' | tr '\n' '/')" = " 1 no-intervals/ 9 ok/"
check "o10 json: snaive's coverage over the 9 pairs with intervals" \
    python3 -c '
import csv, json, sys
m = {r["model"]: r for r in json.load(open(sys.argv[1]))["models"]}
s = m["snaive"]
assert s["with_intervals"] == 9 and m["naive"]["with_intervals"] == 10, s
assert s["coverage"] == {"80": 1, "95": 1}, s
rows = [r for r in csv.DictReader(open(sys.argv[2]))
        if r["model"] == "snaive" and r["status"] == "ok"]
msis = sum(float(r["msis"]) for r in rows) / len(rows)
spl = sum(float(r["spl"]) for r in rows) / len(rows)
assert abs(s["msis"] - msis) < 1e-5 * msis, (s["msis"], msis)
assert abs(s["spl"] - spl) < 1e-5 * spl, (s["spl"], spl)
allrows = [r for r in csv.DictReader(open(sys.argv[2]))
           if r["model"] == "snaive"]
smape = sum(float(r["smape"]) for r in allrows) / len(allrows)
assert len(allrows) == 10 and abs(s["smape"] - smape) < 1e-5 * smape' \
    "$T/j10.json" "$T/ps10.csv"
check "o10: the notice counts 1 of 10" grep -qF \
    "snaive has no intervals at 1 of the 10 (series, origin) pairs in the table: they count in its sMAPE, MASE and OWA, not in its coverage, MSIS and SPL (taken over the other 9;" \
    "$T/j10.err"
"$H" backtest "$T/m24.csv" "${B[@]}" --horizon 3 --origins 10 >"$T/t10.txt" \
    2>/dev/null
check "o10 text: snaive covers 1.000 at both levels" \
    grep -Eq '^snaive +[0-9.]+ +[0-9.]+ +[0-9.]+ +1\.000 +1\.000 +3\.920 ' \
    "$T/t10.txt"

# a forecast without intervals is not a fallback (its note, 'no
# intervals: ...', was counted as one), as `horizon forecast` counts it
check "h12 text: snaive has no fallback" \
    awk '$1 == "snaive" && $9 == 0 {ok = 1} END {exit !ok}' "$T/t.txt"
check "h12 json: snaive has no fallback" python3 -c '
import json, sys
m = {r["model"]: r for r in json.load(open(sys.argv[1]))["models"]}
assert m["snaive"]["fallbacks"] == 0, m["snaive"]' "$T/j.json"
check "h12 per-series: snaive's fallback 'no'" \
    awk -F, '$3 == "snaive" && $(NF - 1) == "no" {ok = 1}
             END {exit !ok}' "$T/ps.csv"

finish
