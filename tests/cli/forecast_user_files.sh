#!/usr/bin/env bash
# A user's own files through horizon forecast / backtest (qa16): shapes
# that behaved wrongly once.  Each block generates its small input.
source "$HZ_SRC/tests/cli/lib.sh"
H=$HORIZON

# ---- group values containing the '|' that joins the levels' names ----
# region 'A|B' x category 'C' and region 'A' x category 'B|C' are both
# named 'A|B|C': the hierarchy put region 'A|B' under region 'A'
awk 'BEGIN {
    print "date,region,category,sales"
    for (m = 0; m < 24; m++) {
        d = sprintf("%d-%02d-01", 2023 + int(m / 12), m % 12 + 1)
        printf "%s,\"A|B\",C,%d\n", d, 100 + m
        printf "%s,A,\"B|C\",%d\n", d, 500 - m
        printf "%s,A,D,%d\n", d, 50 + m % 3
    }
}' >"$T/pipe.csv"
for m in mint bu; do
    expect_exit 1 "contains '|'" -- "$H" forecast "$T/pipe.csv" --date date \
        --value sales --by region,category --reconcile "$m" --horizon 2 \
        -o "$T/pipe_$m.csv"
    check "pipe $m: no output" test ! -e "$T/pipe_$m.csv"
done
# a '|' in a value that names no other group: still no parent to find
# ('West|X' x 'A,B' was summed into a region 'West')
awk 'BEGIN {
    print "date,region,category,sales"
    for (m = 0; m < 24; m++) {
        d = sprintf("%d-%02d-01", 2023 + int(m / 12), m % 12 + 1)
        printf "%s,\"West|X\",\"A,B\",%d\n", d, 30 + m % 4
        printf "%s,North,Toys,%d\n", d, 100 + m
    }
}' >"$T/pipe2.csv"
expect_exit 1 "series 'West|X|A,B' has 3 '|'-separated parts for 2 --by" -- \
    "$H" forecast "$T/pipe2.csv" --date date --value sales \
    --by region,category --reconcile mint --horizon 2 -o "$T/pipe2_o.csv"
check "pipe2: no output" test ! -e "$T/pipe2_o.csv"
# without grouping levels the same file forecasts: no two series share
# a name there
expect_exit 1 "share the name 'A|B|C'" -- "$H" forecast "$T/pipe.csv" \
    --date date --value sales --by region,category --horizon 2 -o "$T/pipe_n.csv"
# one --by column: a '|' inside a value is just a name
"$H" forecast "$T/pipe.csv" --date date --value sales --by region \
    --reconcile bu --horizon 2 --quiet -o "$T/pipe_1.csv" 2>"$T/err"
check "pipe, one level: exit 0" test $? -eq 0
check "pipe, one level: region 'A|B' kept whole" grep -q '^A|B,' "$T/pipe_1.csv"

