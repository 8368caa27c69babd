#!/usr/bin/env bash
# horizon forecast --by A,B --reconcile: every method's points add up at
# every level (total = regions = bottom) on the sample data and on a
# hierarchy whose reconciled bottom goes below zero (raised to zero and
# re-summed, so the sums still hold); biases corrected before
# reconciling by default (--bias-correct off leaves them); bad methods
# and a missing --by are
# refused.
source "$HZ_SRC/tests/cli/lib.sh"
H=$HORIZON
S="$HZ_DATA_DIR/sample_sales.csv"
[[ -r "$S" ]] || { echo "SKIP: $S missing"; exit 77; }

# total = sum of the regions = sum of the bottom series, per date, for
# the points (column 3), to 1e-9 relative (the CSV's 10 digits)
cat >"$T/sums.awk" <<'AWK'
BEGIN { FS = ","; bad = 0 }
NR > 1 {
    lvl = ($1 == "total") ? 0 : (index($1, "|") ? 2 : 1)
    v[lvl, $2] += $3; n[lvl]++; dates[$2] = 1
}
END {
    if (n[0] == 0 || n[1] == 0 || n[2] == 0) { print "missing a level"; exit 1 }
    for (d in dates) {
        t = v[0, d]; tol = 1e-9 * (t < 0 ? -t : t) + 1e-6
        for (l = 1; l <= 2; l++)
            if (v[l, d] - t > tol || t - v[l, d] > tol) {
                printf "%s: total %.10g, level %d %.10g\n", d, t, l, v[l, d]
                bad = 1
            }
    }
    exit bad
}
AWK

for m in mint mint-h wls ols bu td; do
    "$H" forecast "$S" --date order_date --value revenue --by region,category \
        --freq month --horizon 6 --reconcile "$m" --quiet -o "$T/$m.csv" 2>"$T/err"
    check "$m: exit 0" test $? -eq 0
    check "$m: 1 + 5 + 30 series x 6" test "$(tail -n +2 "$T/$m.csv" | wc -l)" -eq 216
    check "$m: named in the model column" grep -q "\[$m\]" "$T/$m.csv"
    check "$m: the points add up" awk -f "$T/sums.awk" "$T/$m.csv"
done

# one bottom series falls towards zero: its reconciled points go below
# zero and are raised to it; every level is re-summed from the bottom
awk 'BEGIN {
    print "date,region,category,value"
    for (m = 0; m < 36; m++) {
        d = sprintf("%d-%02d-01", 2022 + int(m / 12), m % 12 + 1)
        v = 60 - 1.8 * m + 6 * sin(1.3 * m)
        if (v < 0)
            v = 0
        printf "%s,A,x,%.2f\n", d, v
        printf "%s,A,y,%.2f\n", d, 1000 + 120 * sin(2.1 * m) + 80 * sin(6.283 * m / 12)
        printf "%s,B,x,%.2f\n", d, 1000 + 110 * cos(1.7 * m) + 80 * sin(6.283 * m / 12)
        printf "%s,B,y,%.2f\n", d, 1000 + 130 * sin(2.9 * m) + 80 * sin(6.283 * m / 12)
    }
}' >"$T/neg.csv"
"$H" forecast "$T/neg.csv" --date date --value value --by region,category \
    --freq month --horizon 12 --reconcile mint -o "$T/neg_f.csv" 2>"$T/err"
check "falling series: exit 0" test $? -eq 0
check "falling series: values raised to zero, said so" grep -q "raised to 0" "$T/err"
check "falling series: a bottom point is zero" \
    awk -F, '$1 == "A|x" && $3 == 0 {z = 1} END {exit !z}' "$T/neg_f.csv"
check "falling series: no point below zero" \
    awk -F, 'NR > 1 && $3 < 0 {bad = 1} END {exit bad}' "$T/neg_f.csv"
check "falling series: the points still add up" awk -f "$T/sums.awk" "$T/neg_f.csv"

