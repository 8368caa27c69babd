#!/usr/bin/env bash
# horizon backtest --by A,B --reconcile M: the base rows of every level
# are what a backtest of that level's own series gives (the total's of
# the summed series: no --by; the regions': --by region; the bottom's:
# --by region,category); the reconciled forecasts of an origin add up
# (total = sum of the regions = sum of the bottom, per step, through
# --per-series), the base ones do not; --json parses; the same for any
# --threads; refusals as horizon forecast's (exit 2).
source "$HZ_SRC/tests/cli/lib.sh"
H=$HORIZON
S="$HZ_DATA_DIR/sample_sales.csv"
[[ -r "$S" ]] || { echo "SKIP: $S missing"; exit 77; }
A=(--date order_date --value revenue --freq month --horizon 6 --origins 3
   --models theta,naive,snaive)

"$H" backtest "$S" "${A[@]}" --by region,category --reconcile mint \
    -o "$T/rec.csv" --per-series "$T/ps.csv" 2>"$T/err"
check "mint: exit 0 ($(head -c 300 "$T/err"))" test $? -eq 0
check "mint: 3 levels x 3 models x base, reconciled" \
    test "$(tail -n +2 "$T/rec.csv" | wc -l)" -eq 18
check "mint: the levels named by their columns" bash -c \
    "cut -d, -f1 '$T/rec.csv' | sort -u | tr '\n' ' ' | grep -qx 'level region region|category total '"

# base rows against the plain backtest of each level's series: the same
# pairs, sMAPE, MASE, coverage, MSIS and SPL (6 digits each)
level_of() { # BY... -> the plain backtest's CSV table
    "$H" backtest "$S" "${A[@]}" "$@" -o "$T/plain.csv" 2>/dev/null
}
same_as_plain() { # LEVEL
    python3 - "$T/rec.csv" "$T/plain.csv" "$1" <<'PY'
import csv, sys
rec = [r for r in csv.DictReader(open(sys.argv[1]))
       if r["level"] == sys.argv[3] and r["reconciled"] == "no"]
plain = {r["model"]: r for r in csv.DictReader(open(sys.argv[2]))}
assert len(rec) == 3, rec
for r in rec:
    p = plain[r["model"]]
    for k in ("evaluated", "smape", "mase", "coverage80", "coverage95",
              "msis", "spl", "fallbacks"):
        if r[k] != p[k]:
            sys.exit(f"{sys.argv[3]} {r['model']} {k}: {r[k]} != {p[k]}")
PY
}
level_of
check "base total = backtest of the summed series" same_as_plain total
level_of --by region
check "base regions = backtest --by region" same_as_plain region
level_of --by region,category
check "base bottom = backtest --by region,category" same_as_plain "region|category"

# the first origin's points (per-series 'points', steps ';'-separated):
# reconciled ones add up at every step, to 1e-9 relative; base ones not
adds_up() { # RECONCILED(yes|no) MODEL -> exit 0 when they add up
    python3 - "$T/ps.csv" "$1" "$2" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1]))
        if r["reconciled"] == sys.argv[2] and r["model"] == sys.argv[3]]
cut = min(r["cutoff"] for r in rows)
pts = {}
for r in rows:
    if r["cutoff"] == cut:
        pts.setdefault(r["level"], []).append(
            [float(v) for v in r["points"].split(";")])
assert len(pts) == 3 and len(pts["total"]) == 1, pts.keys()
assert len(pts["region"]) == 5 and len(pts["region|category"]) == 30
tot = pts["total"][0]
assert len(tot) == 6
for lv in ("region", "region|category"):
    for s in range(6):
        v = sum(p[s] for p in pts[lv])
        if abs(v - tot[s]) > 1e-9 * abs(tot[s]) + 1e-6:
            sys.exit(f"{lv} step {s + 1}: {v} != total {tot[s]}")
