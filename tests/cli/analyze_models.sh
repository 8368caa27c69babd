#!/usr/bin/env bash
# horizon analyze: exact horizons, the purchase model choice, the holdout
# report, saved models, churn risk rules, RFM frequency kinds, survival;
# the published CDNOW and Telco figures when the shared data is there.
set -u
H="${HORIZON:?}"
T="${HZ_TEST_TMP:-/tmp}/cli_analyze_models"
mkdir -p "$T"
fail() { echo "FAIL: $*"; exit 1; }
S="$HZ_DATA_DIR/sample_sales.csv"

# option errors: exit 2 naming the option
"$H" analyze clv "$S" --horizon 3y 2>"$T/e"; [ $? -eq 2 ] || fail "bad horizon -> 2"
grep -q -- "--horizon" "$T/e" || fail "bad horizon message"
"$H" analyze clv "$S" --model nope 2>"$T/e"; [ $? -eq 2 ] || fail "bad model -> 2"
"$H" analyze clv "$S" --risk maybe 2>"$T/e"; [ $? -eq 2 ] || fail "bad risk -> 2"
"$H" analyze segment "$S" --k none 2>"$T/e"; [ $? -eq 2 ] || fail "bad k -> 2"
"$H" analyze clv "$S" --duration tenure 2>"$T/e"; [ $? -eq 2 ] || fail "survival option on clv -> 2"
# an option the analysis does not use is refused, not ignored (until
# 2026-12-07 'clv --k 3' or 'segment --discount 0.05' ran as without it)
CU="$HZ_DATA_DIR/sample_customers.csv"
unused() { # WANT ARGS...: exit 2 with WANT on stderr
    local want=$1; shift
    "$H" analyze "$@" --summary-only >/dev/null 2>"$T/e"
    [ $? -eq 2 ] && grep -qF -- "$want" "$T/e" || fail "$*: $(cat "$T/e")"
}
unused "--k is for segment and suite: clv would ignore it" clv "$S" --k 3
unused "--folds is for churn with --label and suite: churn would ignore it" churn "$S" --folds 3
unused "--discount is for clv, churn without --label and suite: segment would" segment "$S" --discount 0.05
unused "--model is for clv, churn without --label and suite: segment would" segment "$S" --model pnbd
unused "--inactive-days is for churn without --label and suite: clv would" clv "$S" --inactive-days 30
unused "--frequency is for segment and suite: churn would ignore it" churn "$S" --frequency rows
unused "--calibration-end is for the analyses of transactions: churn --label would" \
    churn "$CU" --label churned --calibration-end 2024-06-30
unused "--date is for the analyses of transactions: survival would ignore it" \
    survival "$CU" --duration tenure_months --event churned --date signup_date
unused "--horizon is for clv, churn without --label and suite: survival would" \
    survival "$CU" --duration tenure_months --event churned --horizon 6
# --as-of and --calibration-end are year first: 05/01/2024 is 5 January
# to some and 1 May to others (until 2026-12-07 read as 1 May)
for opt in --as-of --calibration-end; do
    "$H" analyze clv "$S" $opt 05/01/2024 --summary-only >/dev/null 2>"$T/e"
    [ $? -eq 2 ] && grep -qF -- "$opt: expected a date like 2024-12-31 (year, month, day), got '05/01/2024'" "$T/e" ||
        fail "$opt 05/01/2024: $(cat "$T/e")"
done
"$H" analyze clv "$S" --as-of 2024/05/01 --summary-only >"$T/o" 2>&1 &&
    grep -q 'as of 2024-05-01 (given)' "$T/o" || fail "--as-of 2024/05/01: $(cat "$T/o")"
# --seed only where something is drawn at random (until 2026-12-07
# accepted without effect by clv, churn without a label and survival)
unused "--seed is for segment, churn with --label and suite: clv would ignore it" clv "$S" --seed 5
unused "--seed is for segment, churn with --label and suite: churn would ignore it" churn "$S" --seed 5
unused "--seed is for segment, churn with --label and suite: survival would" \
    survival "$CU" --duration tenure_months --event churned --seed 5