# groups that grow steadily: naive forecasts fall short by the slope
# times the step at every node; the default (and --bias-correct on)
# corrects those biases before reconciling (notes, summary, JSON);
# --bias-correct off leaves them
awk 'BEGIN {
    print "date,region,value"
    for (m = 0; m < 48; m++) {
        d = sprintf("%d-%02d-01", 2021 + int(m / 12), m % 12 + 1)
        printf "%s,A,%.2f\n", d, 100 + 2 * m + ((m * 7) % 3 - 1) * 0.5
        printf "%s,B,%.2f\n", d, 100 + 3 * m + ((m * 7 + 1) % 3 - 1) * 0.5
    }
}' >"$T/trend.csv"
"$H" forecast "$T/trend.csv" --date date --value value --by region \
    --model naive --horizon 3 --reconcile mint -o "$T/tr_on.csv" 2>"$T/err"
check "trend: exit 0" test $? -eq 0
check "trend: every node says it was bias-corrected" test \
    "$(grep -c 'bias-corrected at 3 of 3 steps' "$T/tr_on.csv")" -eq 9
check "trend: the summary counts them" \
    grep -q "3 of 3 nodes bias-corrected before mint (9 node steps)" "$T/err"
check "trend: not counted as fallbacks" grep -q "0 with fallbacks" "$T/err"
check "trend: the points add up" awk -F, 'NR > 1 {
        if ($1 == "total") t[$2] = $3; else b[$2] += $3 }
    END { for (d in t) if ((t[d] - b[d])^2 > 1e-8) bad = 1; exit bad || !length(t) }' \
    "$T/tr_on.csv"
# A's last value 194 (+-0.5), its trend 2 a month: step 3 near 200
check "trend: A follows its trend" awk -F, \
    '$1 == "A" && $2 == "2025-03-01" {ok = $3 > 198.5 && $3 < 201.5} END {exit !ok}' \
    "$T/tr_on.csv"
"$H" forecast "$T/trend.csv" --date date --value value --by region \
    --model naive --horizon 3 --reconcile mint --bias-correct off --json \
    -o "$T/tr_off.json" 2>"$T/err"
check "trend, off: exit 0" test $? -eq 0
check "trend, off: JSON says none" \
    grep -q '"reconcile":"mint","bias_corrected_nodes":0,"bias_corrected_steps":0' \
    "$T/tr_off.json"
check "trend, off: no note" bash -c "! grep -q bias-corrected '$T/tr_off.json'"
check "trend, off: no summary line" bash -c "! grep -q 'bias-corrected before' '$T/err'"
check "trend, off: A stays at its last value" bash -c \
    "grep -o '\"date\":\"2025-03-01\",\"point\":19[34][.0-9]*' '$T/tr_off.json' | head -1 | grep -q point"
"$H" forecast "$T/trend.csv" --date date --value value --by region \
    --model naive --horizon 3 --reconcile mint --bias-correct on --json --quiet \
    -o "$T/tr_on.json" 2>"$T/err"
check "trend, JSON: counts" \
    grep -q '"bias_corrected_nodes":3,"bias_corrected_steps":9' "$T/tr_on.json"
"$H" forecast "$T/trend.csv" --date date --value value --by region \
    --model naive --horizon 3 --reconcile mint --bias-correct on -o "$T/tr_on2.csv" 2>"$T/err"
check "trend: --bias-correct on is the default" cmp -s "$T/tr_on.csv" "$T/tr_on2.csv"
# bu takes in the bottom series' forecasts only: the total's correction
# changed nothing, yet its note and the summary counted it (3 of 3
# nodes); td takes in every node's (the total's to split, the others' as
# its forecast proportions; until 2026-12-07 the total's alone)
for m in td bu; do
    "$H" forecast "$T/trend.csv" --date date --value value --by region \
        --model naive --horizon 3 --reconcile "$m" -o "$T/tr_$m.csv" 2>"$T/err_$m"
    check "trend, $m: exit 0" test $? -eq 0
done
check "trend, td: every node says it was corrected" test \
    "$(grep 'bias-corrected' "$T/tr_td.csv" | cut -d, -f1 | sort -u | tr '\n' ' ')" = "A B total "
