#!/usr/bin/env bash
# horizon forecast / backtest: help, exit codes, errors naming the column,
# CSV/JSON output shape, fallbacks on short series, thread determinism,
# long-format input.
source "$HZ_SRC/tests/cli/lib.sh"
H=$HORIZON
S="$HZ_DATA_DIR/sample_sales.csv"
[[ -r "$S" ]] || { echo "SKIP: $S missing"; exit 77; }

"$H" forecast --help >"$T/h" 2>&1
check "forecast --help" grep -q -- "--horizon N" "$T/h"
"$H" backtest --help >"$T/h" 2>&1
check "backtest --help" grep -q -- "--origins K" "$T/h"

expect_exit 2 "missing input" -- "$H" forecast
expect_exit 2 "missing --date" -- "$H" forecast "$S" --value revenue
expect_exit 3 "" -- "$H" forecast "$T/nope.csv" --date order_date --value revenue
expect_exit 2 "--horizon" -- "$H" forecast "$S" --date order_date --value revenue --horizon 0
expect_exit 2 "--horizon" -- "$H" forecast "$S" --date order_date --value revenue --horizon -3
expect_exit 2 "no column 'revnue'" -- "$H" forecast "$S" --date order_date --value revnue
expect_exit 2 "'region'" -- "$H" forecast "$S" --date order_date --value region
expect_exit 2 "not a date" -- "$H" forecast "$S" --date quantity --value revenue
expect_exit 2 "--freq" -- "$H" forecast "$S" --date order_date --value revenue --freq fortnight
expect_exit 2 "--model" -- "$H" forecast "$S" --date order_date --value revenue --model prophet
expect_exit 2 "--level" -- "$H" forecast "$S" --date order_date --value revenue --level 80,100

# grouped monthly forecast, CSV
"$H" forecast "$S" --date order_date --value revenue --by region --freq month \
    --horizon 6 -o "$T/f.csv" 2>"$T/err"
check "forecast exit 0" test $? -eq 0
check "header" test "$(head -1 "$T/f.csv")" = "series,date,point,lo80,hi80,lo95,hi95,model,note"
check "5 regions x 6 rows" test "$(tail -n +2 "$T/f.csv" | wc -l)" -eq 30
check "summary on stderr" grep -q "5 series (month, period 12)" "$T/err"
# a season that is not whole: the summary names the period the models of
# several seasons use and the rounded one of the others (until 2026-12-07
# 'period 3' for --season 2.5, which MSTL used as 2.5)
"$H" forecast "$S" --date order_date --value revenue --freq month --season 2.5 \
    --horizon 1 --model mstl -o "$T/s25.csv" 2>"$T/err"
check "season 2.5: summary" grep -q "1 series (month, period 2.5, 3 for models of one whole-number period)" "$T/err"
check "season 2.5: MSTL used 2.5" grep -q "MSTL(2.5)" "$T/s25.csv"
check "ETS chosen" grep -q "ETS(" "$T/f.csv"
# intervals are ordered lo95 <= lo80 <= point <= hi80 <= hi95
check "interval order" awk -F, 'NR>1 && !($6<=$4 && $4<=$3 && $3<=$5 && $5<=$7) {bad=1} END {exit bad}' "$T/f.csv"

# same result with 1 and 2 threads
"$H" forecast "$S" --date order_date --value revenue --by region,category \
    --freq month --threads 1 --quiet -o "$T/t1.csv"
"$H" forecast "$S" --date order_date --value revenue --by region,category \
    --freq month --threads 2 --quiet -o "$T/t2.csv"
check "thread determinism" cmp -s "$T/t1.csv" "$T/t2.csv"
check "region|category keys" grep -q '^[A-Za-z]*|[A-Za-z]*,' "$T/t1.csv"

# JSON
"$H" forecast "$S" --date order_date --value revenue --freq quarter \
    --horizon 4 --model theta --json --quiet >"$T/f.json"
check "json freq" grep -q '"freq":"quarter"' "$T/f.json"
check "json forecast" grep -q '"forecast":\[{"date":' "$T/f.json"

