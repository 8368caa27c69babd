#!/usr/bin/env bash
# The report's tables as a screen reader meets them: each has an
# accessible name (aria-labelledby: the heading above it and its
# "Numbers behind the chart" summary, ids that exist on the page), its
# columns' headers (th scope=col) and each row's header (the first cell,
# th scope=row); a table listed by a screen reader read "table, 25
# columns" with nothing to tell the P(alive) grid from the segments.
# Each page parses as HTML (xmllint --html) with unique ids.
source "$(dirname "$0")/lib.sh"
command -v xmllint > /dev/null || { echo "skip: no xmllint"; exit 77; }
SALES="$HZ_SRC/data/sample_sales.csv"
CUST="$HZ_SRC/data/sample_customers.csv"
unset OPENAI_API_KEY OPENAI_BASE_URL AZURE_OPENAI_ENDPOINT HZ_LLM_CONFIG || true

"$HORIZON" forecast "$SALES" --date order_date --value revenue --freq month \
    --by region -o /dev/null --quiet --report "$T/forecast.html"
"$HORIZON" backtest "$SALES" --date order_date --value revenue --freq month \
    --by category --horizon 6 --origins 2 --report "$T/backtest.html" \
    > /dev/null
"$HORIZON" analyze suite "$SALES" --calibration-end 2024-06-30 -o /dev/null \
    --report "$T/suite.html" > /dev/null
"$HORIZON" analyze survival "$CUST" --duration tenure_months --event churned \
    --covariates support_tickets,monthly_fee -o /dev/null \
    --report "$T/survival.html" > /dev/null

tables_ok() {
    # xmllint's HTML parser (HTML 4) takes HTML5 and SVG elements for
    # unknown tags; any other error (a tag left open, a bad attribute) fails
    xmllint --html --noout "$1" 2> "$T/lint"
    if grep 'parser error' "$T/lint" | grep -qv 'Tag [A-Za-z]* invalid'; then
        grep 'parser error' "$T/lint" | grep -v 'Tag [A-Za-z]* invalid' | head -3
        return 1
    fi
    python3 - "$1" <<'PY'
import sys
from html.parser import HTMLParser

class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.tables, self.stack = [], [], []
        self.in_body = self.first = False
        self.rows = self.row_heads = 0
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "table":
            self.tables.append(a.get("aria-labelledby"))
        elif tag == "tbody":
            self.in_body = True
        elif tag == "tr" and self.in_body:
            self.rows += 1
            self.first = True
        elif tag in ("td", "th") and self.in_body:
            if self.first and tag == "th" and a.get("scope") == "row":
                self.row_heads += 1
            self.first = False
    def handle_endtag(self, tag):
        if tag == "tbody":
            self.in_body = False

p = P()
p.feed(open(sys.argv[1], encoding="utf-8").read())
bad = []
if not p.tables:
    bad.append("no table")
dups = {i for i in p.ids if p.ids.count(i) > 1}
if dups:
    bad.append("ids twice: %s" % sorted(dups)[:5])
for i, names in enumerate(p.tables):
    if not names:
        bad.append("table %d: no accessible name" % i)
    elif any(n not in p.ids for n in names.split()):
        bad.append("table %d: aria-labelledby %r names no element" % (i, names))
if p.rows != p.row_heads:
    bad.append("%d of %d rows without a row header" % (p.rows - p.row_heads, p.rows))
print("; ".join(bad))
sys.exit(bool(bad))
PY
}
for r in forecast backtest suite survival; do
    check "$r: tables named, rows headed ($(tables_ok "$T/$r.html" | tail -3))" \
        tables_ok "$T/$r.html"
done
# the P(alive) grid: named by its figure's heading and summary
check "suite: the P(alive) table's name" python3 -c 'import re,sys
s = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r"<table aria-labelledby=\"(fig-\d+-h) (tbl-\d+-s)\"><thead><tr><th scope=\"col\">repeat purchases . recency", s)
sys.exit(not (m and re.search("id=\"%s\">Probability of being alive<" % m.group(1), s)))' "$T/suite.html"
finish