check "trend, td: the summary counts them" \
    grep -q "3 of 3 nodes bias-corrected before td (9 node steps)" "$T/err_td"
check "trend, bu: only the bottom series say so" test \
    "$(grep 'bias-corrected' "$T/tr_bu.csv" | cut -d, -f1 | sort -u | tr '\n' ' ')" = "A B "
# the correction (by default) and mint-h's covariances after it: the same
# for any --threads
for t in 1 2; do
    "$H" forecast "$S" --date order_date --value revenue --by region,category \
        --freq month --horizon 6 --reconcile mint-h \
        --threads "$t" --quiet -o "$T/bc_t$t.csv" 2>"$T/err"
    check "bias-corrected mint-h, $t threads: exit 0" test $? -eq 0
done
check "bias-corrected mint-h: some node corrected" grep -q bias-corrected "$T/bc_t1.csv"
check "bias-corrected mint-h: identical for 1 and 2 threads" cmp -s "$T/bc_t1.csv" "$T/bc_t2.csv"
check "bias-corrected mint-h: the points add up" awk -f "$T/sums.awk" "$T/bc_t1.csv"
# hundreds of nodes: the reconciliation's BLAS runs on one thread, so the
# digits do not depend on --threads (they did from about 100 nodes)
"$H" gen --kind products --products 20 --months 24 -o "$T/p20.csv" 2>/dev/null
for m in mint ols; do
    for t in 1 2 7; do
        "$H" forecast "$T/p20.csv" --date date --value quantity --by region,product_id \
            --freq week --horizon 4 --reconcile "$m" --threads "$t" --quiet \
            -o "$T/big_${m}_$t.csv" 2>/dev/null
    done
    check "$m, 300+ nodes: more than 100 series" test "$(cut -d, -f1 "$T/big_${m}_1.csv" | sort -u | wc -l)" -gt 100
    check "$m, 300+ nodes: identical for 1, 2 and 7 threads" \
        bash -c "cmp -s '$T/big_${m}_1.csv' '$T/big_${m}_2.csv' && cmp -s '$T/big_${m}_1.csv' '$T/big_${m}_7.csv'"
done

# a product launched in the last 6 of 36 months: with --reconcile it was
# padded with 30 leading zeros (an intermittent model, forecast 34.6
# instead of 52.6; diagnostics n = nobs = 36). Its own history now: the
# forecast of bu without the bias correction is the unreconciled one,
# the diagnostics give n 6, nobs 6; the total counts its rows
awk 'BEGIN {
    print "date,product,units"
    for (i = 0; i < 36; i++) {
        d = sprintf("%d-%02d-01", 2021 + int(i / 12), i % 12 + 1)
        printf "%s,OLD,%d\n", d, 100 + i % 3
        if (i >= 30) printf "%s,NEW,%d\n", d, 50 + (i % 2) * 4
    }
}' >"$T/newprod.csv"
"$H" forecast "$T/newprod.csv" --date date --value units --by product \
    --horizon 2 --reconcile bu --bias-correct off --diagnostics "$T/np_d.csv" \
    -o "$T/np_bu.csv" 2>"$T/err"
check "late product: exit 0" test $? -eq 0
"$H" forecast "$T/newprod.csv" --date date --value units --by product \
    --horizon 2 -o "$T/np_plain.csv" 2>"$T/err"
check "late product: bu's forecast is its own, as without --reconcile" \
    test "$(grep '^NEW,' "$T/np_bu.csv" | cut -d, -f3)" = \
    "$(grep '^NEW,' "$T/np_plain.csv" | cut -d, -f3)"
check "late product: diagnostics n 6, nobs 6, filled 0" \
    awk -F, '$1 == "NEW" && $(NF - 14) == 6 && $(NF - 13) == 6 && $(NF - 12) == 0 {ok = 1}
        END {exit !ok}' "$T/np_d.csv"
check "late product: the total holds 42 rows over 36 months" \
    grep -q '^total,.*,36,42,0,' "$T/np_d.csv"
