#!/usr/bin/env bash
# HTML reports as a reader sees them: each report is rendered in headless
# Chromium (Debian's chromium through the pinned playwright-core; no
# browser download), light and dark, to PNG by tests/peers/render_report.js,
# which fails on a console error, an external request, a chart whose data
# series leave its box blank, a chart that draws fewer or more series than
# it declares, and on the wrong number of charts of each kind.
# Reports: a forecast of 5 series, of one series (with its fitted
# values), of three years of days (a window and the whole), with a
# 300-character series name, a backtest,
# the suite with a holdout (and its cumulative tracking), a labelled
# churn model, a survival analysis (Kaplan-Meier),
# and a job's stored report with
# an LLM narrative (the OpenAI-compatible mock) spliced in; a sortable
# table clicked and used from the keyboard alone (date-named series sort
# by the whole date; its headers are buttons with aria-sort, as a screen
# reader sees them in Chromium's accessibility tree).  Two damaged
# pages check that the checks catch what they claim to.
# Skips (77) when node, Chromium or the npm peers are missing.
set -uo pipefail
: "${HORIZON:?}" "${HZ_TEST_TMP:?}" "${HZ_DATA_DIR:?}" "${HZ_SRC:?}"
CHROMIUM=${HZ_CHROMIUM:-/usr/bin/chromium}
if ! command -v node >/dev/null 2>&1; then
    echo "SKIP: node is not installed"
    exit 77
fi
if [[ ! -x "$CHROMIUM" ]]; then
    echo "SKIP: no Chromium at $CHROMIUM (scripts/install-deps.sh installs it)"
    exit 77
fi
bash "$HZ_SRC/scripts/test-peers.sh" >&2
PEERS="$HZ_SRC/tests/peers"
if [[ ! -d "$PEERS/node_modules/playwright-core" ]]; then
    echo "SKIP: playwright-core is not installed (scripts/test-peers.sh)"
    exit 77
fi
source "$(dirname "$0")/lib.sh"
OUT="$HZ_TEST_TMP/report_browser" # the screenshots stay for a look
rm -rf "$OUT" && mkdir -p "$OUT"
SALES="$HZ_DATA_DIR/sample_sales.csv"
CUST="$HZ_DATA_DIR/sample_customers.csv"
FC=(--date order_date --value revenue --freq month)

# render NAME [render_report.js options]: renders $T/NAME.html
render() {
    local name=$1
    shift
    if node "$PEERS/render_report.js" "$T/$name.html" "$OUT/$name.png" "$@" \
        > "$T/$name.json" 2> "$T/$name.err"; then
        passes=$((passes + 1))
        echo "ok $name: $(cat "$T/$name.json")"
    else
        fails=$((fails + 1))
        echo "FAIL: $name: $(cat "$T/$name.err")"
    fi
}

"$HORIZON" forecast "$SALES" "${FC[@]}" --by region -o /dev/null --quiet \
    --report "$T/forecast.html"
render forecast --charts 7 --expect total=1,bars=1,fan=5 --series fan=4,total=2 \
    --paper 718
"$HORIZON" forecast "$SALES" "${FC[@]}" -o /dev/null --quiet \
    --report "$T/forecast1.html"
# with the fitted values; printed on A4 (718 px wide), not cut off: its
# table of every series was 1,700 px wide, more than Chromium shrinks
render forecast1 --charts 1 --expect fan=1 --series fan=5 --paper 718
# three years of days: the fan chart draws the last 84, a second chart all
"$HORIZON" forecast "$SALES" --date order_date --value revenue --freq day \
    --horizon 14 -o /dev/null --quiet --report "$T/daily.html" 2> /dev/null
render daily --charts 2 --expect fan=1,history=1 --series fan=5,history=2 \
    --paper 718
# a 300-character name without a space wraps (the page is no wider than
# the window; it was 3,560 px wide in 1,200)
{
    echo "g,d,v"
    long=$(printf 'A%.0s' $(seq 300))
    for m in $(seq 1 24); do
        printf '%s,%d-%02d-01,%d\n' "$long" $((2022 + (m - 1) / 12)) \
            $(((m - 1) % 12 + 1)) $((100 + m % 7))
        printf 'short,%d-%02d-01,%d\n' $((2022 + (m - 1) / 12)) \
            $(((m - 1) % 12 + 1)) $((50 + m % 5))
    done
} > "$T/longname.csv"
"$HORIZON" forecast "$T/longname.csv" --date d --value v --by g --freq month \
    --horizon 3 -o /dev/null --quiet --report "$T/longname.html"