# short series fall back with a note, never failing the run
printf 'd,g,v\n2024-06-01,a,5\n2024-07-01,a,6\n2024-01-01,b,1\n2024-02-01,b,2\n2024-03-01,b,4\n2024-04-01,b,3\n2024-05-01,b,5\n2024-06-01,b,6\n2024-07-01,b,8\n' >"$T/short.csv"
"$H" forecast "$T/short.csv" --date d --value v --by g --horizon 3 --quiet -o "$T/s.csv"
check "short run ok" test $? -eq 0
check "fallback note" grep -q '^a,.*used naive' "$T/s.csv"
# weekly data with a few repeated rows (a series with repeats, not
# transactions) and one row skipped: its week is a missing value, refused
python3 -c "
import datetime as d
print('week,sales')
for i in range(60):
    w = (d.date(2023, 1, 2) + d.timedelta(weeks=i)).isoformat()
    print(f'{w},{\"abc\" if i == 30 else 100 + i}')
    if i % 4 == 0: print(f'{w},5')" >"$T/wrep.csv"
expect_exit 1 "has no row for 1 period" -- \
    "$H" forecast "$T/wrep.csv" --date week --value sales --on-error skip -o "$T/wrep_out.csv"
check "weekly repeats, skipped row: no output" test ! -e "$T/wrep_out.csv"
# a fallback's note names the model that failed (theta's message comes
# from the SES inside it)
printf 'year,v\n2021,10\n2022,12\n2023,13\n' >"$T/y3.csv"
"$H" forecast "$T/y3.csv" --date year --value v --horizon 1 --quiet -o "$T/y3_out.csv"
check "fallback chain names each model" grep -q 'used theta; theta: ets: no model could be fitted to 3 observations; used naive' "$T/y3_out.csv"
# one observation: no bounds, and the note says why (not a fallback)
printf 'date,sales\n2024-01,5\n' >"$T/one.csv"
for m in naive croston; do
    "$H" forecast "$T/one.csv" --date date --value sales --model $m --horizon 2 -o "$T/one_$m.csv" 2>"$T/one_err"
    check "one observation, $m: empty bounds, noted" grep -q '^total,2024-02,5,,,,,[A-Za-z(0-9.)]*,no intervals from one observation$' "$T/one_$m.csv"
    check "one observation, $m: not a fallback" grep -q '0 with fallbacks' "$T/one_err"
done

# a series whose forecast leaves the range of a double is refused (exit 1,
# its name and the reason), never written with empty points
printf 'date,sales\n2024-01,1e308\n2024-02,1.7e308\n2024-03,1.7e308\n2024-04,1.7e308\n' >"$T/huge.csv"
for m in drift auto; do
    expect_exit 1 "series 'total' could not be forecast (1 of 1 series): step 1 of the" -- \
        "$H" forecast "$T/huge.csv" --date date --value sales --model $m --horizon 2 -o "$T/huge_$m.csv"
    check "no output for a refused forecast ($m)" test ! -e "$T/huge_$m.csv"
done

# long format (series_id,date,value) with YYYY-MM periods
printf 'series_id,period,value\n' >"$T/long.csv"
for i in $(seq 1 30); do printf 'X,%04d-%02d,%d\n' $((2000 + (i - 1) / 12)) $(((i - 1) % 12 + 1)) $((100 + i)) >>"$T/long.csv"; done
for i in $(seq 1 20); do printf 'Y,%04d-%02d,%d\n' $((2010 + (i - 1) / 12)) $(((i - 1) % 12 + 1)) $((50 + i % 3)) >>"$T/long.csv"; done
"$H" forecast "$T/long.csv" --long --by series_id --date period --value value \
    --horizon 2 --quiet -o "$T/l.csv"
check "long X continues its own calendar" grep -q '^X,2002-07,' "$T/l.csv"
check "long Y continues its own calendar" grep -q '^Y,2011-09,' "$T/l.csv"

