#!/usr/bin/env bash
# HTML reports from the command line and from jobs (no browser here; see
# report_browser.sh):
#  - --report on forecast, backtest and analyze writes one self-contained
#    page with the expected charts; every inline SVG is well-formed XML
#    (xmllint); no external reference (src/href to a URL);
#  - the same inputs give the same bytes, whatever --threads; the data
#    output is the same with and without --report; `horizon report CMD`
#    writes the same page as CMD --report;
#  - errors: an unwritable report path fails (exit 1) and leaves no file;
#    `horizon report` without -o is a usage error (2); `horizon report
#    CMD --help` prints the help (0);
#  - every job stores its report: `horizon jobs report ID -o FILE` gives
#    the page; a failed job, an unknown job (3) and another tenant's job
#    are refused;
#  - every report carries a narrative with its token counts: the jobs'
#    offline template unless --report-llm (which without an endpoint is a
#    usage error and writes nothing); a job's template narrative and the
#    CLI's agree;
#  - a forecast report draws the fitted values and names the model's
#    diagnostics; a backtest shows MSIS and SPL per model; a holdout
#    analysis tracks cumulative purchases; a survival analysis draws the
#    Kaplan-Meier curve with the Cox model's table.
set -uo pipefail
: "${HORIZON:?}" "${HZ_TEST_TMP:?}" "${HZ_DATA_DIR:?}"
source "$(dirname "$0")/lib.sh"
SALES="$HZ_DATA_DIR/sample_sales.csv"
CUST="$HZ_DATA_DIR/sample_customers.csv"
FC=(--date order_date --value revenue --freq month)

charts() { grep -o "data-kind=\"$2\"" "$1" | wc -l; }

# narrated FILE: the template narrative with its prompt and text tokens
narrated() {
    grep -q '<section class="narrative"' "$1" &&
        grep -Eq 'Narrative by the offline template \(no LLM\); prompt [1-9][0-9]* tokens; text [1-9][0-9]* tokens' "$1" &&
        ! grep -q 'hz:narrative' "$1"
}
unset OPENAI_API_KEY OPENAI_BASE_URL AZURE_OPENAI_ENDPOINT AZURE_OPENAI_API_KEY \
    HZ_LLM_CONFIG HZ_TIKTOKEN_FILE || true