# a missing group value and an empty quoted one both print as '': two
# series of one name
printf 'date,region,sales\n' >"$T/empty.csv"
for m in 01 02 03 04 05 06 07 08 09 10 11 12; do
    printf '2024-%s-01,,%d\n2024-%s-01,"",%d\n2024-%s-01,N,5\n' \
        "$m" $((10#$m)) "$m" $((20 + 10#$m)) "$m" >>"$T/empty.csv"
done
expect_exit 1 "share the name ''" -- "$H" forecast "$T/empty.csv" \
    --date date --value sales --by region --horizon 2 -o "$T/empty_o.csv"
# the series builder refuses them, so backtest does too
expect_exit 1 "share the name 'A|B|C'" -- "$H" backtest "$T/pipe.csv" \
    --date date --value sales --by region,category --horizon 2

# ---- Latin-1 group values: 'Caf\xe9' and 'Caf\xe8' both show as
# 'Caf\uFFFD' (JSON, reports): two series of one name, refused (exit 1,
# a data problem) with the advice to convert the file; so are two level
# names of a hierarchy ----
printf 'date,store,sales\n2024-01,Caf\xe9,1\n2024-02,Caf\xe9,2\n2024-01,Caf\xe8,10\n2024-02,Caf\xe8,20\n' >"$T/lat.csv"
for out in --json "-o $T/lat_o.csv"; do
    # shellcheck disable=SC2086
    expect_exit 1 "lat.csv: two groups share the name 'Caf"$'\xef\xbf\xbd'"' once their bytes that are not valid UTF-8 are shown as U+FFFD" \
        -- "$H" forecast "$T/lat.csv" --date date --value sales --by store $out
    check "latin-1 ($out): convert to UTF-8" grep -q "convert the file to UTF-8" "$T/err"
    check "latin-1 ($out): no output" test ! -s "$T/out" -a ! -e "$T/lat_o.csv"
done
expect_exit 1 "share the name" -- "$H" backtest "$T/lat.csv" --date date \
    --value sales --by store --horizon 1
awk 'BEGIN { print "date,region,cat,sales"
    for (m = 0; m < 24; m++) {
        d = sprintf("%d-%02d", 2023 + int(m / 12), m % 12 + 1)
        printf "%s,Caf\351,A,%d\n%s,Caf\350,B,%d\n", d, 10 + m, d, 20 + m } }' >"$T/lat2.csv"
"$H" forecast "$T/lat2.csv" --date date --value sales --by region,cat \
    --horizon 2 --quiet -o "$T/lat2.out" 2>"$T/err"
check "latin-1, distinct bottom names: exit 0" test $? -eq 0
expect_exit 1 "reconcile: two groups share the name 'Caf" -- "$H" forecast \
    "$T/lat2.csv" --date date --value sales --by region,cat --reconcile bu \
    --horizon 2
# one store in Latin-1 beside another name: nothing is shared
printf 'date,store,sales\n2024-01,Caf\xe9,1\n2024-02,Caf\xe9,2\n2024-01,Cafe,10\n2024-02,Cafe,20\n' >"$T/lat3.csv"
"$H" forecast "$T/lat3.csv" --date date --value sales --by store --quiet \
    --json >"$T/lat3.json" 2>/dev/null
check "latin-1, no shared name: exit 0" test $? -eq 0

# ---- a duplicated hour (a clock put back) in hourly data: summed, and
# the summary no longer says 'one row per series and hour' alone ----
awk 'BEGIN {
    print "ts,load"
    for (i = 0; i < 96; i++) {
        t = sprintf("2024-10-%02d %02d:00:00", 26 + int(i / 24), i % 24)
        printf "%s,%d\n", t, 100 + i % 24
        if (i == 50)
            printf "%s,%d\n", t, 100 + i % 24
    }
}' >"$T/hourly_dup.csv"
"$H" forecast "$T/hourly_dup.csv" --date ts --value load --horizon 2 \
    -o "$T/hd.csv" 2>"$T/err"
check "duplicate hour: exit 0" test $? -eq 0
check "duplicate hour: said, with the first" grep -q \
    "one row per series and hour, except 1 more row for a period already seen, summed into it (first: 2024-10-28 02:00:00)" \
    "$T/err"
"$H" forecast "$T/hourly_dup.csv" --date ts --value load --horizon 2 \
    --quiet -o "$T/hd.csv" 2>"$T/err"
check "duplicate hour: said even with --quiet" grep -q \
    "1 more row for a period already seen (first: 2024-10-28 02:00:00) summed into it" \
    "$T/err"
"$H" backtest "$T/hourly_dup.csv" --date ts --value load --horizon 2 \
    >/dev/null 2>"$T/err"
check "duplicate hour: said by backtest" grep -q \
    "1 more row for a period already seen (first: 2024-10-28 02:00:00)" "$T/err"
# the same for period labels: ISO week 2024-W20 twice
{
    echo week,units
    for i in $(seq 10 40); do echo "2024-W$i,$i"; done
    echo 2024-W20,5
} >"$T/weeks_dup.csv"
"$H" forecast "$T/weeks_dup.csv" --date week --value units --horizon 2 \
    --quiet -o "$T/wd.csv" 2>"$T/err"
check "duplicate week label: said" grep -q \
    "1 more row for a period already seen (first: 2024-W20) summed into it" \
    "$T/err"

# ---- --intervals conformal on a series too short to hold out values:
# the model's intervals are kept, and the note says so (it was silent) ----
awk 'BEGIN {
    print "date,sales"
    for (i = 0; i < 60; i++)
        printf "2024-%02d-%02d,%d\n", 1 + int(i / 28), 1 + i % 28, 100 + i % 7
}' >"$T/daily.csv"
head -13 "$T/daily.csv" >"$T/d12.csv"
"$H" forecast "$T/d12.csv" --date date --value sales --horizon 3 \
    --model theta --intervals conformal --quiet -o "$T/c.csv" 2>"$T/err"
