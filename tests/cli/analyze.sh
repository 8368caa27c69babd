#!/usr/bin/env bash
# horizon analyze: help at each level, exit codes, errors that name the
# column, CSV/JSON outputs, the CDNOW reference fit when the data is there.
set -u
H="${HORIZON:?}"
T="${HZ_TEST_TMP:-/tmp}/cli_analyze"
mkdir -p "$T"
fail() { echo "FAIL: $*"; exit 1; }

"$H" analyze --help | grep -q "clv|churn|segment|suite" || fail "top help"
for k in clv churn segment suite; do
    "$H" analyze $k --help | grep -q -- "--customer COL" || fail "$k help"
done
"$H" analyze >/dev/null 2>&1; [ $? -eq 2 ] || fail "no args -> 2"
"$H" analyze nope x.csv 2>"$T/e"; [ $? -eq 2 ] || fail "bad kind -> 2"
grep -q "unknown analysis 'nope'" "$T/e" || fail "bad kind message"
"$H" analyze clv "$T/missing.csv" 2>"$T/e"; [ $? -eq 3 ] || fail "missing file -> 3"
"$H" analyze clv 2>/dev/null; [ $? -eq 2 ] || fail "missing FILE -> 2"
"$H" analyze clv x.csv --bogus 2>"$T/e"; [ $? -eq 2 ] || fail "bad option -> 2"
"$H" analyze clv x.csv --unit months 2>"$T/e"; [ $? -eq 2 ] || fail "bad unit"
grep -q -- "--unit" "$T/e" || fail "bad unit message"

printf 'customer_id,order_date,revenue\na,2024-01-01,5\nb,2024-01-02,-7\n' >"$T/neg.csv"
"$H" analyze segment "$T/neg.csv" 2>"$T/e"; [ $? -eq 1 ] || fail "negative -> 1"
grep -q "column 'revenue'" "$T/e" || fail "negative message: $(cat "$T/e")"
"$H" analyze clv "$T/neg.csv" --amount price 2>"$T/e"; [ $? -eq 2 ] || fail "missing column -> 2"
grep -q "'price'" "$T/e" || fail "missing column message: $(cat "$T/e")"

S="$HZ_DATA_DIR/sample_sales.csv"
"$H" analyze suite "$S" -o "$T/suite.csv" >"$T/summary.txt" || fail "suite"
head -1 "$T/suite.csv" | grep -q "customer_id,first_purchase" || fail "suite header"
grep -q "rfm_segment,cluster" "$T/suite.csv" || fail "suite columns"
grep -q "BG/NBD: r = " "$T/summary.txt" || fail "suite summary"
n=$(($(wc -l <"$T/suite.csv") - 1))
[ "$n" -gt 100 ] || fail "suite rows $n"
"$H" analyze segment "$S" --k 4 --json --summary-only >"$T/seg.json" || fail "segment json"
grep -q '"k": 4' "$T/seg.json" || fail "k = 4"
python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$T/seg.json" || fail "json parses"
"$H" analyze suite "$S" --json --threads 1 >"$T/j1.json" || fail "json t1"
"$H" analyze suite "$S" --json --threads 2 >"$T/j2.json" || fail "json t2"
# same numbers for any thread count (timing line aside)
diff <(sed 's/"seconds[a-z_]*": [0-9.e-]*//g' "$T/j1.json") \
     <(sed 's/"seconds[a-z_]*": [0-9.e-]*//g' "$T/j2.json") >/dev/null || fail "thread count changes results"

C="${HZ_SHARED_DATA:-}/cdnow/cdnowElog.csv"
if [ -f "$C" ]; then
    "$H" analyze clv "$C" --customer sampleid --date date --amount sales \
        --unit weeks --calibration-end 1997-09-30 --summary-only >"$T/cd.txt" || fail "cdnow"
    grep -q "r = 0.2426 .*alpha = 4.4136 .*a = 0.7929 .*b = 2.4259 .*LL = -9582.43" "$T/cd.txt" || fail "cdnow fit: $(cat "$T/cd.txt")"
    grep -q "p = 6.2495, q = 3.7442, gamma = 15.4437" "$T/cd.txt" || fail "cdnow gg: $(cat "$T/cd.txt")"
fi
exit 0