render longname --charts 2 --expect fan=2 --paper 718
"$HORIZON" backtest "$SALES" "${FC[@]}" --by category --horizon 6 \
    --origins 2 --report "$T/backtest.html" > /dev/null
render backtest --charts 4 --expect bars=2,ecdf=1,coverage=1 \
    --series ecdf=5,coverage=2 --paper 718
"$HORIZON" analyze suite "$SALES" --calibration-end 2024-06-30 -o /dev/null \
    --report "$T/suite.html" > /dev/null
render suite --charts 7 \
    --expect calibration=1,heatmap=1,histogram=2,segments=1,scatter=1,tracking=1 \
    --series calibration=2,segments=2,heatmap=1,histogram=1,tracking=3 \
    --paper 718
"$HORIZON" analyze churn "$CUST" --label churned --customer customer_id \
    -o /dev/null --report "$T/churn.html" > /dev/null
render churn --charts 3 --expect drivers=1,roc=1,histogram=1 --series roc=1
"$HORIZON" analyze survival "$CUST" --duration tenure_months --event churned \
    --covariates support_tickets,monthly_fee -o /dev/null \
    --report "$T/survival.html" > /dev/null
render survival --charts 1 --expect survival=1 --series survival=2

# ---- names in other scripts: Chinese, Japanese, Korean, Hebrew and
# Arabic series names are drawn with glyphs, not the boxes of a missing
# font (a canvas in the heading's font draws each name's characters and a
# character no font has; the same pixels are a box), and a right-to-left
# name keeps the page no wider than its window
{
    echo "g,d,v"
    for g in 東京店 大阪の店 서울 'חנות תל אביב' 'متجر دبي'; do
        for m in $(seq 1 24); do
            printf '%s,%d-%02d-01,%d\n' "$g" $((2022 + (m - 1) / 12)) \
                $(((m - 1) % 12 + 1)) $((100 + m % 7))
        done
    done
} > "$T/scripts.csv"
"$HORIZON" forecast "$T/scripts.csv" --date d --value v --by g --freq month \
    --horizon 3 --model naive -o /dev/null --quiet --report "$T/scripts.html"
render scripts --charts 7 --expect total=1,bars=1,fan=5 --paper 718
cat > "$T/glyphs.js" <<'JS'
const { chromium } = require(process.argv[2] + '/node_modules/playwright-core');
(async () => {
    const b = await chromium.launch({ executablePath: process.argv[3],
        args: ['--no-sandbox', '--disable-gpu'] });
    const page = await (await b.newContext()).newPage();
    await page.goto('file://' + process.argv[4]);
    const boxes = await page.evaluate((names) => {
        const font = getComputedStyle(document.querySelector('h3')).font;
        const draw = (ch) => {
            const c = document.createElement('canvas');
            c.width = c.height = 40;
            const g = c.getContext('2d');
            g.font = font.replace(/^.*?(\d+(\.\d+)?)px/, '28px');
            g.fillText(ch, 4, 30);
            return Array.from(g.getImageData(0, 0, 40, 40).data).join();
        };
        const missing = draw('\u0378'); // unassigned: no font has it
        const out = [];
        for (const n of names)
            for (const ch of n.replace(/ /g, ''))
                if (draw(ch) === missing) out.push(n + ': ' + ch);
        return out;
    }, process.argv.slice(5));
    await b.close();
    console.log(JSON.stringify(boxes));
})();
JS
node "$T/glyphs.js" "$PEERS" "$CHROMIUM" "$T/scripts.html" 東京店 大阪の店 \
    서울 'חנות תל אביב' 'متجر دبي' > "$T/glyphs.json" 2>&1
check "names in Chinese, Japanese, Korean, Hebrew, Arabic drawn, not boxes ($(cat "$T/glyphs.json"); scripts/install-deps.sh installs fonts-wqy-microhei)" \
    test "$(cat "$T/glyphs.json")" = "[]"

# ---- printed: the titles of the small multiples (cut with an ellipsis
# on screen, where the chart's tooltip has the whole) are whole on paper
cat > "$T/print.js" <<'JS'
const { chromium } = require(process.argv[2] + '/node_modules/playwright-core');
(async () => {
    const b = await chromium.launch({ executablePath: process.argv[3],
        args: ['--no-sandbox', '--disable-gpu'] });
    const page = await (await b.newContext()).newPage();
    await page.goto('file://' + process.argv[4]);
    const cut = () => page.$$eval('.multiples h3', (hs) => hs.filter(
        (h) => h.scrollWidth > h.clientWidth + 1).map((h) => h.textContent));
    const screen = await cut();
    await page.emulateMedia({ media: 'print' });
    const paper = await cut();
    await b.close();
    console.log(JSON.stringify({ screen, paper }));
})();
JS
node "$T/print.js" "$PEERS" "$CHROMIUM" "$T/forecast.html" > "$T/print.json" 2>&1
check "printed: the small multiples' titles are whole ($(cat "$T/print.json"))" \
    /usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["screen"], "no title is cut on screen: the check checks nothing"