# backtest
"$H" backtest "$S" --date order_date --value revenue --by region --freq month \
    --horizon 6 --origins 2 --models theta,naive >"$T/b.txt" 2>"$T/err"
check "backtest exit 0" test $? -eq 0
check "backtest table" grep -q "^theta " "$T/b.txt"
check "backtest naive2 row" grep -q "^naive2 " "$T/b.txt"
expect_exit 2 "unknown model 'xyz'" -- "$H" backtest "$S" --date order_date --value revenue --models xyz
check "backtest MSIS and SPL columns" grep -q "MSIS *SPL" "$T/b.txt"

# conformal intervals (issue 16 item 5): same points, other bounds
"$H" forecast "$S" --date order_date --value revenue --by region --freq month \
    --horizon 6 --model theta --quiet -o "$T/m.csv"
"$H" forecast "$S" --date order_date --value revenue --by region --freq month \
    --horizon 6 --model theta --intervals conformal --quiet -o "$T/c.csv"
check "conformal run ok" test $? -eq 0
check "conformal keeps the points" cmp <(cut -d, -f1-3 "$T/m.csv") <(cut -d, -f1-3 "$T/c.csv")
check "conformal changes the bounds" bash -c "! cmp -s '$T/m.csv' '$T/c.csv'"
expect_exit 2 "--intervals: expected model or conformal" -- "$H" forecast "$S" --date order_date --value revenue --intervals bootstrap
"$H" backtest "$S" --date order_date --value revenue --by region --freq month \
    --horizon 6 --origins 2 --models theta --intervals conformal >"$T/bc.txt"
check "backtest conformal" grep -q "^theta " "$T/bc.txt"

# new models by name; intermittent demand is never negative
for m in mstl mstl-arima mstl-theta dhr croston sba tsb adida imapa; do
    "$H" forecast "$S" --date order_date --value quantity --by product_id \
        --freq month --horizon 3 --model $m --quiet -o "$T/im.csv"
    check "model $m runs" test $? -eq 0
done
"$H" forecast "$S" --date order_date --value quantity --by product_id \
    --freq week --horizon 4 --model croston --quiet -o "$T/cr.csv"
check "croston bounds never negative" bash -c "! cut -d, -f3-7 '$T/cr.csv' | grep -q -- '-'"
# the sample's orders end on Tuesday 2024-12-31: its last week is a part
# of one, left out and forecast whole by default, and said to be (even
# with --quiet); --partial keep takes it for a whole week; its months are
# whole
"$H" forecast "$S" --date order_date --value revenue --freq week --quiet \
    -o "$T/pw.csv" 2>"$T/pw.err"
check "partial week: exit 0" test $? -eq 0
check "partial week: named" grep -q "the last week (2024-12-30) holds 2 of its 7 days (the data end 2024-12-31): left out with its [0-9]* rows; the forecast starts with it" "$T/pw.err"
check "partial week: forecast from it" test "$(sed -n 2p "$T/pw.csv" | cut -d, -f2)" = 2024-12-30
"$H" forecast "$S" --date order_date --value revenue --freq week --quiet \
    --horizon 2 --json --report "$T/pw.html" -o "$T/pw.json" 2>/dev/null
check "partial week: in the JSON" grep -q '"partial":\[{"which":"last","period":"2024-12-30","days":2,"of":7,"unit":"day","left_out":true,"rows_left_out":[0-9]*,"series_left_out":0}\]' "$T/pw.json"
check "partial week: in the report" grep -q '<p class="note">Data: The last week (2024-12-30) holds 2 of its 7 days (the data end 2024-12-31): left out with its [0-9]* rows; the forecast starts with it.</p>' "$T/pw.html"
"$H" forecast "$S" --date order_date --value revenue --freq week --quiet \
    --partial keep -o "$T/pk.csv" 2>"$T/pk.err"