check "conformal, short: exit 0" test $? -eq 0
check "conformal, short: said in the note" \
    grep -q 'conformal: no series long enough to hold out values (6 of 6 bounds); model intervals kept' "$T/c.csv"
# and on stderr, --quiet or not; it is no fallback (theta ran): until
# 2026-12-07 counted as one, and backtest said nothing but 'fallback yes'
check "conformal, short: said on stderr" grep -q \
    "conformal: no series long enough to hold out values (2 periods, at least 8 values, plus the steps): 1 of 1 series keep the model's intervals" "$T/err"
"$H" forecast "$T/d12.csv" --date date --value sales --horizon 3 \
    --model theta --intervals conformal -o "$T/c.csv" 2>"$T/err"
check "conformal, short: no fallback" grep -q "model theta; 0 with fallbacks" "$T/err"
printf 'month,sales\n' >"$T/m10.csv"
for i in $(seq 1 10); do printf '2024-%02d,%d\n' $i $((i * 3 % 7 + 10)) >>"$T/m10.csv"; done
"$H" backtest "$T/m10.csv" --date month --value sales --horizon 2 --origins 2 \
    --models theta --intervals conformal --per-series "$T/cb.csv" >/dev/null 2>"$T/err"
check "conformal backtest, short: exit 0" test $? -eq 0
check "conformal backtest, short: said" grep -q \
    "theta: conformal intervals could not be calibrated at 2 of the 2 (series, origin) pairs with intervals .*: the model's own intervals were scored there; first: series 'total', cutoff 2024-07" "$T/err"
check "conformal backtest, short: no fallback" \
    awk -F, 'NR > 1 && $12 != "no" {bad = 1} END {exit bad}' "$T/cb.csv"
"$H" forecast "$T/daily.csv" --date date --value sales --horizon 6 \
    --model theta --intervals conformal --quiet -o "$T/c2.csv" 2>"$T/err"
check "conformal, long enough: no note" \
    awk -F, 'NR > 1 && $NF != "" {bad = 1} END {exit bad}' "$T/c2.csv"
check "conformal, long enough: 95% bounds wider than 80%" \
    awk -F, 'NR > 1 && !($4 < $6 || $5 < $7) {bad = 1} END {exit bad || NR != 7}' "$T/c2.csv"
# one series, one step: 5 held-out errors, too few for a 95% quantile
# (19 needed: with 5 the largest covers 5 of 6 outcomes at best) or the
# 80% one's pooling; the largest stood in for both, and the 80% bounds
# were the 95% ones (lo80 = lo95, hi80 = hi95, nothing said); now the
# model's intervals are kept at that step, and the note and stderr say so
"$H" forecast "$T/daily.csv" --date date --value sales --horizon 1 \
    --model theta --intervals conformal --quiet -o "$T/c1.csv" 2>"$T/err"
check "conformal, too few errors: exit 0" test $? -eq 0
check "conformal, too few errors: 80% bounds not the 95% ones" \
    awk -F, 'NR == 2 {ok = $4 != $6 && $5 != $7} END {exit !ok}' "$T/c1.csv"
check "conformal, too few errors: said in the note" grep -q \
    "conformal: too few held-out errors for 95% bounds at the one step (5, at least 19 needed); the model's intervals kept there, every level" "$T/c1.csv"
check "conformal, too few errors: said on stderr with --quiet" grep -q \
    "too few held-out errors for a level's quantile at some steps .*: 1 of 1 series keep the model's intervals at those steps" "$T/err"
"$H" forecast "$T/daily.csv" --date date --value sales --horizon 1 \
    --model theta -o "$T/m1.csv" 2>/dev/null
check "conformal, too few errors: the model's bounds" \
    test "$(cut -d, -f3-7 "$T/c1.csv")" = "$(cut -d, -f3-7 "$T/m1.csv")"
"$H" forecast "$T/daily.csv" --date date --value sales --horizon 1 \
    --model theta --intervals conformal --level 50,75 --quiet -o "$T/c50.csv" 2>"$T/err"