for m in mint wls; do
    "$H" forecast "$T/newprod.csv" --date date --value units --by product \
        --horizon 2 --reconcile "$m" -o "$T/np_$m.csv" 2>"$T/err"
    check "late product, $m: exit 0" test $? -eq 0
    check "late product, $m: near its own level (50-54)" awk -F, \
        '$1 == "NEW" {n++; if ($3 < 50 || $3 > 55) bad = 1} END {exit bad || n != 2}' \
        "$T/np_$m.csv"
done
# a product whose only row is in the last month: no intervals, nor for
# the total it goes into (said in its note); mint refuses it by name
awk 'BEGIN {
    print "date,product,units"
    for (i = 0; i < 36; i++) {
        d = sprintf("%d-%02d-01", 2021 + int(i / 12), i % 12 + 1)
        printf "%s,OLD,%d\n", d, 100 + i % 3
    }
    print "2023-12-01,NEW,50"
}' >"$T/lastrow.csv"
"$H" forecast "$T/lastrow.csv" --date date --value units --by product \
    --horizon 2 --reconcile bu -o "$T/lr_bu.csv" 2>"$T/err"
check "last-month product, bu: exit 0" test $? -eq 0
check "last-month product, bu: its naive 50" grep -q '^NEW,2024-01-01,50,,,,,' "$T/lr_bu.csv"
check "last-month product, bu: the total has no bounds, and says why" \
    grep -q "^total,2024-01-01,[0-9.]*,,,,,.*no intervals: reconciled with 'NEW'" \
    "$T/lr_bu.csv"
expect_exit 1 "node 'NEW' has none" -- \
    "$H" forecast "$T/lastrow.csv" --date date --value units --by product \
    --horizon 2 --reconcile mint

# the same with a long name of 3-byte characters: the notes naming it
# were cut mid-character by their length (the CSV no longer UTF-8) and
# lost their end; the name is now shortened whole, with "..."
long=$(printf '日%.0s' $(seq 1 60))
awk -v n="$long" 'BEGIN {
    print "date,product,units"
    for (i = 0; i < 36; i++) {
        d = sprintf("%d-%02d-01", 2021 + int(i / 12), i % 12 + 1)
        printf "%s,OLD,%d\n", d, 100 + i % 3
    }
    printf "2023-12-01,%s,50\n", n
}' >"$T/lastrow_long.csv"
"$H" forecast "$T/lastrow_long.csv" --date date --value units --by product \
    --horizon 2 --reconcile bu -o "$T/lrl_bu.csv" 2>"$T/err"
check "long name, bu: exit 0" test $? -eq 0
check "long name, bu: the output is UTF-8" iconv -f UTF-8 -t UTF-8 -o /dev/null "$T/lrl_bu.csv"
check "long name, bu: the note ends whole" \
    grep -q "^total,.*no intervals: reconciled with '日日日*\.\.\.', which has none\"$" \
    "$T/lrl_bu.csv"

# two months: every node has one in-sample error, no two shared; the
# refusal said "needs in-sample residuals of every node", which each had
printf 'date,g,value\n2024-01-01,A,5\n2024-01-01,B,6\n2024-02-01,A,7\n2024-02-01,B,9\n' \
    >"$T/two.csv"
expect_exit 1 "reconcile: mint weighs the nodes by their in-sample errors in the periods they share, and their histories share fewer than 2 such periods" -- \
    "$H" forecast "$T/two.csv" --date date --value value --by g --horizon 1 \
    --reconcile mint

# a region named 'total' would share its name with the top level: two
# rows 'total' that could not be told apart (until 2026-12-07 written so,
# exit 0); refused with any --by depth, and nothing written
awk 'BEGIN { print "month,region,cat,units";
    for (m = 1; m <= 24; m++) for (r = 0; r < 2; r++) for (c = 0; c < 2; c++)
        printf "%d-%02d,%s,%s,%d\n", 2022 + int((m - 1) / 12),
            (m - 1) % 12 + 1, r ? "total" : "B", c ? "X" : "Y", 10 + (m * 7 + r + c) % 9 }' \
    >"$T/totname.csv"