check "partial keep: exit 0" test $? -eq 0
check "partial keep: named" grep -q "holds 2 of its 7 days (the data end 2024-12-31): its total is a part-week's" "$T/pk.err"
check "partial keep: forecast after it" test "$(sed -n 2p "$T/pk.csv" | cut -d, -f2)" = 2025-01-06
check "partial keep: the part week drags the level down" awk -F, \
    'NR == FNR && FNR == 3 { a = $3 } NR > FNR && FNR == 2 { b = $3 } END { exit !(b < 0.9 * a) }' \
    "$T/pw.csv" "$T/pk.csv"
# a product first sold in the part last week has no whole week: it is
# left out and named; a table inside one part week is refused
{
    echo day,product,units
    for i in $(seq 0 119); do
        echo "$(date -u -d "2024-01-03 +$i day" +%F),a,1"
    done
    echo 2024-04-30,new,2
    echo 2024-05-01,new,3
} >"$T/pn.csv"
"$H" forecast "$T/pn.csv" --date day --value units --by product --freq week \
    --horizon 2 --quiet -o "$T/pn.out" 2>"$T/pn.err"
check "part week only: exit 0" test $? -eq 0
check "part week only: named" grep -q "1 series with rows only in it ('new') has nothing else and is not forecast" "$T/pn.err"
check "part week only: the others forecast" test "$(cut -d, -f1 "$T/pn.out" | sort -u | tr '\n' ' ')" = "a series "
tail -2 "$T/pn.csv" | sed 1iday,product,units >"$T/pn2.csv"
expect_exit 1 "every series has rows only in the part week 2024-04-29 (3 of its 7 days)" -- \
    "$H" forecast "$T/pn2.csv" --date day --value units --by product --freq week
"$H" forecast "$T/pn2.csv" --date day --value units --by product --freq week \
    --partial keep --horizon 2 --quiet -o "$T/pn2.out" 2>/dev/null
check "part week only, kept: forecast" grep -q '^new,2024-05-06' "$T/pn2.out"
# months summed into quarters or years, and hours into days, have part
# periods too: 28 months of 100 end with April, a quarter of 1 month and
# a year of 4 (until 2026-12-07 taken whole: a forecast of 100 a
# quarter, 400 a year); hourly readings ending at 05:00 a day of 6 hours,
# hourly sales ending at closing time a whole day
{
    echo month,sales
    for i in $(seq 0 27); do echo "$((2022 + i / 12))-$(printf %02d $((i % 12 + 1))),100"; done
} >"$T/pm.csv"
"$H" forecast "$T/pm.csv" --date month --value sales --freq quarter \
    --model naive --horizon 2 --quiet -o "$T/pm.out" 2>"$T/pm.err"
check "part quarter of months: exit 0" test $? -eq 0
check "part quarter of months: named" grep -q "the last quarter (2024-Q2) holds 1 of its 3 months (the data end with 2024-04): left out with its 1 row; the forecast starts with it" "$T/pm.err"
check "part quarter of months: forecast whole" test "$(sed -n 2p "$T/pm.out" | cut -d, -f2,3)" = "2024-Q2,300"
"$H" forecast "$T/pm.csv" --date month --value sales --freq year \
    --model naive --horizon 1 --quiet --json -o "$T/py.json" 2>"$T/py.err"
check "part year of months: named" grep -q "the last year (2024) holds 4 of its 12 months" "$T/py.err"
check "part year of months: in the JSON" grep -q '"partial":\[{"which":"last","period":"2024","days":4,"of":12,"unit":"month","left_out":true' "$T/py.json"
check "part year of months: forecast whole" grep -q '"date":"2024","point":1200,' "$T/py.json"
sed 's/^\([0-9]*-[0-9]*\),/\1-01,/' "$T/pm.csv" >"$T/pmd.csv"
"$H" forecast "$T/pmd.csv" --date month --value sales --freq quarter \
    --model naive --horizon 1 --quiet -o "$T/pmd.out" 2>"$T/pmd.err"