assert d["paper"] == [], d' "$T/print.json"

# ---- sorting a table: series named by dates sort by the whole date,
# whatever order another column's sort left the rows in
{
    echo "cohort,day,v"
    i=0
    for c in 2024-03-10 2024-01-20 2024-02-05 2023-12-01 2024-01-05; do
        i=$((i + 1))
        for m in $(seq 1 12); do
            printf '%s,2023-%02d-01,%d\n' "$c" "$m" $((i * 37 % 11 * 10 + m))
        done
    done
} > "$T/cohorts.csv"
"$HORIZON" forecast "$T/cohorts.csv" --date day --value v --by cohort \
    --horizon 2 --model naive -o /dev/null --quiet --report "$T/cohorts.html"
cat > "$T/sort.js" <<'JS'
const { chromium } = require(process.argv[2] + '/node_modules/playwright-core');
(async () => {
    const b = await chromium.launch({ executablePath: process.argv[3],
        args: ['--no-sandbox', '--disable-gpu'] });
    const page = await (await b.newContext()).newPage();
    await page.goto('file://' + process.argv[4]);
    const th = (name) => page.locator('table.sortable th', { hasText: name }).first();
    const names = () => page.$$eval('table.sortable tbody tr',
        (rows) => rows.map((r) => r.cells[0].textContent));
    await th('forecast total').click();
    await th('series').click(); // descending
    const desc = await names();
    await th('series').click(); // ascending
    const asc = await names();
    // from the keyboard alone: Tab from the top of the page to the
    // header, then Enter and Space sort as a click does
    const focused = () => page.evaluate(() => {
        const e = document.activeElement;
        return e ? e.tagName + ':' + e.textContent.trim() : '';
    });
    let tabs = 0;
    while (tabs < 400 && (await focused()) !== 'BUTTON:series') {
        await page.keyboard.press('Tab');
        tabs++;
    }
    const reached = (await focused()) === 'BUTTON:series';
    await page.keyboard.press('Space'); // descending
    const kdesc = await names();
    await page.keyboard.press('Enter'); // ascending
    const kasc = await names();
    await page.keyboard.press('Space'); // descending again
    const scrolled = await page.evaluate(() => window.scrollY);
    // what a screen reader gets: Chromium's accessibility tree
    const cdp = await page.context().newCDPSession(page);
    const { nodes } = await cdp.send('Accessibility.getFullAXTree');
    const val = (x) => (x && x.value !== undefined ? String(x.value) : '');
    const ax = nodes.filter((n) => !n.ignored).map((n) => ({
        role: val(n.role), name: val(n.name) }));
    const buttons = ax.filter((n) => n.role === 'button').map((n) => n.name);
    const headings = ax.filter((n) => n.role === 'heading').map((n) => n.name);
    // the order, which the tree does not carry: aria-sort of each column
    // header (Playwright's role query)
    const heads = [];
    for (const h of await page.getByRole('columnheader').all())
        heads.push({ name: (await h.textContent()).trim(),
            sort: (await h.getAttribute('aria-sort')) || '' });
    await b.close();
    console.log(JSON.stringify({ desc, asc, kdesc, kasc, reached, tabs,
        scrolled, heads, buttons, headings }));
})();
JS
node "$T/sort.js" "$PEERS" "$CHROMIUM" "$T/cohorts.html" > "$T/sort.json" 2>&1
check "sorting by series name: whole dates ($(cat "$T/sort.json"))" \
    /usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
want = sorted(d["asc"])
assert len(want) == 5 and d["asc"] == want and d["desc"] == want[::-1], d
assert d["kdesc"] == want[::-1] and d["kasc"] == want, d' \
    "$T/sort.json"
# the WAI-ARIA sortable table: each header of a sortable table is a
# button named by the column alone (the order arrow is not read out),
# reached with Tab; the sorted column says its order with aria-sort
check "sortable headers are buttons, the sorted one says its order" \
    /usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["reached"], "Tab never reached the series header: %r" % d
names = [h["name"] for h in d["heads"]]
assert "series" in names and "forecast total" in names, d["heads"]
for col in ("series", "forecast total", "change", "model"):
    assert d["buttons"].count(col) == 1, (col, d["buttons"])
sorted_ = [h for h in d["heads"] if h["sort"] not in ("", "none")]
assert [(h["name"], h["sort"]) for h in sorted_] == [("series", "descending")], d["heads"]' \
    "$T/sort.json"