"$H" analyze churn "$CU" --label churned --seed 5 --summary-only >/dev/null \
    2>"$T/e" || fail "churn --label takes --seed: $(cat "$T/e")"
"$H" analyze segment "$S" --seed 5 --summary-only >/dev/null 2>"$T/e" ||
    fail "segment takes --seed: $(cat "$T/e")"
"$H" analyze suite "$S" --seed 5 --k 3 --folds 3 --discount 0.02 --risk no-purchase \
    --summary-only >/dev/null 2>"$T/e" || fail "suite takes them all: $(cat "$T/e")"
"$H" analyze clv "$S" --model-file "$T/none.json" 2>"$T/e"; [ $? -eq 3 ] || fail "missing model file -> 3"
printf '{"horizon_model": 1, "unit": "days", "bgnbd": {"r": -1}}' >"$T/bad.json"
"$H" analyze clv "$S" --model-file "$T/bad.json" 2>"$T/e"; [ $? -eq 1 ] || fail "bad model file -> 1"
grep -q "bgnbd.r" "$T/e" || fail "bad model file message: $(cat "$T/e")"

# exact horizon: column named by it, same CLV in days and weeks
"$H" analyze clv "$S" --horizon 39w -o "$T/h.csv" >/dev/null || fail "39w"
head -1 "$T/h.csv" | grep -q "expected_purchases_39w" || fail "39w column"
"$H" analyze clv "$S" --unit days --json --summary-only >"$T/d.json" || fail "days"
"$H" analyze clv "$S" --unit weeks --json --summary-only >"$T/w.json" || fail "weeks"
python3 - "$T/d.json" "$T/w.json" <<'PY' || fail "CLV depends on the unit"
import json, sys
d, w = (json.load(open(f))["summary"]["clv"]["total"] for f in sys.argv[1:3])
assert abs(d - w) <= 1e-9 * abs(d), (d, w)
PY

# the spend model does not depend on the currency: the same orders in
# won (x 1000) fit the same p and q, gamma x 1000, and no boundary (it was
# flagged "q, gamma -> infinity" once gamma passed e^11.5)
awk -F, 'BEGIN{OFS=","} NR>1{$10=sprintf("%.2f",$10*1000)} 1' "$S" >"$T/won.csv"
"$H" analyze clv "$S" --json --summary-only >"$T/usd.json" || fail "usd"
"$H" analyze clv "$T/won.csv" --json --summary-only >"$T/won.json" || fail "won"
python3 - "$T/usd.json" "$T/won.json" <<'PY' || fail "Gamma-Gamma depends on the currency"
import json, math, sys
a, b = (json.load(open(f))["summary"]["clv"]["gammagamma"] for f in sys.argv[1:3])
assert not a["boundary"] and not b["boundary"], (a, b)
assert abs(a["p"] - b["p"]) <= 1e-8 * a["p"] and abs(a["q"] - b["q"]) <= 1e-8 * a["q"], (a, b)
assert abs(b["gamma"] / a["gamma"] - 1000) <= 1e-5, (a["gamma"], b["gamma"])
assert abs(b["se"][2] / a["se"][2] - 1000) <= 1e-3, (a["se"], b["se"])
# a density of spends: log(1000) less per repeat buyer
assert abs(b["loglik"] - (a["loglik"] - a["repeat_buyers"] * math.log(1000))) <= 1e-6 * abs(b["loglik"])
PY

# Pareto/NBD and a holdout: both models compared
"$H" analyze clv "$S" --model pnbd --calibration-end 2024-06-30 --json --summary-only >"$T/p.json" || fail "pnbd holdout"
python3 - "$T/p.json" <<'PY' || fail "holdout report"
import json, sys
c = json.load(open(sys.argv[1]))["summary"]["clv"]
assert c["model"] == "pnbd"
for m in ("bgnbd", "pnbd"):
    h = c["holdout"][m]
    assert len(h["by_frequency_predicted"]) == 8
    assert h["actual_total"] > 0 and h["predicted_total"] > 0
    assert len(h["tracking_actual_cumulative"]) == len(h["tracking_expected_cumulative"]) > 10
PY