check "conformal, enough errors for 50% and 75%: no note" \
    awk -F, 'NR > 1 && $NF != "" {bad = 1} END {exit bad || NR != 2}' "$T/c50.csv"
# a group with one observation has no bounds (no spread known, its note
# says so); conformal intervals gave it bounds 1e-7 wide, and --reconcile
# then took them for a known variance: the total got bounds where
# without --intervals conformal it has none ('reconciled with 'NEW'')
awk 'BEGIN {
    print "date,sku,sales"
    for (i = 0; i < 40; i++) {
        d = sprintf("%d-%02d-01", 2021 + int(i / 12), i % 12 + 1)
        printf "%s,A,%d\n", d, 100 + (i * 7) % 11
        printf "%s,B,%d\n", d, 60 + (i * 5) % 9
    }
    print "2024-04-01,NEW,50"
}' >"$T/new1.csv"
"$H" forecast "$T/new1.csv" --date date --value sales --by sku --freq month \
    --horizon 2 --intervals conformal --quiet -o "$T/n1.csv" 2>"$T/err"
check "conformal, one observation: exit 0" test $? -eq 0
check "conformal, one observation: no bounds" \
    awk -F, '$1 == "NEW" {n++; if ($4 != "" || $7 != "") bad = 1} END {exit bad || n != 2}' "$T/n1.csv"
check "conformal, one observation: the others have conformal bounds" \
    awk -F, '$1 == "A" {n++; if ($4 == "" || $4 >= $3) bad = 1} END {exit bad || n != 2}' "$T/n1.csv"
"$H" forecast "$T/new1.csv" --date date --value sales --by sku --freq month \
    --horizon 2 --intervals conformal --reconcile bu --quiet -o "$T/n1r.csv" 2>"$T/err"
check "conformal, one observation, bu: the total has no bounds either" \
    awk -F, '$1 == "total" {n++; if ($4 != "" || $0 !~ /no intervals: reconciled with .NEW./) bad = 1} END {exit bad || n != 2}' "$T/n1r.csv"
"$H" backtest "$T/daily.csv" --date date --value sales --horizon 1 --origins 2 \
    --models theta --intervals conformal >/dev/null 2>"$T/err"
check "conformal backtest, too few errors: said" grep -q \
    "theta: conformal intervals could not be calibrated at 2 of the 2" "$T/err"

# ---- a level given twice: two columns lo50, two JSON keys "lo50" ----
expect_exit 2 "--level: 50 given twice in '50,50'" -- "$H" forecast \
    "$T/daily.csv" --date date --value sales --level 50,50 --json
expect_exit 2 "--level: 50 given twice in '0.5,0.5'" -- "$H" forecast \
    "$T/daily.csv" --date date --value sales --level 0.5,0.5 -o "$T/lv.csv"
check "level twice: no output" test ! -e "$T/lv.csv"
expect_exit 2 "--level: 80 given twice" -- "$H" backtest \
    "$T/daily.csv" --date date --value sales --level 80,95,80

# ---- a forecast job keeps what the command says: fallback notes ----
# (job rows had no note, the summary no fills, fallbacks or frequency)
J="$T/jobs"
mkdir -p "$J"
awk 'BEGIN {
    print "date,sku,qty"
    for (i = 0; i < 28; i++) {
        d = sprintf("2024-01-%02d", 1 + i)
        if (i != 20)
            printf "%s,a,%d\n", d, 100 + i % 7
        printf "%s,b,%d\n", d, 50 + i % 3
    }
}' >"$J/d.csv"
HORIZON_STORE="sqlite:$J/s.db" HZ_DATASET_ROOTS="$J" TMPDIR="$J" \
    "$H" submit --type forecast --tenant t --dataset "$J/d.csv" --id j1 \
    --param date=date --param value=qty --param by=sku --param model=dhr \
    --param season=365.25 --param horizon=2 >/dev/null 2>&1
check "job: submitted" test $? -eq 0
HORIZON_STORE="sqlite:$J/s.db" HZ_DATASET_ROOTS="$J" TMPDIR="$J" \
    "$H" run --once >/dev/null 2>&1
check "job: ran" test $? -eq 0
HORIZON_STORE="sqlite:$J/s.db" "$H" jobs results j1 --csv >"$J/r.csv" 2>&1
check "job rows: a note column" grep -q '^kind,series,.*,model,note$' "$J/r.csv"
check "job rows: the fallback's reason" \
    grep -q '^forecast,a,.*no seasonal period shorter than the series' "$J/r.csv"