# heading navigation reaches the narrative and the key figures (their
# headings had the hidden attribute, which takes them out of the tree)
check "the narrative and the key figures have headings a screen reader finds" \
    /usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert "Narrative" in d["headings"] and "Key figures" in d["headings"], d["headings"]' \
    "$T/sort.json"

# ---- a job's report, with an LLM narrative spliced in ----
MOCK_JS="$PEERS/node_modules/@dwmkerr/mock-llm/dist/main.js"
export HORIZON_STORE="sqlite:$T/jobs.db" TMPDIR="$T" \
    HZ_DATASET_ROOTS="$HZ_DATA_DIR:$T"
unset OPENAI_API_KEY AZURE_OPENAI_ENDPOINT AZURE_OPENAI_API_KEY \
      HZ_LLM_CONFIG HZ_TIKTOKEN_FILE || true
"$HORIZON" submit --quiet --tenant acme --type suite --dataset "$SALES" --id s1
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
HOST=127.0.0.1 PORT=$port node "$MOCK_JS" --config "$PEERS/mock_llm.yaml" \
    > "$T/mock.log" 2>&1 &
MOCK=$!
trap 'kill $MOCK 2>/dev/null || true; rm -rf "$T"' EXIT
for _ in $(seq 100); do
    (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
done
OPENAI_BASE_URL="http://127.0.0.1:$port/v1" OPENAI_API_KEY=sk-test-report \
    "$HORIZON" run --once --timeout 120 > /dev/null 2> "$T/run.err"
# the CLI's report asks the LLM only with --report-llm
OPENAI_BASE_URL="http://127.0.0.1:$port/v1" OPENAI_API_KEY=sk-test-report \
    "$HORIZON" forecast "$SALES" "${FC[@]}" -o /dev/null --quiet \
    --report "$T/cli_llm.html" --report-llm
OPENAI_BASE_URL="http://127.0.0.1:$port/v1" OPENAI_API_KEY=sk-test-report \
    "$HORIZON" forecast "$SALES" "${FC[@]}" -o /dev/null --quiet \
    --report "$T/cli_tmpl.html"
kill $MOCK 2>/dev/null || true
check "--report-llm: the LLM's narrative with its token counts" \
    grep -Eq 'prompt [0-9]+ tokens; completion 7 tokens' "$T/cli_llm.html"
check "--report-llm: no API key in the report" \
    bash -c "! grep -q 'sk-test-report' '$T/cli_llm.html'"
check "without --report-llm: the template, even with an endpoint set" \
    grep -q 'Narrative by the offline template (no LLM)' "$T/cli_tmpl.html"
"$HORIZON" jobs report s1 -o "$T/job.html"
check "job report has the narrative" grep -q 'class="narrative"' "$T/job.html"
check "narrative with its token counts" \
    grep -Eq 'prompt [0-9]+ tokens; completion 7 tokens' "$T/job.html"
check "no narrative slot left" bash -c "! grep -q 'hz:narrative' '$T/job.html'"
check "no API key in the report" bash -c "! grep -q 'sk-test-report' '$T/job.html'"
render job --charts 5 --expect heatmap=1,histogram=2,segments=1,scatter=1

# ---- the checks catch damage ----
/usr/bin/python3 - "$T/forecast.html" "$T/blank.html" "$T/miscount.html" <<'PY'
import re, sys
page = open(sys.argv[1], encoding="utf-8").read()
first = page.index("<svg ")
end = page.index("</svg>", first)
svg = page[first:end]
# the first chart's data drawn nowhere: empty paths, no dots
blank = re.sub(r' d="[^"]*"', ' d="M0 0"', svg)
blank = re.sub(r"<circle [^>]*>.*?</circle>", "", blank)
open(sys.argv[2], "w", encoding="utf-8").write(page[:first] + blank + page[end:])
# a chart that says it draws one series more than it does
miscount = re.sub(r'data-series="(\d+)"',
                  lambda m: 'data-series="%d"' % (int(m.group(1)) + 1), svg, 1)
open(sys.argv[3], "w", encoding="utf-8").write(page[:first] + miscount + page[end:])
PY
for bad in blank miscount; do
    if node "$PEERS/render_report.js" "$T/$bad.html" "$OUT/$bad.png" \
        > /dev/null 2> "$T/$bad.err"; then
        fails=$((fails + 1))
        echo "FAIL: the damaged page '$bad' passed the browser checks"
    else
        check "damaged page '$bad' is caught" \
            grep -Eq 'left the box blank|declared' "$T/$bad.err"
    fi
done
echo "screenshots: $OUT"
finish