# customers who first bought in the holdout are left out of the
# calibration cohort, and said so (they were missing without a word)
"$H" analyze clv "$S" --calibration-end 2024-06-30 --summary-only >"$T/ho.txt" || fail "holdout text"
python3 - "$S" "$T/p.json" "$T/ho.txt" <<'PY' || fail "customers after the calibration end: $(head -3 "$T/ho.txt")"
import csv, json, sys
first = {}
for r in csv.DictReader(open(sys.argv[1])):
    first[r["customer_id"]] = min(first.get(r["customer_id"], "9"), r["order_date"])
new = sum(d > "2024-06-30" for d in first.values())
s = json.load(open(sys.argv[2]))["summary"]
assert new > 0 and s["customers_after_calibration_end"] == new, (new, s)
assert s["customers"] + new == len(first), (s["customers"], new, len(first))
assert "%d customers first bought after the calibration end (new in the holdout)" % new in open(sys.argv[3]).read()
PY

# a calibration end on the as-of date leaves no holdout: refused (it
# reported a 0-day holdout with correlation nan, exit 0)
"$H" analyze clv "$S" --calibration-end 2024-12-31 --summary-only >/dev/null 2>"$T/e"
[ $? -eq 1 ] && grep -q "calibration end 2024-12-31 is on the observation end (as-of, 2024-12-31): the holdout would be empty" "$T/e" \
    || fail "empty holdout: $(cat "$T/e")"

# saved models: clv and churn, applied without refitting
"$H" analyze clv "$S" --save-model "$T/clv.json" -o "$T/a.csv" >/dev/null || fail "save clv"
"$H" analyze clv "$S" --model-file "$T/clv.json" -o "$T/b.csv" >/dev/null || fail "apply clv"
cmp -s "$T/a.csv" "$T/b.csv" || fail "saved clv model scores differently"
# a Pareto/NBD model file applies Pareto/NBD without --model (it was
# refused: "no bgnbd parameters"); --model bgnbd with it is refused
"$H" analyze clv "$S" --model pnbd --save-model "$T/pn.json" -o "$T/p1.csv" >/dev/null || fail "save pnbd"
"$H" analyze clv "$S" --model-file "$T/pn.json" -o "$T/p2.csv" >/dev/null || fail "apply pnbd"
cmp -s "$T/p1.csv" "$T/p2.csv" || fail "saved pnbd model scores differently"
"$H" analyze clv "$S" --model bgnbd --model-file "$T/pn.json" -o "$T/p3.csv" >/dev/null 2>"$T/e"
[ $? -eq 1 ] && grep -q "no bgnbd parameters" "$T/e" || fail "bgnbd from a pnbd file: $(cat "$T/e")"
# segment fits no model: a model file or --save-model is a usage error
"$H" analyze segment "$S" --model-file "$T/pn.json" -o "$T/s.csv" 2>"$T/e"
[ $? -eq 2 ] && grep -q -- "--save-model and --model-file are for clv, churn and suite" "$T/e" \
    || fail "segment --model-file: $(cat "$T/e")"
"$H" analyze segment "$S" --save-model "$T/seg.json" -o "$T/s.csv" 2>"$T/e"
[ $? -eq 2 ] || fail "segment --save-model -> 2"
# an output naming the model file being read is refused before anything
# is read (-o replaced the model with the CSV, exit 0)
cp "$T/clv.json" "$T/keep.json"
"$H" analyze clv "$S" --model-file "$T/keep.json" -o "$T/keep.json" >/dev/null 2>"$T/e"
[ $? -eq 2 ] && grep -q -- "-o $T/keep.json names the input file $T/keep.json" "$T/e" \
    || fail "-o over the model file: $(cat "$T/e")"
