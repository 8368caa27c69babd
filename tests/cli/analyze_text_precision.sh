#!/usr/bin/env bash
# The text summary of `analyze` keeps what its numbers say whatever the
# currency's scale: amounts in fractions of a unit printed "median 0.00,
# p90 0.00" (and a small segment "revenue share 0.000"); numbers read
# together keep one number of decimals, enough for 2 significant digits
# of the smallest, and the usual two (three for shares) otherwise.
source "$(dirname "$0")/lib.sh"

python3 - "$T" <<'PY'
import datetime, random, sys
random.seed(5)
rows = []
for c in range(300):
    d = datetime.date(2023, 1, 1) + datetime.timedelta(days=random.randint(0, 200))
    for k in range(random.randint(1, 8)):
        rows.append((f"C{c}", d.isoformat(), random.lognormvariate(3, 1)))
        d += datetime.timedelta(days=random.randint(5, 60))
for name, scale in (("units", 1.0), ("tiny", 1e-5)):
    with open(f"{sys.argv[1]}/{name}.csv", "w") as f:
        f.write("customer,date,amount\n")
        for r in rows:
            f.write("%s,%s,%.12g\n" % (r[0], r[1], r[2] * scale))
PY
"$HORIZON" analyze suite "$T/units.csv" -o /dev/null > "$T/units.txt" 2>&1
check "units: exit 0" test $? -eq 0
"$HORIZON" analyze suite "$T/tiny.csv" -o /dev/null > "$T/tiny.txt" 2>&1
check "tiny: exit 0" test $? -eq 0
clv() { grep '^CLV (BG/NBD)' "$1"; }
check "units: CLV with two decimals ($(clv "$T/units.txt"))" \
    grep -qE '^CLV .*: total [0-9]+\.[0-9]{2}, median [0-9]+\.[0-9]{2}, p90 [0-9]+\.[0-9]{2}$' "$T/units.txt"
check "tiny: no CLV figure printed as 0.00 ($(clv "$T/tiny.txt"))" \
    bash -c "! grep -qE '^CLV .*(median|p90) 0\.0+(,|$)' '$T/tiny.txt'"
# the same customers at 1e-5 the scale: the same digits, shifted
python3 - "$T/units.txt" "$T/tiny.txt" <<'PY'
import re, sys
def nums(p):
    line = next(l for l in open(p) if l.startswith("CLV (BG/NBD)"))
    return [float(x) for x in re.findall(r"(?:total|median|p90) ([0-9.e+-]+)", line)]
u, t = nums(sys.argv[1]), nums(sys.argv[2])
for a, b in zip(u, t):
    if abs(b * 1e5 - a) > 0.05 * abs(a):
        sys.exit(f"{b} x 1e5 is not {a}")
PY
check "tiny: CLV figures keep their digits" test $? -eq 0
check "tiny: one number of decimals on the CLV line" python3 -c '
import re, sys
line = next(l for l in open(sys.argv[1]) if l.startswith("CLV (BG/NBD)"))
d = {len(x.split(".")[1]) for x in re.findall(r"(?:total|median|p90) ([0-9.]+)", line)}
sys.exit(len(d) != 1)' "$T/tiny.txt"
check "tiny: no cluster spend printed as 0.00" \
    bash -c "! grep -qE 'spend 0\.00$' '$T/tiny.txt'"
# a column of the text in one style: the Cox p-values (0.811 beside
# 1.22e-92, or 0.000 beside 1e-05, until 2026-12-07) and the churn
# drivers' odds ratios, scientific for all when one needs it, plain for
# all otherwise
python3 - "$T/surv.csv" <<'PY'
import math, random, sys
random.seed(11)
with open(sys.argv[1], "w") as f:
    f.write("customer_id,tenure,churned,strong,noise,weak\n")
    for i in range(600):
        strong = random.random() < 0.5
        noise = random.gauss(0, 1)
        weak = random.gauss(0, 1)
        t = random.expovariate(0.02 * (8 if strong else 1) * math.exp(0.15 * weak))
        cens = random.uniform(0, 60)
        f.write("c%d,%.0f,%s,%s,%.3f,%.3f\n" % (i, min(t, cens) + 1, "yes" if t < cens else "no",
                                               "y" if strong else "n", noise, weak))
PY
"$HORIZON" analyze survival "$T/surv.csv" --covariates strong,noise,weak --summary-only >"$T/surv.txt" 2>&1
check "cox: ran" grep -q "^Cox" "$T/surv.txt"
check "cox: one style of p ($(grep -o ' p [^ ]*$' "$T/surv.txt" | tr '\n' ' '))" python3 -c '
import re, sys
ps = re.findall(r" p (\S+)$", open(sys.argv[1]).read(), re.M)
assert len(ps) == 3, ps
sci = ["e" in p for p in ps]
assert all(sci) or not any(sci), ps
assert any(float(p) < 1e-6 for p in ps) and any(float(p) > 0.01 for p in ps), ps
' "$T/surv.txt"
# with a holdout the text says where customers are measured (it named
# only the as-of date, which read as the date of the segments' recency)
"$HORIZON" analyze segment "$HZ_DATA_DIR/sample_sales.csv" --calibration-end 2024-06-30 --summary-only >"$T/cal.txt" 2>&1
check "calibration end said" grep -q "^calibration end 2024-06-30: customers are measured there" "$T/cal.txt"
"$HORIZON" analyze segment "$HZ_DATA_DIR/sample_sales.csv" --summary-only >"$T/nocal.txt" 2>&1
check "no calibration end, no line" bash -c "! grep -q '^calibration end' '$T/nocal.txt'"
finish
