#!/usr/bin/env bash
# The top of a report says the same thing twice, in the narrative and in
# the key figures: the same counts and numbers in one style.  The key
# figures counted the 11 RFM segment names, empty ones too ("11 segments"
# beside the narrative's "8 segments"), and wrote a CLV's mean and total
# in two styles ("mean 14.2T, total 4.25e+15").
source "$(dirname "$0")/lib.sh"

python3 - "$T/cust.csv" <<'PY'
import datetime, random, sys
random.seed(5)
with open(sys.argv[1], "w") as f:
    f.write("customer,date,amount\n")
    for c in range(300):
        d = datetime.date(2023, 1, 1) + datetime.timedelta(days=random.randint(0, 200))
        for k in range(random.randint(1, 8)):
            f.write("C%d,%s,%.2f\n" % (c, d.isoformat(), random.lognormvariate(3, 1) * 1e12))
            d += datetime.timedelta(days=random.randint(5, 60))
PY
"$HORIZON" analyze suite "$T/cust.csv" -o /dev/null --report "$T/r.html" \
    > "$T/out.txt" 2>&1
check "analyze suite --report: exit 0" test $? -eq 0
nseg=$(grep -c 'revenue share' "$T/out.txt")
python3 - "$T/r.html" > "$T/top.txt" <<'PY'
import html, re, sys
s = open(sys.argv[1], encoding="utf-8").read()
n = re.search(r'<section class="narrative".*?<p>(.*?)</p>', s, re.S)
print("N:", html.unescape(n.group(1)) if n else "")
k = re.search(r'id="key-figures".*?</ul>', s, re.S)
for li in re.findall(r"<li>(.*?)</li>", k.group(0) if k else ""):
    print("K:", html.unescape(li))
PY
check "narrative: $nseg segments (the non-empty ones)" \
    grep -q "^N:.* $nseg segments over 300 customers" "$T/top.txt"
check "key figures: $nseg segments, as the narrative ($(grep -o '[0-9]* segments' "$T/top.txt" | tr '\n' ' '))" \
    grep -q "^K: $nseg segments over 300 customers" "$T/top.txt"
check "key figures: CLV mean and total in one style ($(grep '^K: mean' "$T/top.txt"))" \
    grep -qE '^K: mean 12-month CLV [0-9.]+e\+[0-9]+, total [0-9.]+e\+[0-9]+ ' "$T/top.txt"
check "narrative: CLV total and mean in one style" \
    grep -qE '^N:.*CLV: total [0-9.]+e\+[0-9]+, mean [0-9.]+e\+[0-9]+ ' "$T/top.txt"

# a backtest's page: its narrative says it "was written from the summary
# figures below", which the page did not have
tiny_monthly_csv "$T/tiny.csv"
"$HORIZON" backtest "$T/tiny.csv" --date date --value value --horizon 3 \
    --report "$T/bt.html" > /dev/null 2>&1
rc=$?
check "backtest --report: exit 0" test $rc -eq 0
check "backtest: the narrative points at the figures below" \
    grep -q 'written from the summary figures below' "$T/bt.html"
check "backtest: key figures below it" python3 -c '
import re, sys
s = open(sys.argv[1], encoding="utf-8").read()
n, k = s.find("id=\"narrative\""), s.find("id=\"key-figures\"")
sys.exit(not (0 <= n < k and re.search(r"most accurate by OWA", s[k:])))' "$T/bt.html"
# models that scored alike are named together: naive and naive2 on data
# without seasons (until 2026-12-07 naive2 was "most accurate" and naive,
# with the same scores, listed below it as another model)
{ echo "date,value"; for i in $(seq 0 23); do
    printf '%04d-%02d-01,%d\n' $((2022 + i / 12)) $((i % 12 + 1)) $(( (i * 37) % 11 + 50 )); done; } > "$T/flat.csv"
"$HORIZON" backtest "$T/flat.csv" --date date --value value --horizon 3 \
    --models naive2,naive,theta --report "$T/bt2.html" > "$T/bt2.txt" 2>&1
check "backtest: naive and naive2 scored alike ($(grep -E '^naive' "$T/bt2.txt" | tr -s ' ' | tr '\n' '|'))" \
    test "$(grep -E '^naive2? ' "$T/bt2.txt" | awk '{print $2, $3, $4}' | sort -u | wc -l)" -eq 1
check "backtest: the tie said ($(grep -o 'most accurate by OWA[^<]*' "$T/bt2.html" | head -1))" \
    grep -q 'most accurate by OWA: naive2, tied with naive (' "$T/bt2.html"
check "backtest: the tied one not listed as another model" bash -c "! grep -q 'model naive: OWA' '$T/bt2.html'"
finish