# svgs_ok FILE: every <svg>...</svg> of the page parses as XML
svgs_ok() {
    command -v xmllint >/dev/null || { echo "no xmllint (libxml2-utils)"; return 1; }
    local dir="$T/svg.$(basename "$1")"
    mkdir -p "$dir"
    /usr/bin/python3 - "$1" "$dir" <<'PY' || return 1
import re, sys
page = open(sys.argv[1], encoding="utf-8").read()
svgs = re.findall(r"<svg .*?</svg>", page, re.S)
assert svgs, "no svg"
for i, s in enumerate(svgs):
    open("%s/%03d.svg" % (sys.argv[2], i), "w", encoding="utf-8").write(s)
PY
    xmllint --noout "$dir"/*.svg
}

# no_external FILE: nothing is loaded from elsewhere
no_external() {
    ! grep -Eqi '(src|href)="(https?:)?//|url\(|@import' "$1"
}

# ---- forecast ----
"$HORIZON" forecast "$SALES" "${FC[@]}" --by region -o "$T/fc.csv" \
    --report "$T/fc.html" --quiet
check "forecast --report exit 0" test -s "$T/fc.html"
check "forecast: 5 small multiples" test "$(charts "$T/fc.html" fan)" -eq 5
check "forecast: the total" test "$(charts "$T/fc.html" total)" -eq 1
check "forecast: svgs are XML" svgs_ok "$T/fc.html"
check "forecast: self-contained" no_external "$T/fc.html"
check "forecast: html5 doctype" grep -q '^<!DOCTYPE html>' "$T/fc.html"
"$HORIZON" forecast "$SALES" "${FC[@]}" --by region -o "$T/fc2.csv" \
    --report "$T/fc2.html" --quiet --threads 1
check "forecast: same bytes with --threads 1" cmp -s "$T/fc.html" "$T/fc2.html"
"$HORIZON" forecast "$SALES" "${FC[@]}" --by region -o "$T/fc3.csv" --quiet
check "forecast: data output unchanged by --report" cmp -s "$T/fc.csv" "$T/fc3.csv"
"$HORIZON" report forecast "$SALES" "${FC[@]}" --by region -o "$T/rep.html" \
    > "$T/rep.out" 2> "$T/rep.err"
check "report forecast: same page" cmp -s "$T/fc.html" "$T/rep.html"
check "report forecast: no other output" test ! -s "$T/rep.out"
"$HORIZON" forecast "$SALES" "${FC[@]}" -o /dev/null --report "$T/one.html" --quiet
check "forecast, one series: a full fan chart" test "$(charts "$T/one.html" fan)" -eq 1
check "forecast, one series: key figures" grep -q 'Key figures' "$T/one.html"
check "forecast: narrative with token counts" narrated "$T/fc.html"
# the key figures name the forecast's periods by their dates, as the CSV
# does, not by their steps ("peak month 12"): the sum of the regions'
# points peaks in 2025-12
peak=$(/usr/bin/python3 -c '
import csv, sys, collections
t = collections.defaultdict(float)
for r in csv.DictReader(open(sys.argv[1])):
    t[r["date"]] += float(r["point"])
d = max(t, key=t.get)
print("%s (%.3gK," % (d, t[d] / 1000))' "$T/fc.csv")
check "forecast: key figures, the peak by its date ($peak)" \
    grep -qF "<li>peak $peak" "$T/fc.html"
check "forecast: key figures, the interval at its date" \
    grep -q '<li>95% interval at 2025-12-01: ' "$T/one.html"
check "forecast, one series: narrative" narrated "$T/one.html"
check "forecast, one series: fitted values drawn" \
    grep -q 'data-name="fitted (one step ahead)"' "$T/one.html"
check "forecast, one series: diagnostics in the caption" \
    grep -Eq '<figcaption>Model [^<]*Ljung-Box p [0-9.e-]+ \(lag [0-9]+\); in-sample MASE [0-9.]+' "$T/one.html"
check "forecast: diagnostics columns in the series table" \
    grep -q '<th[^>]*>Ljung-Box p</th>' "$T/fc.html"
"$HORIZON" forecast "$SALES" "${FC[@]}" -o "$T/one.csv" --quiet \
    --diagnostics "$T/one_diag.csv"
lb=$(/usr/bin/python3 -c 'import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); print("%.3g" % float(r[0]["ljung_box_p"]))' "$T/one_diag.csv")
check "forecast: the caption's Ljung-Box p is the diagnostics file's ($lb)" \
    grep -q "Ljung-Box p $lb " "$T/one.html"
"$HORIZON" forecast "$SALES" "${FC[@]}" -o "$T/one2.csv" --quiet
check "forecast: data output unchanged by the fitted values" cmp -s "$T/one.csv" "$T/one2.csv"
expect_exit 2 "no LLM endpoint configured" -- "$HORIZON" forecast "$SALES" \
    "${FC[@]}" -o /dev/null --quiet --report "$T/llm.html" --report-llm
check "--report-llm without an endpoint: no report" test ! -e "$T/llm.html"
expect_exit 2 "needs --report" -- "$HORIZON" backtest "$SALES" "${FC[@]}" \
    --report-llm

# the narrative's change of the total: a new product (one month of
# history) is absent before its launch, not a smaller share of the past:
# 3,030 forecast for three months against 3,000 in the same three months
# a year before is +1.0%, not -45%
{
    echo "g,day,v"
    for m in $(seq 1 36); do
        printf 'old,%d-%02d-01,1000\n' $((2021 + (m - 1) / 12)) $(((m - 1) % 12 + 1))
    done
    echo "new,2023-12-01,10"
} > "$T/newprod.csv"
"$HORIZON" forecast "$T/newprod.csv" --date day --value v --by g --horizon 3 \
    -o /dev/null --report "$T/newprod.html" --quiet
check "narrative: change of the total (+1.0%)" \
    grep -q 'next 3 months: total 3.03K, +1.0% vs the same 3 months a year before (3K)' "$T/newprod.html"

# losses that shrink grow: -2.4K after -2.7K the same months a year
# before is +11% in the narrative and in the key figures, not -11% (x /
# base - 1 with a negative base)
{
    echo "day,v"
    for m in $(seq 1 24); do
        v=-1000; ((m > 12)) && v=-900; ((m == 24)) && v=-800
        printf '%d-%02d-01,%d\n' $((2022 + (m - 1) / 12)) $(((m - 1) % 12 + 1)) $v
    done
} > "$T/loss.csv"
"$HORIZON" forecast "$T/loss.csv" --date day --value v --horizon 3 \
    --model naive -o /dev/null --report "$T/loss.html" --quiet
check "negative values: the narrative's change (+11%)" \
    grep -q 'series, next 3 months: total -2.4K, +11% vs the same 3 months a year before (-2.7K)\.' "$T/loss.html"
check "negative values: the key figure's change (+11%)" \
    grep -q '<li>total forecast next 3 months: total -2.4K, +11% vs the same 3 months a year before (-2.7K)' "$T/loss.html"

# the largest series by size whatever the sign: a series of 10K losses a
# month is among the 12 small multiples of 14 series of about 100
{
    echo "g,day,v"
    for m in $(seq 1 24); do
        d=$(printf '%d-%02d-01' $((2022 + (m - 1) / 12)) $(((m - 1) % 12 + 1)))
        for g in $(seq 10 22); do echo "s$g,$d,$((100 + g + m % 3))"; done
        echo "losses,$d,-$((10000 + m))"
    done
} > "$T/signs.csv"
"$HORIZON" forecast "$T/signs.csv" --date day --value v --by g --horizon 3 \
    --model naive -o /dev/null --report "$T/signs.html" --quiet
check "multiples: the series of losses is among the 12 largest" \
    grep -q '<h3 id="fig-[0-9]*-h">losses: Naive</h3>' "$T/signs.html"

# a reconciled forecast holds every level (total, regions, groups): the
# report's total and the narrative are the top node's, not the sum of the
# levels (which counted every sale three times)
"$HORIZON" forecast "$SALES" "${FC[@]}" --by region,category --reconcile mint \
    --horizon 6 -o "$T/rec.csv" --report "$T/rec.html" --quiet 2> /dev/null
last12=$(/usr/bin/python3 -c '
import csv, sys, collections
t = collections.defaultdict(float)
for r in csv.DictReader(open(sys.argv[1])):
    t[r["order_date"][:7]] += float(r["revenue"])
print("%.3gK" % (sum(t[k] for k in sorted(t)[-12:]) / 1000))' "$SALES")
ago6=$(/usr/bin/python3 -c '
import csv, sys, collections
t = collections.defaultdict(float)
for r in csv.DictReader(open(sys.argv[1])):
    t[r["order_date"][:7]] += float(r["revenue"])
print("%.3gK" % (sum(t[k] for k in sorted(t)[-12:-6]) / 1000))' "$SALES")
fc6=$(/usr/bin/python3 -c '
import csv, sys
print("%.3gK" % (sum(float(r["point"]) for r in csv.DictReader(open(sys.argv[1]))
                     if r["series"] == "total") / 1000))' "$T/rec.csv")
check "reconciled: key figure, the last 12 months ($last12)" \
    grep -q "<li>the total last 12 months: $last12," "$T/rec.html"
check "reconciled: narrative, the top node's totals ($fc6, $ago6)" \
    grep -q "Forecast of 36 series, next 6 months: total $fc6, [^ ]* vs the same 6 months a year before ($ago6)\." "$T/rec.html"
check "reconciled: the total chart is the top node" \
    grep -q '<h3 id="fig-[0-9]*-h">Total: the top of the hierarchy</h3>' "$T/rec.html"

# a horizon over 12: the narrative and the key figures give one total,
# over the whole horizon (the narrative's was the first 12 months', the
# key figures' all 24, unlabelled), and compare the first 12 months with
# the same 12 months a year before
"$HORIZON" forecast "$SALES" "${FC[@]}" --by region --horizon 24 \
    -o "$T/h24.csv" --report "$T/h24.html" --quiet 2> /dev/null
read -r tot24 first12 ago12 < <(/usr/bin/python3 - "$T/h24.csv" "$SALES" <<'PY'
import csv, sys, collections
def k(v):
    return ("%.3gM" % (v / 1e6)) if abs(v) >= 999.5e3 else ("%.3gK" % (v / 1e3))
rows = list(csv.DictReader(open(sys.argv[1])))
dates = sorted({r["date"] for r in rows})
tot = sum(float(r["point"]) for r in rows)
first = sum(float(r["point"]) for r in rows if r["date"] in dates[:12])
t = collections.defaultdict(float)
for r in csv.DictReader(open(sys.argv[2])):
    t[r["order_date"][:7]] += float(r["revenue"])
print(k(tot), k(first), k(sum(t[m] for m in sorted(t)[-12:])))
PY
)
same24="next 24 months: total $tot24; the first 12: $first12, [^ ]* vs the same 12 months a year before ($ago12)"
check "horizon 24: the narrative's total is the whole horizon's ($tot24)" \
    grep -q "Forecast of 5 series, $same24\." "$T/h24.html"
check "horizon 24: the key figures' total is the same ($tot24)" \
    grep -q "<li>the total forecast $same24</li>" "$T/h24.html"
check "horizon 24: the table's forecast total is the whole horizon's" \
    grep -q 'forecast total: every period of the horizon (24); change: the forecast&#39;s first 12 against the same 12 months a year before' "$T/h24.html"

# hours: like with like.  The next 12 hours (the night) against the same
# 12 hours a week before (four weeks of history; days and weekdays
# differ), never against the last 12 (the day): the narrative, the key
# figures, the caption and the table say so, with the same numbers; with
# three days of half-hours, a day before
/usr/bin/python3 - "$T/hours.csv" "$T/halfhours.csv" <<'PY'
import datetime, math, sys
t0 = datetime.datetime(2024, 3, 4)
with open(sys.argv[1], "w") as f:
    f.write("ts,v\n")
    for i in range(28 * 24):
        t = t0 + datetime.timedelta(hours=i)
        v = 100 + 80 * math.sin((t.hour - 6) / 24 * 2 * math.pi) \
            + (30 if t.weekday() >= 5 else 0) + i / 24
        f.write("%s,%.1f\n" % (t.strftime("%Y-%m-%dT%H:%M:%S"), v))
with open(sys.argv[2], "w") as f:
    f.write("ts,v\n")
    for i in range(3 * 48):
        t = t0 + datetime.timedelta(minutes=30 * i)
        v = 100 + 80 * math.sin((t.hour - 6) / 24 * 2 * math.pi)
        f.write("%s,%.1f\n" % (t.strftime("%Y-%m-%dT%H:%M:%S"), v))
PY
"$HORIZON" forecast "$T/hours.csv" --date ts --value v --freq hour \
    --horizon 12 -o "$T/hours_fc.csv" --report "$T/hours.html" --quiet
read -r fc12 ago < <(/usr/bin/python3 - "$T/hours_fc.csv" "$T/hours.csv" <<'PY'
import csv, sys
def k(v):
    return "%.3gK" % (v / 1e3) if abs(v) >= 999.5 else "%.3g" % v
fc = sum(float(r["point"]) for r in csv.DictReader(open(sys.argv[1])))
y = [float(r["v"]) for r in csv.DictReader(open(sys.argv[2]))]
print(k(fc), k(sum(y[len(y) - 168:len(y) - 168 + 12])))
PY
)
hours="next 12 hours: total $fc12, [^ ]* vs the same 12 hours a week before ($ago)"
check "hours: the narrative compares a week before ($fc12 vs $ago)" \
    grep -q "Forecast of 1 series, $hours\." "$T/hours.html"
check "hours: the key figures say the same" \
    grep -q "<li>[^<]*forecast $hours</li>" "$T/hours.html"
check "hours: the caption compares a week before" \
    grep -q '; the next 12 vs the same 12 hours a week before: ' "$T/hours.html"
check "hours: never the last 12 hours" \
    bash -c "! grep -Eq 'last 12 observed|vs the last as many|the 12 hours just before' '$T/hours.html'"
"$HORIZON" forecast "$T/halfhours.csv" --date ts --value v --freq 30min \
    --horizon 6 -o /dev/null --report "$T/halfhours.html" --quiet
check "half-hours, three days: the same 6 periods a day before" \
    grep -q "next 6 30-minute periods: total [^ ]*, [^ ]* vs the same 6 30-minute periods a day before" "$T/halfhours.html"

# a long daily history: the forecast chart draws the last 84 days (6 x
# the 14-day horizon), says so on its axis and in its caption, and a
# second chart and the table hold every day; a 14-day forecast after
# three years took 1% of the chart's width
/usr/bin/python3 - "$T/daily.csv" <<'PY'
import datetime, math, sys
with open(sys.argv[1], "w") as f:
    f.write("g,day,v\n")
    d0 = datetime.date(2022, 1, 1)
    for g in "abcde":
        for i in range(1096):
            f.write("%s,%s,%.2f\n" % (g, d0 + datetime.timedelta(days=i),
                                       100 + 10 * math.sin(i / 3.0) + i % 5))
PY
grep '^a,' "$T/daily.csv" | sed '1i g,day,v' > "$T/daily1.csv"
"$HORIZON" forecast "$T/daily1.csv" --date day --value v --freq day \
    --horizon 14 -o /dev/null --report "$T/daily1.html" --quiet
fan_points() { # hover points of the observed line of the fan chart
    /usr/bin/python3 -c '
import re, sys
svg = re.search(r"<svg [^>]*data-kind=\"fan\".*?</svg>", open(sys.argv[1]).read(), re.S).group(0)
print(svg.count("<title>observed, "))' "$1"
}
check "daily: the fan chart draws the last 84 days ($(fan_points "$T/daily1.html"))" \
    test "$(fan_points "$T/daily1.html")" -eq 84
check "daily: the axis says so" \
    grep -q '>the last 84 of 1096 days of history (the whole history below)</text>' "$T/daily1.html"
check "daily: the caption says so" \
    grep -q 'The chart draws the last 84 of 1096 days of history; the next chart and the table draw all of it.</figcaption>' "$T/daily1.html"
check "daily: a chart of the whole history" \
    test "$(charts "$T/daily1.html" history)" -eq 1
check "daily: the whole history chart draws every day" \
    grep -Eq 'data-kind="history" data-series="2"' "$T/daily1.html"
check "daily: the table holds every day" \
    test "$(grep -o '<tr><th scope="row">20[0-9-]*</th><td class="n">' "$T/daily1.html" | wc -l)" -eq 1096
"$HORIZON" forecast "$T/daily.csv" --date day --value v --freq day --by g \
    --horizon 14 -o /dev/null --report "$T/daily2.html" --quiet
check "daily, 5 series: the total's window and its whole history" \
    test "$(charts "$T/daily2.html" total)" -eq 1 -a "$(charts "$T/daily2.html" history)" -eq 1
check "daily, 5 series: the total's axis says so" \
    grep -q '>the last 84 of 1096 days of history (the whole history below)</text>' "$T/daily2.html"
check "daily, 5 series: the small multiples' note says so" \
    grep -q 'A panel of more than 168 days of history draws the last 84; the table below holds every period.' "$T/daily2.html"
check "monthly, 36 months: the whole history in the fan chart" \
    test "$(charts "$T/one.html" history)" -eq 0

# --level 95,50: the widest interval is the 95% one whatever the order:
# drawn underneath (lighter) and in the table's width column
"$HORIZON" forecast "$SALES" "${FC[@]}" --level 95,50 -o /dev/null \
    --report "$T/lv.html" --quiet 2> /dev/null
check "--level 95,50: the 95% band is the light one underneath" \
    grep -q 'data-name="95% interval"><path class="band c3 s0"' "$T/lv.html"
check "--level 95,50: the 50% band is the darker one" \
    grep -q 'data-name="50% interval"><path class="band c3 s1"' "$T/lv.html"
check "--level 95,50: the width column is the 95% interval's" \
    grep -q '<th[^>]*>95% width at h=12</th>' "$T/lv.html"

check "--level 95,50: the narrative's intervals are the 95% ones" \
    grep -q '95% prediction intervals: +/-' "$T/lv.html"
# the narrative's interval width: the half-widths of every series and
# period over the summed forecast, not a mean of per-period ratios (which
# periods forecast near zero blew up to +/-1457% for customers)
"$HORIZON" forecast "$SALES" "${FC[@]}" --by product_id -o "$T/prod.csv" \
    --report "$T/prod.html" --quiet 2> /dev/null
wratio=$(/usr/bin/python3 -c '
import csv, sys
hw = pt = 0
for r in csv.DictReader(open(sys.argv[1])):
    hw += (float(r["hi95"]) - float(r["lo95"])) / 2
    pt += abs(float(r["point"]))
p = 100 * hw / pt
print(("%.1f%%" if round(p * 10) / 10 < 10 else "%.0f%%") % p)' "$T/prod.csv")
check "narrative: 95% intervals +/-$wratio of the summed forecast" \
    grep -q "95% prediction intervals: +/-$wratio of the forecast (half-widths summed over every series and period, relative to the summed forecast)" "$T/prod.html"

# ---- backtest ----
"$HORIZON" backtest "$SALES" "${FC[@]}" --by category --horizon 6 \
    --origins 2 --report "$T/bt.html" > /dev/null
check "backtest: error distributions" test "$(charts "$T/bt.html" ecdf)" -eq 1
check "backtest: coverage vs nominal" test "$(charts "$T/bt.html" coverage)" -eq 1
check "backtest: accuracy bars" test "$(charts "$T/bt.html" bars)" -eq 2
check "backtest: svgs are XML" svgs_ok "$T/bt.html"
check "backtest: narrative" narrated "$T/bt.html"
check "backtest: MSIS and SPL columns" \
    grep -Eq '<th[^>]*>MSIS 95%</th><th[^>]*>SPL</th>' "$T/bt.html"

# ---- analyze ----
"$HORIZON" analyze suite "$SALES" --calibration-end 2024-06-30 \
    -o "$T/an.csv" --report "$T/an.html" > /dev/null
for k in calibration heatmap segments scatter; do
    check "suite: $k chart" test "$(charts "$T/an.html" $k)" -eq 1
done
check "suite: CLV and risk histograms" test "$(charts "$T/an.html" histogram)" -eq 2
check "suite: svgs are XML" svgs_ok "$T/an.html"
"$HORIZON" analyze suite "$SALES" --calibration-end 2024-06-30 --threads 1 \
    -o "$T/an1.csv" --report "$T/an1.html" > /dev/null
check "suite: same bytes with --threads 1" cmp -s "$T/an.html" "$T/an1.html"
check "suite: narrative" narrated "$T/an.html"
check "suite: cumulative tracking" test "$(charts "$T/an.html" tracking)" -eq 1
check "suite: tracking draws actual and both models" \
    grep -q 'data-kind="tracking" data-series="3"' "$T/an.html"
# beyond 2,000 customers the scatter draws a sample, and says which
"$HORIZON" gen --kind sales --rows 20000 --customers 3000 --months 12 \
    --seed 5 -o "$T/many.csv" 2> /dev/null
"$HORIZON" analyze segment "$T/many.csv" -o /dev/null \
    --report "$T/many.html" > /dev/null
check "scatter of a sample: one customer in every k" grep -Eq \
    '<figcaption>One customer in every [0-9]+, in the result&#39;s order \([0-9]+ of [0-9]+\)' "$T/many.html"
# the churn model named as it was used: Pareto/NBD's P(no purchase), not
# BG/NBD's P(alive), in the key figures and the narrative
"$HORIZON" analyze suite "$SALES" --model pnbd --risk no-purchase \
    -o /dev/null --report "$T/pn.html" > /dev/null
check "pnbd --risk no-purchase: key figure names the model" grep -q \
    '<li>churn model: P(no purchase in the next 90 days) (Pareto/NBD) and a recency rule</li>' "$T/pn.html"
check "pnbd --risk no-purchase: the narrative too" grep -q \
    'Churn model: P(no purchase in the next 90 days) (Pareto/NBD) and a recency rule\.' "$T/pn.html"
{
    echo "customer,day,amount"
    for i in $(seq 1 20); do echo "c$i,2024-0$((i % 9 + 1))-10,10"; done
} > "$T/onetime.csv" # no repeat purchase: BG/NBD cannot be fitted
"$HORIZON" analyze suite "$T/onetime.csv" -o /dev/null \
    --report "$T/onetime.html" > /dev/null 2>"$T/onetime.err"
check "BG/NBD failed: the suite fails (exit 1)" test $? -eq 1
check "BG/NBD failed: no report that looks whole" test ! -e "$T/onetime.html"
check "BG/NBD failed: said why" grep -q \
    'suite not written (no output is): the purchase model (clv part) failed: no customer made a repeat purchase' "$T/onetime.err"
check "pnbd: no claim of BG/NBD P(alive)" bash -c "! grep -q 'BG/NBD P(alive)\|P(alive) (BG/NBD)' '$T/pn.html'"
"$HORIZON" analyze survival "$CUST" --duration tenure_months --event churned \
    --covariates support_tickets,monthly_fee -o /dev/null \
    --report "$T/sv.html" > /dev/null
check "survival: Kaplan-Meier curve" test "$(charts "$T/sv.html" survival)" -eq 1
check "survival: Cox table" grep -q 'Cox proportional hazards model' "$T/sv.html"
check "survival: title" grep -q '<h1>Customer analysis: survival</h1>' "$T/sv.html"
check "survival: narrative" narrated "$T/sv.html"
# the narrative capitalises its sentences, not the names in them: the
# covariate is support_tickets, the model snaive
check "survival: the covariate's name as the data has it" \
    grep -q 'Covariate support_tickets: hazard ratio [0-9.]* (p ' "$T/sv.html"
check "survival: no column renamed" bash -c "! grep -q 'Support_tickets' '$T/sv.html'"
check "survival: svgs are XML" svgs_ok "$T/sv.html"
"$HORIZON" analyze churn "$CUST" --label churned --customer customer_id \
    -o /dev/null --report "$T/ch.html" > /dev/null
check "churn: drivers" test "$(charts "$T/ch.html" drivers)" -eq 1
check "churn: ROC" test "$(charts "$T/ch.html" roc)" -eq 1
check "churn: svgs are XML" svgs_ok "$T/ch.html"
check "churn: narrative" narrated "$T/ch.html"
check "churn: drivers with intervals" grep -q 'whiskers: confidence intervals' "$T/ch.html"
# the narrative ranks every coefficient, as the key figures do: it read
# only the first 8 (the one-hot region and plan columns) and named
# plan=Standard the strongest driver
for k in 1 2 3; do
    drv=$(grep -o "<li>churn driver $k: [^<]*</li>" "$T/ch.html" | sed 's/<li>churn/Churn/; s/<\/li>//')
    check "churn: narrative's driver $k is the key figures' ($drv)" \
        grep -qF "$drv." "$T/ch.html"
done
check "churn: the strongest driver is days_since_last_order" \
    grep -q '<li>churn driver 1: days_since_last_order ' "$T/ch.html"

# ---- errors ----
expect_exit 1 "could not" -- "$HORIZON" forecast "$SALES" "${FC[@]}" \
    -o /dev/null --quiet --report "$T/no/such/dir/r.html"
check "no partial report" test -z "$(ls "$T/no" 2>/dev/null)"
expect_exit 2 "missing -o REPORT.html" -- "$HORIZON" report forecast "$SALES" "${FC[@]}"
# --json is refused, not ignored (the page is all 'horizon report' writes)
expect_exit 2 "--json: 'horizon report' writes the page only" -- \
    "$HORIZON" report forecast "$SALES" "${FC[@]}" --json -o "$T/rj.html"
check "report --json: no page" test ! -e "$T/rj.html"
# -o naming the input is refused in the words the user wrote (until
# 2026-12-07 'horizon forecast: --report sales.csv names the input')
cp "$SALES" "$T/in.csv"
expect_exit 2 "horizon report forecast: -o $T/in.csv names the input file" -- \
    "$HORIZON" report forecast "$T/in.csv" "${FC[@]}" -o "$T/in.csv"
check "report -o the input: input untouched" cmp -s "$SALES" "$T/in.csv"
expect_exit 2 "horizon report analyze: -o $T/in.csv names the input file" -- \
    "$HORIZON" report analyze clv "$T/in.csv" -o "$T/in.csv"
expect_exit 2 "horizon report backtest: --per-series $T/pp.html and -o $T/pp.html name the same file" -- \
    "$HORIZON" report backtest "$T/in.csv" "${FC[@]}" --per-series "$T/pp.html" -o "$T/pp.html"
expect_exit 2 "unknown command" -- "$HORIZON" report inspect "$SALES" -o "$T/x.html"
check "no report from a usage error" test ! -e "$T/x.html"
# --help after the command is this command's help (exit 0), not a report
# missing its -o (exit 2 until 2026-12-07)
for sub in forecast backtest "analyze suite"; do
    # shellcheck disable=SC2086
    expect_exit 0 "" -- "$HORIZON" report $sub --help
    check "report $sub --help prints the usage" \
        grep -q '^usage: horizon report forecast' "$T/out"
done
expect_exit 0 "" -- "$HORIZON" report forecast "$SALES" "${FC[@]}" -o "$T/h.html" -h
check "report ... -h writes no page" test ! -e "$T/h.html"

# ---- jobs ----
export HORIZON_STORE="sqlite:$T/jobs.db" TMPDIR="$T" \
    HZ_DATASET_ROOTS="$HZ_DATA_DIR:$T"
"$HORIZON" submit --quiet --tenant acme --type forecast --dataset "$SALES" \
    --param date=order_date --param value=revenue \
    --param freq=month --param by=region --id f1
"$HORIZON" submit --quiet --tenant acme --type suite --dataset "$SALES" --id s1
"$HORIZON" submit --quiet --no-validate --tenant acme --type forecast \
    --dataset "$T/missing.csv" --id bad1
"$HORIZON" run --once --concurrency 2 --timeout 120 > /dev/null 2>&1
"$HORIZON" jobs report f1 -o "$T/f1.html"
check "jobs report f1" test "$(charts "$T/f1.html" fan)" -eq 5
# without -o (as --help says) the page goes to standard output
"$HORIZON" jobs report f1 > "$T/f1_stdout.html"
check "jobs report without -o: the page on stdout" cmp -s "$T/f1.html" "$T/f1_stdout.html"
check "jobs report f1: svgs are XML" svgs_ok "$T/f1.html"
check "jobs report: title names the job" grep -q '<title>Forecast: job f1</title>' "$T/f1.html"
check "jobs report f1: template narrative with its counts" narrated "$T/f1.html"
check "job and CLI narratives agree" bash -c \
    "diff <(grep -o '<section class=\"narrative\".*</section>' '$T/f1.html') <(grep -o '<section class=\"narrative\".*</section>' '$T/fc.html')"
"$HORIZON" jobs report s1 --tenant acme -o "$T/s1.html"
check "jobs report s1" test "$(charts "$T/s1.html" heatmap)" -eq 1
"$HORIZON" jobs show s1 --json > "$T/s1.json"
check "job records its report" grep -Eq '"encoding":[[:space:]]*"zlib\+base64"' "$T/s1.json"
check "jobs results leaves the report out" \
    test "$("$HORIZON" jobs results f1 | grep -c '^forecast,')" -eq 60
# a pipe (or a device) named with -o is written in place, as every
# output's, not replaced by a file renamed over it (as root that turned
# /dev/full into a file)
mkfifo "$T/pipe"
timeout 20 cat "$T/pipe" > "$T/piped.html" &
reader=$!
"$HORIZON" jobs report f1 -o "$T/pipe" 2> "$T/pipe.err"
rc=$?
[[ -p "$T/pipe" ]] || : > "$T/pipe" # a file in its place: let cat go
wait $reader
check "jobs report -o FIFO: exit 0 ($rc: $(cat "$T/pipe.err"))" test $rc -eq 0
check "jobs report -o FIFO: still a FIFO" test -p "$T/pipe"
check "jobs report -o FIFO: the page went through it" cmp -s "$T/piped.html" "$T/f1.html"
expect_exit 1 "job bad1 is failed" -- "$HORIZON" jobs report bad1 -o "$T/bad1.html"
check "no report file for a failed job" test ! -e "$T/bad1.html"
expect_exit 3 "no job" -- "$HORIZON" jobs report nosuch -o "$T/n.html"
expect_exit 3 "" -- "$HORIZON" jobs report f1 --tenant globex -o "$T/g.html"
check "no report across tenants" test ! -e "$T/g.html"
finish