expect_exit 1 "reconcile: two nodes of the hierarchy share the name 'total'" -- \
    "$H" forecast "$T/totname.csv" --date month --value units --by region \
    --horizon 2 --reconcile bu -o "$T/totname.out"
check "region 'total': no output" test ! -e "$T/totname.out"
expect_exit 1 "share the name 'total'" -- \
    "$H" forecast "$T/totname.csv" --date month --value units --by region,cat \
    --horizon 2 --reconcile mint
"$H" forecast "$T/totname.csv" --date month --value units --by region \
    --horizon 2 --quiet -o "$T/totname.out" 2>/dev/null
check "region 'total' without --reconcile: one series of that name" \
    test "$(grep -c '^total,' "$T/totname.out")" -eq 2

# a non-negative total over a declining series and one always below
# zero: the reconciled total goes below zero; its bounds were raised to 0
# above the point (lo80 = 0 > point). Bounds now bracket every point in
# order (lo95 <= lo80 <= point <= hi80 <= hi95), and the total's note
# says why it is below zero; with --nonnegative on the negative series
# is raised and the total re-summed, its bounds moved with it
awk 'BEGIN {
    print "date,g,value"
    for (m = 0; m < 36; m++) {
        d = sprintf("%d-%02d", 2021 + int(m / 12), m % 12 + 1)
        a = 100 - 1.5 * m + 5 * sin(2.1 * m); r = -(60 + 5 * cos(1.3 * m))
        if (a + r < 0) r = -a + 0.5
        printf "%s,A,%.2f\n%s,R,%.2f\n", d, a, d, r
    }
}' >"$T/negr.csv"
cat >"$T/order.awk" <<'AWK'
BEGIN { FS = ","; bad = 0 }
NR > 1 && !($6 <= $4 && $4 <= $3 && $3 <= $5 && $5 <= $7) {
    print "out of order: " $0; bad = 1
}
END { exit bad }
AWK
for m in bu mint; do
    "$H" forecast "$T/negr.csv" --date date --value value --by g \
        --reconcile "$m" --horizon 12 -o "$T/negr_$m.csv" 2>"$T/err"
    check "negative child, $m: exit 0" test $? -eq 0
    check "negative child, $m: bounds bracket every point" \
        awk -f "$T/order.awk" "$T/negr_$m.csv"
    check "negative child, $m: the total below zero says why" \
        grep -q "^total,.*,-.*reconciled point below zero .*('R')" "$T/negr_$m.csv"
    "$H" forecast "$T/negr.csv" --date date --value value --by g \
        --reconcile "$m" --horizon 12 --nonnegative on -o "$T/negr_on.csv" 2>"$T/err"
    check "--nonnegative on, $m: exit 0" test $? -eq 0
    check "--nonnegative on, $m: bounds bracket every point" \
        awk -f "$T/order.awk" "$T/negr_on.csv"
    check "--nonnegative on, $m: no point below zero" \
        awk -F, 'NR > 1 && $3 < 0 {bad = 1} END {exit bad}' "$T/negr_on.csv"
    check "--nonnegative on, $m: the points add up" awk -F, 'NR > 1 {
            if ($1 == "total") t[$2] = $3; else b[$2] += $3 }
        END { for (d in t) if ((t[d] - b[d])^2 > 1e-8) bad = 1; exit bad || !length(t) }' \
        "$T/negr_on.csv"
    # (bu raises nothing after reconciling here: R's base forecast was)
    if [[ $m == mint ]]; then
        check "--nonnegative on, $m: the notice says it was asked for" \
            grep -q "raised to 0 in [0-9]* series, as --nonnegative on asks" "$T/err"
    fi
done