check "part quarter of month-start dates: named" grep -q "the last quarter (2024-04-01) holds 1 of its 3 months" "$T/pmd.err"
check "part quarter of month-start dates: forecast whole" test "$(sed -n 2p "$T/pmd.out" | cut -d, -f2,3)" = "2024-04-01,300"
awk 'BEGIN { print "ts,load"; for (i = 0; i < 462; i++)
    printf "2024-01-%02d %02d:00:00,1\n", 1 + int(i / 24), i % 24 }' >"$T/ph.csv"
"$H" forecast "$T/ph.csv" --date ts --value load --freq day --model naive \
    --horizon 1 --quiet -o "$T/ph.out" 2>"$T/ph.err"
check "part day of hours: named" grep -q "the last day (2024-01-20) holds 6 of its 24 hours (the data end 2024-01-20 05:00:00): left out with its 6 rows" "$T/ph.err"
check "part day of hours: forecast whole" test "$(sed -n 2p "$T/ph.out" | cut -d, -f2,3)" = "2024-01-20,24"
# 5-minute readings ending at 10:35: the day holds 128 of its 288
awk 'BEGIN { print "ts,v"; for (i = 0; i < 704; i++)
    printf "2024-01-%02d %02d:%02d:00,1\n", 1 + int(i / 288), int(i % 288 / 12), i % 12 * 5 }' >"$T/p5.csv"
"$H" forecast "$T/p5.csv" --date ts --value v --freq day --model naive \
    --horizon 1 --quiet -o "$T/p5.out" 2>"$T/p5.err"
check "part day of 5-minute readings: named" grep -q "the last day (2024-01-03) holds 128 of its 288 5-minute periods (the data end 2024-01-03 10:35:00): left out with its 128 rows" "$T/p5.err"
check "part day of 5-minute readings: forecast whole" test "$(sed -n 2p "$T/p5.out" | cut -d, -f2,3)" = "2024-01-03,288"
# weekly data (every Monday) ending 2024-02-19: February holds 3 of the
# 4 weeks dated in it
awk 'BEGIN { print "week,sales"; for (i = 0; i < 60; i++) {
    cmd = "date -u -d \"2023-01-02 +" 7 * i " day\" +%F"; cmd | getline d; close(cmd)
    print d ",100" } }' >"$T/pwk.csv"
"$H" forecast "$T/pwk.csv" --date week --value sales --freq month \
    --model naive --horizon 1 --quiet -o "$T/pwk.out" 2>"$T/pwk.err"
check "part month of weeks: named" grep -q "the last month (2024-02-01) holds 3 of its 4 weeks (the data end with the week of 2024-02-19): left out" "$T/pwk.err"
check "part month of weeks: forecast from it" test "$(sed -n 2p "$T/pwk.out" | cut -d, -f2)" = 2024-02-01
# long input: each series ends at its own last period, and a part one is
# its own (until 2026-12-07 only the table's end was looked at: B's
# April was a whole 2024-Q2 of 100)
{
    echo unique_id,ds,y
    for i in $(seq 0 35); do echo "A,$((2022 + i / 12))-$(printf %02d $((i % 12 + 1)))-01,100"; done
    for i in $(seq 0 27); do echo "B,$((2022 + i / 12))-$(printf %02d $((i % 12 + 1)))-01,100"; done
} >"$T/plong.csv"
"$H" forecast "$T/plong.csv" --freq quarter --model naive --horizon 1 \
    --json -o "$T/plong.json" 2>"$T/plong.err"
check "long, part last quarter of one series: named" grep -q "the last quarter (2024-04-01) of series 'B' holds 1 of its 3 months (its data end with 2024-04): left out with its 1 row" "$T/plong.err"
check "long, part last quarter of one series: forecast whole" grep -q '"key":"B".*"date":"2024-04-01","point":300,' "$T/plong.json"
check "long, part last quarter: in the JSON" grep -q '"series_left_out":0,"series":"B","series_ending_inside":1}' "$T/plong.json"
check "long, the other series untouched" grep -q '"key":"A".*"date":"2025-01-01","point":300,' "$T/plong.json"
awk 'BEGIN { print "ts,sales"; for (d = 1; d <= 20; d++) for (h = 9; h <= 21; h++)
    printf "2024-01-%02d %02d:00:00,1\n", d, h }' >"$T/ps.csv"