HORIZON_STORE="sqlite:$J/s.db" "$H" jobs show j1 >"$J/show" 2>&1
check "job summary: fills" grep -q '"filledPeriods":1,' "$J/show"
check "job summary: fallbacks" grep -q '"fallbacks":2,"firstFallback":"a: dhr' "$J/show"
check "job summary: frequency" grep -q '"freqReason":"days (inferred' "$J/show"
# a weekly job on days that end on a Tuesday: the part week is left out
# (the forecast starts with it), and the job's summary says so
awk 'BEGIN { print "date,qty"; for (i = 0; i < 44; i++)
    printf "2024-%02d-%02d,%d\n", 1 + int(i / 31), 1 + i % 31, 10 + i % 7 }' \
    >"$J/w.csv"
HORIZON_STORE="sqlite:$J/s.db" HZ_DATASET_ROOTS="$J" TMPDIR="$J" \
    "$H" submit --type forecast --tenant t --dataset "$J/w.csv" --id j2 \
    --param date=date --param value=qty --param freq=week \
    --param horizon=2 >/dev/null 2>&1 &&
    HORIZON_STORE="sqlite:$J/s.db" HZ_DATASET_ROOTS="$J" TMPDIR="$J" \
        "$H" run --once >/dev/null 2>&1
check "weekly job: ran" test $? -eq 0
HORIZON_STORE="sqlite:$J/s.db" "$H" jobs show j2 >"$J/show2" 2>&1
check "weekly job summary: part week left out" grep -q \
    '"partialLast":{"period":"2024-02-12","days":2,"of":7,"unit":"day","leftOut":true,"rowsLeftOut":2,"seriesLeftOut":0}' \
    "$J/show2"
HORIZON_STORE="sqlite:$J/s.db" "$H" jobs results j2 --csv >"$J/r2.csv" 2>&1
check "weekly job rows: from the part week" \
    grep -q '^forecast,total,2024-02-12,' "$J/r2.csv"

# ---- backtest: products that never sold (MASE has no scale) ----
awk 'BEGIN {
    print "date,sku,qty"
    for (i = 0; i < 60; i++) {
        d = sprintf("2024-%02d-%02d", 1 + int(i / 28), 1 + i % 28)
        printf "%s,never,0\n", d
        printf "%s,late,%d\n", d, i == 59 ? 9 : 0
        printf "%s,sells,%d\n", d, (i * 7) % 5
    }
}' >"$T/zero.csv"
grep -E '^date|,never,' "$T/zero.csv" >"$T/never.csv"
# all pairs unscorable: said so (it was 'no series has the 8 + 3 periods
# needed ... longest 60')
expect_exit 1 "none of the 2 (series, origin) pairs could be scored" -- \
    "$H" backtest "$T/never.csv" --date date --value qty --horizon 7 \
    --origins 2 --models croston,tsb -o "$T/never_o.csv"
check "never: no table" test ! -e "$T/never_o.csv"
"$H" backtest "$T/zero.csv" --date date --value qty --by sku --horizon 7 \
    --origins 2 --models croston,tsb --per-series "$T/ps.csv" \
    -o "$T/bt.csv" 2>"$T/err"
check "zero: exit 0" test $? -eq 0
check "zero: left-out pairs said" \
    grep -q "4 of 6 (series, origin) pairs left out of the table" "$T/err"
check "zero: first named" grep -q "first: series 'late', cutoff" "$T/err"
"$H" backtest "$T/zero.csv" --date date --value qty --by sku --horizon 7 \
    --origins 2 --models croston,tsb >"$T/bt.txt" 2>/dev/null
check "zero: the table counts pairs, not pairs / origins" \
    grep -q "3 series (day) x 2 origin(s): 2 of 6 (series, origin) pairs evaluated" "$T/bt.txt"
check "zero: per-series 'undefined', not 'failed'" \
    awk -F, 'NR > 1 && $1 == "never" && $NF != "undefined" {bad = 1}
             NR > 1 && $1 == "sells" && $NF != "ok" {bad = 1}
             END {exit bad}' "$T/ps.csv"