# a product that never sold: its residuals are all zero, which made
# wls, mint and mint-h's W singular (exit 2, no node named); it keeps its
# forecast of 0 and the rest are reconciled
awk 'BEGIN {
    print "date,g,value"
    for (m = 0; m < 24; m++) {
        d = sprintf("%d-%02d", 2022 + int(m / 12), m % 12 + 1)
        printf "%s,A,%.2f\n", d, 100 + 10 * sin(1.7 * m)
        printf "%s,B,%.2f\n", d, 50 + 5 * cos(2.3 * m)
        printf "%s,Z,0\n", d
    }
}' >"$T/zleaf.csv"
for m in mint wls mint-h; do
    "$H" forecast "$T/zleaf.csv" --date date --value value --by g \
        --reconcile "$m" --horizon 3 -o "$T/z_$m.csv" 2>"$T/err"
    check "never-sold leaf, $m: exit 0" test $? -eq 0
    check "never-sold leaf, $m: its points and bounds stay 0" awk -F, \
        '$1 == "Z" {n++; if ($3 != 0 || $4 != 0 || $7 != 0) bad = 1}
         END {exit bad || n != 3}' "$T/z_$m.csv"
    check "never-sold leaf, $m: the points add up" awk -F, 'NR > 1 {
            if ($1 == "total") t[$2] = $3; else b[$2] += $3 }
        END { for (d in t) if ((t[d] - b[d])^2 > 1e-8) bad = 1; exit bad || !length(t) }' \
        "$T/z_$m.csv"
done

# 28 months of seasonal sales: each node's model is the long
# "Mean(Combo(...) x seasonal index[12]+SNaive)"; the method after it was
# cut by a 64-byte field ("... [mint" for mint-h, "... [mint" for mint)
awk 'BEGIN {
    print "date,g,value"
    for (m = 0; m < 28; m++) {
        d = sprintf("%d-%02d-01", 2022 + int(m / 12), m % 12 + 1)
        s = sin(6.2831853 * m / 12)
        printf "%s,A,%.2f\n", d, 100 + 40 * s + 3 * cos(5 * m)
        printf "%s,B,%.2f\n", d, 80 + 30 * s + 3 * sin(7 * m)
    }
}' >"$T/short.csv"
for m in mint mint-h; do
    "$H" forecast "$T/short.csv" --date date --value value --by g --freq month \
        --horizon 2 --reconcile "$m" --quiet -o "$T/short_$m.csv" 2>"$T/err"
    check "short seasonal history, $m: exit 0" test $? -eq 0
    check "short seasonal history, $m: a long model name" \
        grep -q '^total,.*"Mean(Combo(.*+SNaive)' "$T/short_$m.csv"
    check "short seasonal history, $m: every model ends in [$m]" awk -F'"' -v m="$m" \
        'NR > 1 {n++; if (substr($2, length($2) - length(m) - 1) != "[" m "]") bad = 1}
         END {exit bad || n != 6}' "$T/short_$m.csv"
done

# sales and their returns whose net total sums to 0 over the history:
# td's historical shares did not exist; each bottom series got half the
# total's forecast (returns +12.2 beside sales +12.2, exit 0); their
# forecasts (td's proportions since 2026-12-07) nearly cancel out too:
# refused by name, nothing written. A hierarchy that never sold keeps
# its zeros
awk 'BEGIN {
    print "date,kind,value"
    for (m = 0; m < 24; m++) {
        d = sprintf("%d-%02d-01", 2022 + int(m / 12), m % 12 + 1)
        printf "%s,sales,%.2f\n", d, 100 + 5 * m
        printf "%s,returns,%.2f\n", d, -(100 + 5 * m) + (m - 11.5) * 2
    }
}' >"$T/net0.csv"
expect_exit 1 "td splits each node's forecast by its children's forecast proportions, and the base forecasts of the series under 'total' nearly cancel out at step 1: they sum to 24.4999" -- \
    "$H" forecast "$T/net0.csv" --date date --value value --by kind --freq month \
    --horizon 2 --reconcile td -o "$T/net0.out"
check "net total of 0, td: nothing written" test ! -e "$T/net0.out"
"$H" forecast "$T/net0.csv" --date date --value value --by kind --freq month \
    --horizon 2 --reconcile bu --quiet -o "$T/net0_bu.csv" 2>"$T/err"