"$H" forecast "$T/ps.csv" --date ts --value sales --freq day --model naive \
    --horizon 1 --quiet -o "$T/ps.out" 2>"$T/ps.err"
check "hours to closing time: a whole day" bash -c "! grep -q 'holds' '$T/ps.err'"
check "hours to closing time: forecast after it" test "$(sed -n 2p "$T/ps.out" | cut -d, -f2,3)" = "2024-01-21,13"
# half-hourly readings (electricity load): 30-minute periods, seasons of
# a day and a week of them; --freq 30min / half-hour say the same
awk 'BEGIN { print "ts,load"; for (i = 0; i < 1344; i++) {
    m = i * 30; d = int(m / 1440); h = int(m / 60) % 24; mi = m % 60;
    printf "2024-03-%02d %02d:%02d:00,%.2f\n", 4 + d, h, mi,
        100 + 30 * sin(6.2831853 * i / 48) + (i % 336) / 20 }
}' >"$T/hh.csv"
"$H" forecast "$T/hh.csv" --date ts --value load --horizon 3 \
    -o "$T/hh.out" 2>"$T/hh.err"
check "half-hourly: exit 0" test $? -eq 0
check "half-hourly: inferred" grep -q "frequency: 30-minute periods (inferred: one row per series and 30-minute period)" "$T/hh.err"
check "half-hourly: seasons" grep -q "seasons: 48, 336 (default for 30-minute data)" "$T/hh.err"
check "half-hourly: next half-hours" test "$(cut -d, -f2 "$T/hh.out" | sed -n 2,4p | tr '\n' ' ')" = "2024-04-01 00:00:00 2024-04-01 00:30:00 2024-04-01 01:00:00 "
for f in 30min half-hour; do
    "$H" forecast "$T/hh.csv" --date ts --value load --horizon 3 --freq $f \
        --quiet -o "$T/hh-$f.out"
    check "half-hourly: --freq $f" cmp -s "$T/hh.out" "$T/hh-$f.out"
done
expect_exit 2 "--freq: expected" -- "$H" forecast "$T/hh.csv" --date ts \
    --value load --freq 7min
expect_exit 2 "--partial: expected drop-last, drop or keep, got 'some'" -- "$H" forecast "$S" --date order_date \
    --value revenue --freq week --partial some
"$H" forecast "$S" --date order_date --value revenue --freq month --quiet \
    -o "$T/pm.csv" 2>"$T/pm.err"
check "whole last month: no notice" bash -c "! grep -q 'the last month' '$T/pm.err'"
# --agg mean: a month without rows has no mean, and 0 is none (until
# 2026-12-07 a mean price of 0 in March); refused unless a fill is asked
# for; a reconciliation adds series up, which means do not
printf 'd,price\n2024-01-05,10\n2024-01-20,12\n2024-02-03,11\n2024-04-10,13\n2024-05-02,12\n2024-06-01,14\n' >"$T/price.csv"
expect_exit 1 "series 'total' has no rows for 1 period (2024-03-01): with --agg mean a period without rows has no mean" \
    -- "$H" forecast "$T/price.csv" --date d --value price --agg mean --freq month -o "$T/price.out"
check "mean gap refused: no output" test ! -e "$T/price.out"
"$H" forecast "$T/price.csv" --date d --value price --agg mean --freq month \
    --fill interpolate --model naive --horizon 1 --quiet -o "$T/price.out" 2>/dev/null
# means 11 11 (12) 13 12 14: naive residuals 0 1 1 -1 2, sigma sqrt(7/5)
check "mean gap interpolated: naive 14 +- 1.2816 sqrt(1.4)" awk -F, \
    'NR == 2 { exit !($3 == 14 && $5 - $3 > 1.51635 && $5 - $3 < 1.51636) }' "$T/price.out"