cmp -s "$T/clv.json" "$T/keep.json" || fail "the model file was replaced"
"$H" analyze clv "$S" --model-file "$T/keep.json" --save-model "$T/keep.json" -o "$T/k.csv" >/dev/null 2>"$T/e"
[ $? -eq 2 ] || fail "--save-model over the model file -> 2"
# parameters from a model file are said to be so, without the standard
# errors and likelihood it does not hold (it printed "(nan)", "LL = nan"
# and "0 repeat buyers")
"$H" analyze clv "$S" --model-file "$T/clv.json" --summary-only >"$T/mf.txt" || fail "model file text"
grep -q "^BG/NBD (model file, not refitted): r = [0-9.]*, alpha = [0-9.]*, a = [0-9.]*, b = [0-9.]*$" "$T/mf.txt" \
    || fail "BG/NBD from a file: $(cat "$T/mf.txt")"
grep -q "^Gamma-Gamma (model file, not refitted): p = " "$T/mf.txt" || fail "Gamma-Gamma from a file"
! grep -q "nan\|0 repeat buyers" "$T/mf.txt" || fail "nan in the model file text: $(cat "$T/mf.txt")"
C="$HZ_DATA_DIR/sample_customers.csv"
"$H" analyze churn "$C" --label churned --save-model "$T/ch.json" -o "$T/c1.csv" >/dev/null || fail "save churn"
"$H" analyze churn "$C" --model-file "$T/ch.json" --json --summary-only >"$T/c2.json" || fail "apply churn"
grep -q '"from_model_file": true' "$T/c2.json" || fail "applied churn model not stated"
# scored without the label: no churn rate or AUC to print, said so (was
# 'churn rate nan, AUC nan (in sample)'); one label only: no AUC
cut -d, -f1-11 "$C" >"$T/nolabel.csv"
"$H" analyze churn "$T/nolabel.csv" --model-file "$T/ch.json" --summary-only >"$T/c4.txt" || fail "score without label"
grep -q "^no label column: churn rate and AUC unknown, mean churn probability 0\.[0-9]*$" "$T/c4.txt" \
    || fail "no label text: $(cat "$T/c4.txt")"
awk -F, 'NR==1 || $12=="No"' "$C" >"$T/onelabel.csv"
"$H" analyze churn "$T/onelabel.csv" --model-file "$T/ch.json" --summary-only >"$T/c5.txt" || fail "score one label"
grep -q "^churn rate 0.0000, AUC n/a (in sample: one label only)$" "$T/c5.txt" || fail "one label text: $(cat "$T/c5.txt")"
! grep -qi "nan" "$T/c4.txt" "$T/c5.txt" || fail "nan in the churn text"
# a level the model was not fitted on is refused with its place, never
# scored as none of the levels (all its dummies 0)
awk -F, 'BEGIN{OFS=","} NR==4{$4="Platinum"} 1' "$C" >"$T/newlevel.csv"
rm -f "$T/c3.csv"
"$H" analyze churn "$T/newlevel.csv" --model-file "$T/ch.json" -o "$T/c3.csv" >/dev/null 2>"$T/e"
[ $? -eq 1 ] || fail "unseen level -> 1"
grep -q "newlevel.csv:4:4: column 'plan' is 'Platinum', a level the saved churn model was not fitted on (it knows " "$T/e" \
    || fail "unseen level message: $(cat "$T/e")"
[ ! -e "$T/c3.csv" ] || fail "unseen level: no output"

# a saved churn model whose one-hot level is not UTF-8 (Latin-1 'Caf\xe9',
# U+FFFD in the JSON file) scores the same data as the fit did, and two
# such levels that read the same once sanitized are refused, not matched
# to nothing
python3 - "$T/latin1.csv" "$T/latin2.csv" <<'PY'
import sys
for path, plans in ((sys.argv[1], [b"Caf\xe9", b"Basic", b"Pro"]),
                    (sys.argv[2], [b"Caf\xe9", b"Caf\xe8", b"Basic"])):
    with open(path, "wb") as f:
        f.write(b"id,plan,tenure,churned\n")
        for i in range(240):
            plan = plans[i % 3]
            churned = int((i * 7919) % 10 < (6 if plan == b"Basic" else 2))
            f.write(b"c%d,%s,%d,%d\n" % (i, plan, 1 + (i * 37) % 60, churned))
PY
"$H" analyze churn "$T/latin1.csv" --label churned --customer id \
    --save-model "$T/l1.json" -o "$T/l1a.csv" >/dev/null 2>&1 || fail "save latin-1 churn"