check "net total of 0, bu: exit 0" test $? -eq 0
# a net total that nearly cancels out (0.5 a month out of 1,000 sold):
# the shares multiplied the total's forecast (sales 639 for 0.32, exit
# 0); refused by the rule, naming the series with the largest share
awk 'BEGIN {
    print "date,kind,value"
    for (m = 0; m < 24; m++) {
        d = sprintf("%d-%02d-01", 2022 + int(m / 12), m % 12 + 1)
        s = 1000 + 50 * sin(m)
        printf "%s,sales,%.2f\n", d, s
        printf "%s,returns,%.2f\n", d, -(s - 0.5)
    }
}' >"$T/near0.csv"
expect_exit 1 "the base forecasts of the series under 'total' nearly cancel out at step 1: they sum to 0.57" -- \
    "$H" forecast "$T/near0.csv" --date date --value value --by kind --freq month \
    --horizon 2 --reconcile td -o "$T/near0.out"
check "nearly cancelling total, td: names the sales" grep -q "more than 10 times that (such as sales and their returns); 'sales' (forecast" "$T/err"
check "nearly cancelling total, td: nothing written" test ! -e "$T/near0.out"
# a product with one observation has no bounds of its own; td splits the
# total's, so its row has bounds and its note says where they come from
# (it said "no intervals from one observation" beside them)
awk 'BEGIN {
    print "date,region,sku,qty"
    for (m = 0; m < 30; m++) {
        d = sprintf("%d-%02d-01", 2022 + int(m / 12), m % 12 + 1)
        printf "%s,A,x,%d\n", d, 100 + m
        printf "%s,A,y,%d\n", d, 50 + m % 5
        if (m == 29) printf "%s,C,one,7\n", d
    }
}' >"$T/one.csv"
"$H" forecast "$T/one.csv" --date date --value qty --by region,sku --freq month \
    --horizon 2 --reconcile td --quiet -o "$T/one_td.csv" 2>"$T/err"
check "one observation, td: exit 0" test $? -eq 0
check "one observation, td: bounds, and no note saying there are none" awk -F, '
    $1 == "C|one" { n++; if ($4 == "" || $0 ~ /no intervals/ || $0 !~ /bounds: its share of the total/) bad = 1 }
    END { exit bad || n != 2 }' "$T/one_td.csv"
awk -F, '{ $3 = 0; print }' OFS=, "$T/net0.csv" | sed '1s/.*/date,kind,value/' >"$T/zero.csv"
"$H" forecast "$T/zero.csv" --date date --value value --by kind --freq month \
    --horizon 2 --reconcile td --quiet -o "$T/zero_td.csv" 2>"$T/err"
check "never sold, td: exit 0" test $? -eq 0
check "never sold, td: every point 0" \
    awk -F, 'NR > 1 {n++; if ($3 != 0) bad = 1} END {exit bad || n != 6}' "$T/zero_td.csv"

# a product that stopped selling a year ago (zero rows, or no rows: the
# fill makes them zeros) under td: until 2026-12-07 td split the total by
# the whole history's proportions and sold 'N|gone' at 29% of the
# region's forecast (its share when it sold); td splits by forecast
# proportions now (fable's top_down default), and its forecast is 0
awk 'BEGIN {
    print "date,region,sku,qty"
    for (m = 0; m < 36; m++) {
        d = sprintf("%d-%02d-01", 2022 + int(m / 12), m % 12 + 1)
        printf "%s,N,keep,%d\n", d, 100 + m % 4
        printf "%s,N,gone,%d\n", d, m < 24 ? 60 + m % 3 : 0
        printf "%s,S,other,%d\n", d, 80 + m % 5
        if (m < 24) printf "%s,S,ended,%d\n", d, 30 + m % 2
    }
}' >"$T/gone.csv"
"$H" forecast "$T/gone.csv" --date date --value qty --by region,sku --freq month \
    --horizon 3 --reconcile td --quiet -o "$T/gone_td.csv" 2>"$T/err"