# too short: the longest series is named, whichever sorts first
printf 'date,sku,qty\n' >"$T/short.csv"
for i in 1 2 3 4 5 6 7 8 9; do
    printf '2024-01-0%d,b,%d\n' "$i" "$i" >>"$T/short.csv"
done
for i in $(seq 10 28); do
    printf '2024-01-%d,b,%d\n2024-01-%d,a,%d\n' "$i" "$i" "$i" $((i % 4)) \
        >>"$T/short.csv"
done
expect_exit 1 "(2 series, longest 28)" -- "$H" backtest "$T/short.csv" \
    --date date --value qty --by sku --horizon 30 --freq day
# ---- a European export: ';' between fields, a decimal comma: without
# --decimal , refused, and the message says why; with it read (1.234,50
# is 1234.5), in a job too; a plain text column stays plain ----
printf 'date;sales\n2024-01-01;200,50\n2024-01-02;1.100,00\n2024-01-03;300\n' >"$T/comma.csv"
expect_exit 2 "its values, such as '200,50', hold a comma: a decimal comma is read with --decimal ," -- \
    "$H" forecast "$T/comma.csv" --date date --value sales
"$H" forecast "$T/comma.csv" --date date --value sales --decimal , \
    --model naive --horizon 1 --quiet -o "$T/comma.out"
check "decimal comma: read" grep -q '^total,2024-01-04,300,' "$T/comma.out"
"$H" inspect "$T/comma.csv" --decimal , >"$T/comma.insp"
check "decimal comma: 1.100,00 is 1100" grep -Eq '^sales +float64 .* 1100 ' "$T/comma.insp"
expect_exit 2 "--decimal: expected . or , got ';'" -- \
    "$H" forecast "$T/comma.csv" --date date --value sales --decimal ';'
{
    printf 'date;sales\n'
    for d in 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20 \
        21 22 23 24 25; do printf '2024-01-%s;1,5\n' $d; done
    printf '2024-01-26;1.5\n'
} >"$T/comma_bad.csv"
expect_exit 1 "comma_bad.csv:27:2: column 'sales': expected a number with a decimal comma, got '1.5'" -- \
    "$H" forecast "$T/comma_bad.csv" --date date --value sales --decimal ,
printf 'date,sales\n2024-01-01,abc\n' >"$T/text.csv"
"$H" forecast "$T/text.csv" --date date --value sales 2>"$T/err"
check "text values: no comma hint" bash -c "! grep -q 'hold a comma' '$T/err'"
check "text values: no sign hint" bash -c "! grep -q 'which is not read' '$T/err'"
# spreadsheet formats: commas between thousands, a currency or a percent
# sign (until 2026-12-07 only 'is string, not numeric')
printf 'month,sales\n2024-01,"1,234.56"\n2024-02,"2,345.10"\n' >"$T/usthou.csv"
expect_exit 2 "its values, such as '1,234.56', hold commas between thousands: give --decimal . to read them" -- \
    "$H" forecast "$T/usthou.csv" --date month --value sales
printf 'month,sales\n2024-01,$100\n2024-02,$50\n' >"$T/usd.csv"
expect_exit 2 "its values, such as '\$100', hold a currency sign, which is not read" -- \
    "$H" forecast "$T/usd.csv" --date month --value sales
# a currency code before or after the number (until 2026-12-07 no hint)
printf 'month,sales\n2024-01,EUR 100\n2024-02,EUR 50\n' >"$T/eur.csv"
expect_exit 2 "its values, such as 'EUR 100', hold a currency code, which is not read" -- \
    "$H" forecast "$T/eur.csv" --date month --value sales
printf 'month,sales\n2024-01,12.50 USD\n2024-02,3 USD\n' >"$T/usdcode.csv"
expect_exit 2 "its values, such as '12.50 USD', hold a currency code, which is not read" -- \
    "$H" forecast "$T/usdcode.csv" --date month --value sales
printf 'month,rate\n2024-01,10%%\n2024-02,5%%\n' >"$T/pct.csv"
expect_exit 2 "its values, such as '10%', hold a percent sign, which is not read" -- \
    "$H" forecast "$T/pct.csv" --date month --value rate