PY
}
check "mint: the reconciled points add up" adds_up yes theta
check "mint: snaive's too" adds_up yes snaive
adds_up no theta 2>/dev/null
check "the base points do not (the check can fail)" test $? -ne 0
check "per-series: a row per node, origin, model and kind" \
    test "$(tail -n +2 "$T/ps.csv" | wc -l)" -eq $((36 * 3 * 3 * 2))
check "per-series: the reconciled method says so" \
    grep -q '^total,total,[^,]*,theta,yes,Theta \[mint\],' "$T/ps.csv"

# td, bu, wls too; each adds up
for m in td bu wls; do
    "$H" backtest "$S" "${A[@]}" --by region,category --reconcile "$m" \
        -o "$T/r_$m.csv" --per-series "$T/ps.csv" 2>"$T/err"
    check "$m: exit 0 ($(head -c 300 "$T/err"))" test $? -eq 0
    check "$m: the reconciled points add up" adds_up yes naive
done

# the text table: a line per level and model, base and recon side by side
"$H" backtest "$S" "${A[@]}" --by region,category --reconcile mint \
    >"$T/text" 2>/dev/null
check "text: header says what is compared" \
    grep -q "36 nodes in 3 levels (30 groups, month) x 3 origin(s), horizon 6: each node's own forecast (base) against mint, bias-corrected first (recon)" "$T/text"
check "text: 9 rows" \
    test "$(grep -cE '^(total|region|region\|category) +(theta|naive|snaive) ' "$T/text")" -eq 9
check "text: MASE's change in %" grep -qE '^region\|category +theta +90 .*[-+][0-9]+\.[0-9]%' "$T/text"

# --json: parses, levels in order, base beside reconciled; --threads 1
# and 2 give the same
"$H" backtest "$S" "${A[@]}" --by region,category --reconcile mint --json \
    --threads 1 -o "$T/t1.json" --per-series "$T/p1.csv" 2>/dev/null
"$H" backtest "$S" "${A[@]}" --by region,category --reconcile mint --json \
    --threads 2 -o "$T/t2.json" --per-series "$T/p2.csv" 2>/dev/null
check "json: parses" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["reconcile"] == "mint" and d["bias_correct"] is True
assert [l["level"] for l in d["levels"]] == ["total", "region", "region|category"]
m = d["levels"][2]["models"][0]
assert m["model"] == "theta" and "mase" in m["base"] and "mase" in m["reconciled"]
assert set(m["base"]["coverage"]) == {"80", "95"}' "$T/t1.json"
check "threads: the same per-series rows" cmp -s "$T/p1.csv" "$T/p2.csv"
check "threads: the same scores" python3 -c '
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for x in (a, b):
    for l in x["levels"]:
        for m in l["models"]:
            m.pop("seconds")
assert a == b' "$T/t1.json" "$T/t2.json"

# refusals, as horizon forecast's
B=(--date order_date --value revenue --freq month --horizon 6)
expect_exit 2 "reconciliation needs group columns (--by)" -- \
    "$H" backtest "$S" "${B[@]}" --reconcile mint
expect_exit 2 "--reconcile: expected mint, mint-h, wls, ols, bu or td, got 'tdd'" -- \
    "$H" backtest "$S" "${B[@]}" --by region --reconcile tdd
expect_exit 2 "reconciliation needs series that end together" -- \
    "$H" backtest "$S" "${B[@]}" --by region --long --reconcile td
expect_exit 2 "reconciliation needs series that add up" -- \
    "$H" backtest "$S" "${B[@]}" --by region --agg mean --reconcile bu
expect_exit 2 "--bias-correct on needs --reconcile" -- \
    "$H" backtest "$S" "${B[@]}" --by region --bias-correct on
expect_exit 2 "--report is not written with --reconcile" -- \
    "$H" backtest "$S" "${B[@]}" --by region --reconcile mint --report "$T/r.html"
check "refused: no report written" test ! -e "$T/r.html"
finish