check "discontinued, td: exit 0" test $? -eq 0
check "discontinued, td: the zero rows' product sells nothing" \
    awk -F, '$1 == "N|gone" {n++; if ($3 > 0.5) bad = 1} END {exit bad || n != 3}' "$T/gone_td.csv"
check "discontinued, td: the product without rows sells nothing" \
    awk -F, '$1 == "S|ended" {n++; if ($3 > 0.5) bad = 1} END {exit bad || n != 3}' "$T/gone_td.csv"
check "discontinued, td: the total goes to the products that sell" \
    awk -F, '$1 == "total" {t += $3} $1 == "N|keep" || $1 == "S|other" {k += $3}
        END {exit !(t > 500 && (t - k)^2 < 1e-6)}' "$T/gone_td.csv"
check "discontinued, td: the points add up" awk -f "$T/sums.awk" "$T/gone_td.csv"

# a --by column given twice made a level of copies ('A' and 'A|A', a
# hierarchy of its own with --reconcile, exit 0); refused as usage
expect_exit 2 "--by: column 'kind' given twice in 'kind,kind'" -- \
    "$H" forecast "$T/net0.csv" --date date --value value --by kind,kind \
    --horizon 2 --reconcile bu -o "$T/twice.out"
check "--by twice: nothing written" test ! -e "$T/twice.out"
expect_exit 2 "--by: column 'kind' given twice" -- \
    "$H" backtest "$T/net0.csv" --date date --value value --by kind,date,kind \
    --horizon 2

# statsforecast's long format, read so without --long: refused with
# --reconcile, and the message said "(not --long)" to a user who never
# typed it; it now says how to read the file so that it can be
printf 'unique_id,ds,y\n' >"$T/sf.csv"
for m in 1 2 3 4 5 6 7 8 9; do
    printf 'A,2024-0%d-01,%d\nB,2024-0%d-01,%d\n' "$m" $((10 + m % 3)) "$m" $((20 + m % 4))
done >>"$T/sf.csv"
expect_exit 2 "read it as a table (--date ds --value y --by unique_id, without --long)" -- \
    "$H" forecast "$T/sf.csv" --horizon 2 --reconcile bu
"$H" forecast "$T/sf.csv" --date ds --value y --by unique_id --horizon 2 \
    --reconcile bu --quiet -o "$T/sf_bu.csv" 2>"$T/err"
check "statsforecast file as a table: reconciled, exit 0" test $? -eq 0
check "statsforecast file as a table: total, A and B" \
    test "$(cut -d, -f1 "$T/sf_bu.csv" | sort -u | tr '\n' ' ')" = "A B series total "
# a long file of the user's own columns: the message named statsforecast's
# (--date ds --value y --by unique_id), which this file does not have
sed '1s/.*/sku,day,qty/' "$T/sf.csv" >"$T/own.csv"
expect_exit 2 "read it as a table (--date day --value qty --by sku, without --long)" -- \
    "$H" forecast "$T/own.csv" --long --by sku --date day --value qty \
    --horizon 2 --reconcile bu

expect_exit 2 "--bias-correct on needs --reconcile" -- \
    "$H" forecast "$T/trend.csv" --date date --value value --bias-correct on
"$H" forecast "$T/trend.csv" --date date --value value --model naive \
    --horizon 3 --bias-correct off -o "$T/plain_off.csv" 2>"$T/err"
check "--bias-correct off without --reconcile: nothing to turn off, exit 0" \
    test $? -eq 0
expect_exit 2 "--bias-correct: expected on or off, got 'yes'" -- \
    "$H" forecast "$T/trend.csv" --date date --value value --by region \
    --reconcile mint --bias-correct yes

expect_exit 2 "expected mint, mint-h, wls, ols, bu or td, got 'foo'" -- \
    "$H" forecast "$S" --date order_date --value revenue --by region --reconcile foo
expect_exit 2 "needs group columns" -- \
    "$H" forecast "$S" --date order_date --value revenue --reconcile mint
finish