# units from an export with a decimal comma: ';' between fields and a
# point between thousands ('1.234' for 1234, '999' below); until
# 2026-12-07 read as 1.234 beside 999.  Refused unless --decimal says
# which; a point with another number of decimals settles it
printf 'month;units\n2024-01;999\n2024-02;1.234\n2024-03;1.500\n2024-04;870\n' >"$T/thou.csv"
expect_exit 1 "thou.csv:3:2: column 'units': numbers such as '1.234' in a file separated by ';' could be read with a decimal point or as thousands with a point between them" -- \
    "$H" forecast "$T/thou.csv" --date month --value units -o "$T/thou.out"
check "thousands point: no output" test ! -e "$T/thou.out"
"$H" forecast "$T/thou.csv" --date month --value units --decimal , --model naive \
    --horizon 1 --quiet --fitted "$T/thou.fit" -o "$T/thou.out"
check "thousands point, --decimal ,: 1234" grep -q '^total,2024-02,1234,' "$T/thou.fit"
"$H" forecast "$T/thou.csv" --date month --value units --decimal . --model naive \
    --horizon 1 --quiet --fitted "$T/thou.fit" -o "$T/thou.out"
check "thousands point, --decimal .: 1.234" grep -q '^total,2024-02,1.234,' "$T/thou.fit"
printf 'month;price\n2024-01;1.299\n2024-02;1.35\n2024-03;1.319\n' >"$T/price3.csv"
"$H" forecast "$T/price3.csv" --date month --value price --model naive \
    --horizon 1 --quiet -o "$T/price3.out"
check "decimal points of other lengths: read as decimals" grep -q '^total,2024-04,1.319,' "$T/price3.out"
# whole units in the first 10,000 rows (the sample) and a '1.234' after
# them: the whole file decides, as the sample does (until 2026-12-08
# read as 1.234 once past the sample), in a file separated by tabs too
awk 'BEGIN { print "store;month;units";
    for (i = 0; i < 10500; i++)
        printf "s%d;%d-%02d;%s\n", i % 500, 2020 + int(i / 6000), 1 + int(i / 500) % 12,
            i == 10499 ? "1.234" : 100 + i % 50 }' >"$T/thou_late.csv"
expect_exit 1 "thou_late.csv:10501:3: column 'units': numbers such as '1.234' in a file separated by ';' could be read with a decimal point or as thousands" -- \
    "$H" forecast "$T/thou_late.csv" --date month --value units --by store --model naive --horizon 1 -o "$T/thou_late.out"
check "thousands point after the sample: no output" test ! -e "$T/thou_late.out"
tr ';' '\t' <"$T/thou_late.csv" >"$T/thou_late.tsv"
expect_exit 1 "thou_late.tsv:10501:3: column 'units': numbers such as '1.234' in a file separated by tabs" -- \
    "$H" backtest "$T/thou_late.tsv" --date month --value units --by store --model naive --horizon 1
"$H" forecast "$T/thou_late.csv" --date month --value units --by store --decimal , \
    --model naive --horizon 1 --quiet -o "$T/thou_late.out"
check "after the sample, --decimal ,: 1234" grep -q '^s499,2021-10,1234,' "$T/thou_late.out"

# a column the series are not built from whose type changes after the
# rows sampled (10,000) is read as text, not an error, as analyze reads
# such a column (until 2026-12-07 'column 'note': expected an integer,
# got 'S0'' failed the forecast and the backtest); --value stays strict
awk 'BEGIN { print "month,store,units,note";
    for (i = 0; i < 10600; i++)
        printf "%d-%02d,A,%d,%s\n", 2000 + int(i / 12) % 20, 1 + i % 12, 10 + i % 50,
            (i < 10500 ? i % 7 : "S" i % 7) }' >"$T/late_note.csv"
expect_exit 0 "" -- "$H" forecast "$T/late_note.csv" --date month --value units \
    --model naive --horizon 1 --quiet -o "$T/late_note.out"
check "an unused column turning text: forecast written" test -s "$T/late_note.out"
expect_exit 0 "" -- "$H" backtest "$T/late_note.csv" --date month --value units \
    --models naive --horizon 1 -o "$T/late_note_bt.out"
printf 'month,units,signup\n2024-01,10,01/02/2023\n2024-02,5,03/04/2023\n2024-03,5,03/04/2023\n' >"$T/amb_note.csv"
expect_exit 0 "" -- "$H" forecast "$T/amb_note.csv" --date month --value units \
    --model naive --horizon 1 --quiet -o "$T/amb_note.out"