"$H" analyze churn "$T/latin1.csv" --label churned --customer id \
    --model-file "$T/l1.json" -o "$T/l1b.csv" >/dev/null 2>&1 || fail "apply latin-1 churn"
cut -d, -f1-3 "$T/l1a.csv" >"$T/l1a3.csv"
cmp -s "$T/l1a3.csv" "$T/l1b.csv" || fail "a saved model with a Latin-1 level scores differently"
"$H" analyze churn "$T/latin2.csv" --label churned --customer id \
    --save-model "$T/l2.json" -o /dev/null >/dev/null 2>&1 || fail "save two latin-1 levels"
"$H" analyze churn "$T/latin2.csv" --label churned --customer id \
    --model-file "$T/l2.json" -o "$T/l2b.csv" >/dev/null 2>"$T/e"
[ $? -eq 1 ] || fail "two values reading as one saved level: exit 1"
grep -q "several values of this data read as it" "$T/e" || fail "ambiguous level: $(cat "$T/e")"

# churn risk without a label: one-time buyers explained, alternative rule
"$H" analyze churn "$S" --json --summary-only >"$T/r1.json" || fail "risk p-alive"
grep -q "one-time buyers have risk 0" "$T/r1.json" || fail "one-time buyers not explained"
"$H" analyze churn "$S" --risk no-purchase --json --summary-only >"$T/r2.json" || fail "risk no-purchase"
grep -q '"risk_rule": "no-purchase"' "$T/r2.json" || fail "risk rule"

# RFM frequency by orders (order_id guessed)
"$H" analyze segment "$S" --frequency orders --json --summary-only >"$T/s.json" || fail "frequency orders"
grep -q '"frequency": "distinct orders"' "$T/s.json" || fail "frequency kind"
grep -q '"k": 4' "$T/s.json" || fail "default k 4"

C2="${HZ_SHARED_DATA:-}/cdnow/cdnowElog.csv"
if [ -f "$C2" ]; then
    "$H" analyze clv "$C2" --customer sampleid --date date --amount sales \
        --unit weeks --calibration-end 1997-09-30 --horizon 52w --summary-only >"$T/cd.txt" || fail "cdnow"
    grep -q "expected     :   0.225   0.523   1.044   1.520   2.164   2.654   3.504   6.157" "$T/cd.txt" \
        || fail "BTYD holdout table: $(cat "$T/cd.txt")"
    grep -q "predicted 1653.4, actual 1882" "$T/cd.txt" || fail "holdout totals"
    grep -q "Pareto/NBD: r = 0.5533 .*alpha = 10.5777 .*s = 0.6062 .*beta = 11.668.*LL = -9594.98" "$T/cd.txt" \
        || fail "Pareto/NBD: $(grep Pareto "$T/cd.txt")"
fi
TC="${HZ_SHARED_DATA:-}/telco-churn/Telco-Customer-Churn.csv"
if [ -f "$TC" ]; then
    "$H" analyze survival "$TC" --duration tenure --event Churn --customer customerID \
        --covariates Contract,InternetService,PaymentMethod,MonthlyCharges,SeniorCitizen \
        --times 12,24,72 --summary-only >"$T/sv.txt" || fail "telco survival"
    grep -q "      12    0.84320" "$T/sv.txt" || fail "KM S(12): $(cat "$T/sv.txt")"
    grep -q "      24    0.78874" "$T/sv.txt" || fail "KM S(24)"
    grep -q "      72    0.59279" "$T/sv.txt" || fail "KM S(72)"
    grep -q "log partial likelihood -14148.9345" "$T/sv.txt" || fail "Cox LL"
    grep -q "Contract=Two year .*coef -3.51259 (SE 0.16197)" "$T/sv.txt" || fail "Cox two year"
    grep -q "MonthlyCharges .*coef -0.03118" "$T/sv.txt" || fail "Cox monthly charges"