printf 'm,g,v\n2024-01,a,1\n2024-01,b,2\n2024-02,a,3\n2024-02,b,4\n2024-03,a,5\n2024-03,b,6\n' >"$T/gm.csv"
expect_exit 2 "reconciliation needs series that add up" -- \
    "$H" forecast "$T/gm.csv" --date m --value v --by g --agg mean --reconcile bu
# rows skipped by the reader (--on-error skip) are counted in the summary
# and the JSON; in data of one row per period the periods they leave
# without a row are missing values, not sales of 0: refused unless a fill
# is asked for; in transactions an empty period is 0, said with the
# skipped rows that may have been its
printf 'date,sales,x\n2024-01,1,a\n2024-02,2\n2024-03,3,c,extra\n2024-04,4,d\n2024-05,N/A,e\n2024-06,6,f\n' >"$T/rag.csv"
expect_exit 1 "rag.csv: 3 rows were skipped (malformed, or without a date or value) and series 'total' has no row for 3 periods (2024-02, 2024-03, 2024-05): in data of one row per series and period a period without its row is a missing value, not 0" \
    -- "$H" forecast "$T/rag.csv" --date date --value sales --on-error skip -o "$T/rag.out"
check "skipped rows refused: no output" test ! -e "$T/rag.out"
expect_exit 1 "has no row for 3 periods" -- "$H" backtest "$T/rag.csv" \
    --date date --value sales --on-error skip --horizon 1
"$H" forecast "$T/rag.csv" --date date --value sales --on-error skip \
    --fill interpolate --json >"$T/rag.json" 2>"$T/rag.err"
check "--fill interpolate: exit 0" test $? -eq 0
check "skipped rows in the summary" grep -q "rows used 3, skipped 3;" "$T/rag.err"
check "skipped rows in the JSON" grep -q '"rows_used":3,"rows_skipped":3,' "$T/rag.json"
check "interpolated, the skipped rows named" grep -q "3 periods with no rows interpolated in 1 series .*; 3 skipped rows (malformed, or without a date or value) may have belonged to them" "$T/rag.err"
check "no 'without a date or value were not used' for the reader's rows" \
    bash -c "! grep -q 'were not used' '$T/rag.err'"
"$H" forecast "$T/rag.csv" --date date --value sales --on-error skip \
    --fill zero --json >"$T/rag0.json" 2>/dev/null
check "--fill zero: the gaps are 0" grep -q '"rows_skipped":3,"filled_periods":3' "$T/rag0.json"
awk 'BEGIN { print "date,sales"
    for (m = 1; m <= 12; m++) for (d = 3; d <= 24; d += 7)
        printf "2024-%02d-%02d,%s\n", m, d, m == 5 ? "bad" : m + d }' >"$T/tx.csv"
"$H" forecast "$T/tx.csv" --date date --value sales --on-error skip \
    --horizon 2 -o "$T/tx.out" 2>"$T/tx.err"
check "transactions: an empty month is 0 (exit 0)" test $? -eq 0
check "transactions: the fill names the skipped rows" grep -q "1 period with no rows filled with zero in 1 series .*; 4 skipped rows (malformed, or without a date or value) may have belonged to it" "$T/tx.err"
check "transactions: rows skipped in the summary" grep -q "rows used 44, skipped 4;" "$T/tx.err"
# values raised to 0: counted in the series where they were raised (one
# of six series that never go below 0 declines through zero)
awk 'BEGIN { print "date,g,sales"
    for (m = 0; m < 24; m++) {
        d = sprintf("%d-%02d", 2023 + int(m / 12), m % 12 + 1)
        for (g = 1; g <= 5; g++)
            printf "%s,flat%d,%d\n", d, g, 100 + (m * 7 + g * 3) % 11
        printf "%s,down,%d\n", d, 240 - 10 * m } }' >"$T/down.csv"
"$H" forecast "$T/down.csv" --date date --value sales --by g --model drift \
    --horizon 3 --quiet -o "$T/down.out" 2>"$T/down.err"
check "raised values: in 1 series, not the 6 kept >= 0" grep -q \
    "forecast values below zero raised to 0 in 1 series that never go below 0" "$T/down.err"
finish