awk 'BEGIN { print "month,store,units,note";
    for (i = 0; i < 10600; i++)
        printf "%d-%02d,A,%s,%d\n", 2000 + int(i / 12) % 20, 1 + i % 12,
            (i == 10550 ? "x1" : "3"), i % 7 }' >"$T/late_units.csv"
expect_exit 1 "late_units.csv:10552:3: column 'units'" -- \
    "$H" forecast "$T/late_units.csv" --date month --value units --model naive --horizon 1 --quiet

# ---- taylor (half-hourly electricity demand, shared data) as a user's
# file of timestamps: read as 30-minute periods, seasons of a day and a
# week, forecast a week ahead by the several-season default ----
TAY="${HZ_SHARED_DATA:-}/classic/classic_series.csv"
if [ -f "$TAY" ]; then
    python3 - "$TAY" >"$T/taylor.csv" <<'PY'
import csv, datetime, sys
t0 = datetime.datetime(2000, 6, 5)  # a Monday, as the data begin
print("timestamp,demand_mw")
for r in csv.DictReader(open(sys.argv[1])):
    if r["series_id"] == "taylor":
        t = t0 + datetime.timedelta(minutes=30 * (int(r["index"]) - 1))
        print(f"{t:%Y-%m-%d %H:%M:%S},{r['value']}")
PY
    "$H" forecast "$T/taylor.csv" --date timestamp --value demand_mw \
        --horizon 336 -o "$T/taylor.out" 2>"$T/err"
    check "taylor: exit 0" test $? -eq 0
    check "taylor: 30-minute periods" grep -q "frequency: 30-minute periods (inferred" "$T/err"
    check "taylor: seasons 48, 336" grep -q "seasons: 48, 336" "$T/err"
    check "taylor: a week of half-hours" test "$(wc -l <"$T/taylor.out")" -eq 337
    check "taylor: from the next half-hour" \
        grep -q '^total,2000-08-28 00:00:00,.*MSTL(48,336)+Theta (log)' "$T/taylor.out"
else
    echo "note: $TAY absent, the taylor file case is skipped"
fi

# ---- a model's note names a value by its date, not only its position
# (croston on a series with a return: the fallback says which day) ----
{
    echo day,qty
    for i in $(seq 0 29); do
        q=$((i % 3))
        [ "$i" = 18 ] && q=-2
        echo "$(date -u -d "2024-01-01 +$i day" +%F),$q"
    done
} >"$T/neg.csv"
"$H" forecast "$T/neg.csv" --date day --value qty --model croston \
    --horizon 1 --quiet -o "$T/neg.out"
check "note: the date beside the position" \
    grep -q 'intermittent: value at position 18 (2024-01-19) is negative; used naive' "$T/neg.out"

# ---- dates with UTC offsets: read as UTC instants, and said so, since
# days are then cut at UTC midnight (00:30+01:00 counts on the day before)
printf 'ts,v\n2024-03-04 23:30:00+01:00,1\n2024-03-05 10:00:00+01:00,2\n2024-03-06 10:00:00+01:00,3\n2024-03-07 00:30:00+01:00,4\n' >"$T/zoned.csv"
"$H" forecast "$T/zoned.csv" --date ts --value v --freq day --horizon 1 \
    --model naive --quiet --json -o "$T/zoned.json" 2>"$T/err"
check "offsets: said, even with --quiet" grep -q \
    "the dates carry UTC offsets (such as +01:00 or Z): they are read as UTC instants, so days are cut and labelled in UTC" "$T/err"
check "offsets: in the JSON" grep -q '"utc_offsets":true' "$T/zoned.json"
check "offsets: 00:30+01:00 on the day before" \
    grep -q '"last_period":"2024-03-06"' "$T/zoned.json"
sed 's/+01:00//' "$T/zoned.csv" >"$T/plain.csv"
"$H" forecast "$T/plain.csv" --date ts --value v --freq day --horizon 1 \
    --model naive --quiet --json -o "$T/plain.json" 2>"$T/err"
check "no offsets: no notice" bash -c "! grep -q 'UTC offsets' '$T/err'"
check "no offsets: days as written" grep -q '"last_period":"2024-03-07"' "$T/plain.json"

finish