fi
# customers who all buy at one rate and stop after a few purchases: BG/NBD
# runs to both boundaries at once and is refused saying which (was "too
# few or identical customers", for 274 different ones)
python3 - "$T/flat.csv" <<'PY'
import datetime, random, sys
random.seed(1)
base = datetime.date(2024, 1, 1)
with open(sys.argv[1], "w") as f:
    f.write("customer_id,order_date,amount\n")
    for c in range(300):
        d = random.randint(0, 200)
        for _ in range(random.randint(1, 8)):
            f.write(f"c{c},{base + datetime.timedelta(days=d)},{round(random.uniform(5, 100), 2)}\n")
            d += random.randint(1, 60)
            if d > 364:
                break
PY
"$H" analyze clv "$T/flat.csv" --calibration-end 2024-06-30 -o "$T/flat_out.csv" >/dev/null 2>"$T/e"
[ $? -eq 1 ] || fail "double boundary -> 1"
grep -q "the data do not identify the model (a, b -> infinity: every customer has the same dropout probability a / (a + b) = [0-9.]*; r, alpha -> infinity: purchase rates do not vary between customers)" "$T/e" \
    || fail "double boundary message: $(cat "$T/e")"
[ ! -e "$T/flat_out.csv" ] || fail "double boundary: no output"

# one name per place: the identifier (bgnbd, pnbd, gammagamma) in machine
# outputs, the label (BG/NBD, Pareto/NBD, Gamma-Gamma) where people read.
# The text said "CLV (pnbd)" beside "Pareto/NBD: r = ...", and the report's
# key figures and a job's narrative said BG/NBD of a Pareto/NBD CLV.
"$H" analyze clv "$S" --model pnbd --calibration-end 2024-06-30 --json --summary-only \
    --save-model "$T/pn_model.json" --report "$T/pn.html" >"$T/pn.json" || fail "pnbd json"
python3 - "$T/pn.json" "$T/pn_model.json" <<'PY' || fail "pnbd identifiers: $(head -c 600 "$T/pn.json")"
import json, sys
c = json.load(open(sys.argv[1]))["summary"]["clv"]
assert c["model"] == "pnbd", c["model"]
assert {"bgnbd", "pnbd", "gammagamma"} <= set(c), sorted(c)
assert sorted(c["holdout"]) == ["bgnbd", "pnbd"], sorted(c["holdout"])
m = json.load(open(sys.argv[2]))
assert m["purchase_model"] == "pnbd", m
assert {"bgnbd", "pnbd", "gammagamma"} >= {k for k in m if isinstance(m[k], dict)}, sorted(m)
PY
"$H" analyze clv "$S" --model pnbd --calibration-end 2024-06-30 --summary-only >"$T/pn.txt" || fail "pnbd text"
grep -q '^CLV (Pareto/NBD) over ' "$T/pn.txt" || fail "CLV line: $(cat "$T/pn.txt")"
grep -q '^holdout (Pareto/NBD, 184 days): ' "$T/pn.txt" || fail "holdout line"
grep -q '^holdout (BG/NBD, 184 days): ' "$T/pn.txt" || fail "BG/NBD holdout line"
! grep -qw 'pnbd\|bgnbd\|gammagamma' "$T/pn.txt" || fail "an identifier in the text: $(cat "$T/pn.txt")"
grep -q '<li>CLV model: Pareto/NBD and Gamma-Gamma' "$T/pn.html" || fail "report key figure names BG/NBD"
(
    export HORIZON_STORE="sqlite:$T/names.db" TMPDIR="$T" HZ_DATASET_ROOTS="$HZ_DATA_DIR"
    unset HZ_LLM_CONFIG OPENAI_API_KEY OPENAI_BASE_URL AZURE_OPENAI_ENDPOINT AZURE_OPENAI_API_KEY
    rm -f "$T/names.db"
    "$H" submit --type clv --tenant acme --id pn --dataset "$S" --param model=pnbd \
        --param calibration-end=2024-06-30 --quiet &&
        "$H" run --once --quiet 2>/dev/null && "$H" explain pn 2>&1
) >"$T/pn_explain" || fail "pnbd job: $(cat "$T/pn_explain")"
grep -q 'CLV model: Pareto/NBD + Gamma-Gamma' "$T/pn_explain" || fail "job narrative: $(cat "$T/pn_explain")"
exit 0
