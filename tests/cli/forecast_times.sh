#!/usr/bin/env bash
# Timestamps, calendars and frequencies as users' files have them:
# zones that are not whole hours from UTC, transactions extracted in the
# middle of a day.  Each block generates its small input.
source "$HZ_SRC/tests/cli/lib.sh"
H=$HORIZON

# ---- hourly readings in a zone half an hour off UTC (+05:30, India) ----
# on the hour locally, so at :30 past each UTC hour: until 2026-12-07
# inferred as irregular times and summed into days, the last UTC day
# (18 of its 24 hours) forecast as if whole
python3 - >"$T/ist.csv" <<'PY'
import datetime as dt, math
tz = dt.timezone(dt.timedelta(hours=5, minutes=30))
t = dt.datetime(2024, 1, 1, tzinfo=tz)
print("ts,calls")
for i in range(24 * 60):
    print(f"{t.isoformat()},{100 + round(50 * math.sin(2 * math.pi * t.hour / 24))}")
    t += dt.timedelta(hours=1)
PY
"$H" forecast "$T/ist.csv" --date ts --value calls --horizon 2 --model naive \
    -o "$T/ist.out" 2>"$T/err"
check "+05:30 hourly: exit 0" test $? -eq 0
check "+05:30 hourly: hours inferred" grep -q "frequency: hours (inferred: one row per series and hour)" "$T/err"
check "+05:30 hourly: next UTC hour" grep -q '^total,2024-02-29 18:00:00,' "$T/ist.out"
"$H" forecast "$T/ist.csv" --date ts --value calls --freq day --horizon 1 \
    --model naive -o "$T/istd.out" 2>"$T/err"
check "+05:30 hourly into days: part last day named" grep -q "the last day (2024-02-29) holds 18 of its 24 hours" "$T/err"
check "+05:30 hourly into days: part first day named" grep -q "the first day (2023-12-31) holds 6 of its 24 hours" "$T/err"
check "+05:30 hourly into days: a whole day's level" grep -q '^total,2024-02-29,2400,' "$T/istd.out"
# quarter-hours at +05:45 (Nepal): :00/:15/:30/:45 locally, on UTC's too
python3 - >"$T/npt.csv" <<'PY'
import datetime as dt
tz = dt.timezone(dt.timedelta(hours=5, minutes=45))
t = dt.datetime(2024, 1, 1, tzinfo=tz)
print("ts,kwh")
for i in range(96 * 21):
    print(f"{t.isoformat()},{1 + t.hour}")
    t += dt.timedelta(minutes=30)
PY
"$H" forecast "$T/npt.csv" --date ts --value kwh --horizon 1 --model naive \
    -o "$T/npt.out" 2>"$T/err"
check "+05:45 half-hourly: 30-minute periods" grep -q "frequency: 30-minute periods (inferred" "$T/err"

# ---- transactions extracted in the middle of a day ----
# 30 sales a day between 08:00 and 20:00, the extract taken at 11:10 on
# the last: that day holds a quarter of a day's sales, and until
# 2026-12-07 a forecast by the day took it for a whole one (naive: 90
# instead of 300); now it is named and left out as a part week is
python3 - >"$T/pos.csv" <<'PY'
import datetime as dt
print("ts,store,amount")
for d in range(28):
    day = dt.datetime(2024, 2, 1) + dt.timedelta(days=d)
    for j in range(30):
        t = day + dt.timedelta(hours=8, minutes=j * 23 % 720, seconds=j * 7 % 60)
        if d == 27 and t.hour * 60 + t.minute >= 11 * 60 + 10:
            continue
        print(f"{t:%Y-%m-%d %H:%M:%S},{'AB'[j % 2]},10")
PY
"$H" forecast "$T/pos.csv" --date ts --value amount --freq day --horizon 1 \
    --model naive -o "$T/pos.out" 2>"$T/err"
check "noon extract: exit 0" test $? -eq 0
check "noon extract: part last day named" grep -q "the last day (2024-02-28) holds 12 of its 24 hours (the data end 2024-02-28 11:0" "$T/err"
check "noon extract: a whole day's level" grep -q '^total,2024-02-28,300,' "$T/pos.out"
"$H" forecast "$T/pos.csv" --date ts --value amount --freq day --horizon 1 \
    --model naive --by store --partial keep -o "$T/posk.out" 2>"$T/err"
check "noon extract, --partial keep: kept and named" grep -q "holds 12 of its 24 hours .*its total is a part-day's" "$T/err"
check "noon extract, --partial keep: as before" grep -q '^A,2024-02-29,' "$T/posk.out"
# the whole table: its last sale at 19:xx is a whole day's end
grep -v '^2024-02-28' "$T/pos.csv" >"$T/posw.csv"
"$H" forecast "$T/posw.csv" --date ts --value amount --freq day --horizon 1 \
    --model naive -o "$T/posw.out" 2>"$T/err"
check "whole last day: no notice" bash -c "! grep -q 'holds' '$T/err'"
check "whole last day: forecast from it" grep -q '^total,2024-02-28,300,' "$T/posw.out"
# a shop's whole days, 09:00 to a last sale between 15:30 and 16:59: the
# table's last day, ending at 16:00, is whole, though a twentieth of the
# other days' sales come after 16:00 in theirs (until 2026-12-07 it was
# taken for a part day and its 10 sales left out)
python3 - >"$T/shop.csv" <<'PY'
import datetime as dt
print("ts,amount")
for d in range(30):
    day = dt.datetime(2024, 3, 1) + dt.timedelta(days=d)
    for j in range(9):
        print(f"{day + dt.timedelta(hours=9, minutes=45 * j):%Y-%m-%d %H:%M:%S},10")
    last = 30 if d == 29 else (d * 37) % 90
    print(f"{day + dt.timedelta(hours=15, minutes=30 + last):%Y-%m-%d %H:%M:%S},10")
PY
"$H" forecast "$T/shop.csv" --date ts --value amount --freq day --horizon 1 \
    --model naive -o "$T/shop.out" 2>"$T/err"
check "shop days ending 15:30-16:59: the last one (16:00) is whole" \
    bash -c "! grep -q 'holds' '$T/err'"
check "shop days: forecast from the last day's 10 sales" \
    grep -q '^total,2024-03-31,100,' "$T/shop.out"

# one reading a day at any time of day is a whole day's value
python3 - >"$T/daily.csv" <<'PY'
import datetime as dt
print("ts,kwh")
for d in range(28):
    t = dt.datetime(2024, 2, 1) + dt.timedelta(days=d, minutes=(d * 397) % 1440)
    print(f"{t:%Y-%m-%d %H:%M:%S},{5 + d % 3}")
PY
"$H" forecast "$T/daily.csv" --date ts --value kwh --freq day --horizon 1 \
    --model naive -o "$T/daily.out" 2>"$T/err"
check "a reading a day: no part day" bash -c "! grep -q 'holds' '$T/err'"

# ---- a daily series with a zoned index (pandas' tz-aware dates, as
# to_csv writes them): midnight in Berlin, +01:00 in winter and +02:00 in
# summer.  Until 2026-12-07 read as UTC instants, 23:00 or 22:00 the day
# before: irregular times, summed into months, each month given the next
# one's first day; now the dates they name ----
python3 - >"$T/berlin.csv" <<'PY'
import datetime as dt
print("day,visits")
d = dt.date(2023, 1, 1)
while d <= dt.date(2024, 12, 31):
    off = "+02:00" if dt.date(d.year, 3, 26) <= d < dt.date(d.year, 10, 29) else "+01:00"
    print(f"{d}T00:00:00{off},{1000 + 100 * d.month + d.day}")
    d += dt.timedelta(days=1)
PY
"$H" inspect "$T/berlin.csv" >"$T/ins" 2>&1
check "zoned midnights: a date column" grep -q '^day  *date  *731 .* 2023-01-01  *2024-12-31' "$T/ins"
"$H" forecast "$T/berlin.csv" --date day --value visits --horizon 1 \
    --model naive -o "$T/berlin.out" 2>"$T/err"
check "zoned midnights: days inferred" grep -q "frequency: days (inferred: one row per series and day)" "$T/err"
check "zoned midnights: the next local day" grep -q '^total,2025-01-01,2231,' "$T/berlin.out"
check "zoned midnights: no UTC notice" bash -c "! grep -q 'UTC offsets' '$T/err'"
"$H" forecast "$T/berlin.csv" --date day --value visits --freq month --horizon 1 \
    --model naive --fitted "$T/berlin.fit" -o "$T/berlin.out" 2>"$T/err"
check "zoned midnights by the month: January's own days" grep -q '^total,2023-01-01,34596,' "$T/berlin.fit"
check "zoned midnights by the month: no part month" bash -c "! grep -q 'holds' '$T/err'"
# times of day other than midnight stay UTC instants, and --schema
# COL:timestamp reads midnights so too
"$H" forecast "$T/berlin.csv" --date day --value visits --schema day:timestamp \
    --freq month --horizon 1 --model naive -o "$T/berlin.out" 2>"$T/err"
check "--schema timestamp: UTC instants" grep -q "the dates carry UTC offsets" "$T/err"

# ---- yearly figures dated by a fiscal year's end, quarterly ones by a
# fiscal quarter's first day: until 2026-12-07 irregular dates, summed
# into months with 11 of every 12 (2 of every 3) filled with zero, and
# forecast a month ahead ----
python3 - >"$T/fy.csv" <<'PY'
print("fy_end,revenue")
for y in range(2010, 2024):
    print(f"{y}-06-30,{1000 + 10 * y}")
PY
"$H" forecast "$T/fy.csv" --date fy_end --value revenue --horizon 2 \
    --model naive -o "$T/fy.out" 2>"$T/err"
check "fiscal years: years inferred" grep -q "frequency: years labelled YYYY (inferred: one row per series and year)" "$T/err"
check "fiscal years: no filled months" bash -c "! grep -q 'filled' '$T/err'"
check "fiscal years: the next year" grep -q '^total,2024,21230,' "$T/fy.out"
python3 - >"$T/fq.csv" <<'PY'
print("quarter_start,sales")
for y in range(2018, 2024):
    for m in (2, 5, 8, 11):
        print(f"{y}-{m:02d}-01,{100 + m}")
PY
"$H" forecast "$T/fq.csv" --date quarter_start --value sales --horizon 2 \
    --model snaive -o "$T/fq.out" 2>"$T/err"
check "fiscal quarters: quarters inferred" grep -q "frequency: quarters labelled YYYY-Qn (inferred: one row per series and quarter)" "$T/err"
check "fiscal quarters: the next quarter" grep -q '^total,2024-Q1,102,' "$T/fq.out"
# dates every third month that do not keep to a day are irregular still
printf 'd,v\n2023-01-05,1\n2023-04-20,2\n2023-07-05,3\n2023-10-20,4\n2024-01-05,5\n' >"$T/irr.csv"
"$H" forecast "$T/irr.csv" --date d --value v --horizon 1 --model naive \
    -o "$T/irr.out" 2>"$T/err"
check "irregular quarterly dates: not quarters" bash -c "! grep -q 'one row per series and quarter' '$T/err'"

# ---- half-hourly readings in local time without offsets across the
# spring clock change (London, 31 March 2024): 01:00 and 01:30 never
# were, and are filled (zero by default); the notice names the first,
# where until 2026-12-07 it gave the count alone ----
python3 - >"$T/hh.csv" <<'PY'
import datetime as dt
t = dt.datetime(2024, 3, 25)
print("ts,kwh")
while t < dt.datetime(2024, 4, 2):
    if not (t.date() == dt.date(2024, 3, 31) and t.hour == 1):
        print(f"{t:%Y-%m-%d %H:%M:%S},{1 + t.hour % 5}")
    t += dt.timedelta(minutes=30)
PY
"$H" forecast "$T/hh.csv" --date ts --value kwh --horizon 1 --model naive \
    -o "$T/hh.out" 2>"$T/err"
check "spring forward: gap named" grep -q "2 periods with no rows filled with zero in 1 series (first: 2024-03-31 01:00:00; --fill none refuses gaps" "$T/err"
"$H" backtest "$T/hh.csv" --date ts --value kwh --horizon 2 --models naive \
    -o "$T/hh.bt" 2>"$T/err"
check "spring forward, backtest: gap named" grep -q "(first: 2024-03-31 01:00:00;" "$T/err"

# ---- weekly figures dated by Monday, one moved to the Tuesday by a
# holiday: until 2026-12-07 irregular dates, summed into months, the last
# month (2 of its 4 weeks) forecast as if whole (naive: 203 instead of
# a month's 415); now weeks, and by the month the part month is named ----
python3 - >"$T/wk.csv" <<'PY'
import datetime as dt
d = dt.date(2022, 1, 3)
print("week,units")
for i in range(150):
    print(f"{d + dt.timedelta(days=1) if i == 50 else d},{100 + i % 7}")
    d += dt.timedelta(days=7)
PY
"$H" forecast "$T/wk.csv" --date week --value units --horizon 1 --model naive \
    -o "$T/wk.out" 2>"$T/err"
check "holiday-shifted week: weeks inferred" grep -q "frequency: weeks from Monday (inferred: one row per series and week)" "$T/err"
check "holiday-shifted week: the next Monday" grep -q '^total,2024-11-18,102,' "$T/wk.out"
"$H" forecast "$T/wk.csv" --date week --value units --freq month --horizon 1 \
    --model naive -o "$T/wkm.out" 2>"$T/err"
check "holiday-shifted week by the month: part month named" grep -q "the last month (2024-11-01) holds 2 of its 4 weeks" "$T/err"
check "holiday-shifted week by the month: a whole month's level" grep -q '^total,2024-11-01,415,' "$T/wkm.out"
# ... one moved a day earlier (a Thursday's figure dated the Wednesday
# before), another a day later: until 2026-12-07 the Wednesday was
# summed into the week before (two weeks' figures in one, the next week
# filled with 0); now each counts in the week of the Thursday it stands
# for
python3 - >"$T/wkb.csv" <<'PY'
import datetime as dt
d = dt.date(2024, 1, 4)
print("week,units")
for i in range(30):
    moved = {20: -1, 25: 1}.get(i, 0)
    print(f"{d + dt.timedelta(days=moved)},{100 + i}")
    d += dt.timedelta(days=7)
PY
"$H" forecast "$T/wkb.csv" --date week --value units --horizon 1 --model naive \
    --fitted "$T/wkb.fit" -o "$T/wkb.out" 2>"$T/err"
check "week moved a day earlier: weeks from Thursday" grep -q "frequency: weeks from Thursday (inferred" "$T/err"
check "week moved a day earlier: no period filled" bash -c "! grep -q 'filled with zero' '$T/err'"
check "week moved a day earlier: its own week's figure" grep -q '^total,2024-05-23,120,' "$T/wkb.fit"
check "... and the week before its own" grep -q '^total,2024-05-16,119,' "$T/wkb.fit"
check "week moved a day later: its own week's figure" grep -q '^total,2024-06-27,125,' "$T/wkb.fit"
check "week moved a day earlier: the next Thursday" grep -q '^total,2024-08-01,129,' "$T/wkb.out"

# ---- monthly figures dated the 15th into quarters, ending in April:
# until 2026-12-07 the last quarter (April alone) was forecast as if
# whole (naive: 100 instead of 300) ----
python3 - >"$T/m15.csv" <<'PY'
print("d,v")
for y in range(2019, 2024):
    for m in range(1, 13):
        print(f"{y}-{m:02d}-15,100")
for m in range(1, 5):
    print(f"2024-{m:02d}-15,100")
PY
"$H" forecast "$T/m15.csv" --date d --value v --freq quarter --horizon 1 \
    --model naive -o "$T/m15.out" 2>"$T/err"
check "months dated the 15th by the quarter: part quarter named" grep -q "the last quarter (2024-04-01) holds 1 of its 3 months (the data end with 2024-04)" "$T/err"
check "months dated the 15th by the quarter: a whole quarter's level" grep -q '^total,2024-04-01,300,' "$T/m15.out"

# ---- a daily reading at 09:00 in Berlin with its offsets: 08:00 UTC in
# winter, 07:00 in summer.  Until 2026-12-07 irregular dates, summed into
# months; now days ----
python3 - >"$T/d9.csv" <<'PY'
import datetime as dt
print("ts,kwh")
d = dt.date(2023, 1, 1)
while d <= dt.date(2024, 12, 31):
    off = "+02:00" if dt.date(d.year, 3, 26) <= d < dt.date(d.year, 10, 29) else "+01:00"
    print(f"{d}T09:00:00{off},{10 + d.weekday()}")
    d += dt.timedelta(days=1)
PY
"$H" forecast "$T/d9.csv" --date ts --value kwh --horizon 1 --model snaive \
    -o "$T/d9.out" 2>"$T/err"
check "09:00 across clock changes: days inferred" grep -q "frequency: days (inferred: one row per series and day)" "$T/err"
check "09:00 across clock changes: the next day" grep -q '^total,2025-01-01,12,' "$T/d9.out"

# ---- a fiscal year ending with February: 28th, 29th in leap years.
# Until 2026-12-07 irregular dates, months with 11 zeros between the
# years, forecast as monthly intermittent demand ----
printf 'd,v\n2019-02-28,10\n2020-02-29,12\n2021-02-28,14\n2022-02-28,16\n2023-02-28,18\n2024-02-29,20\n2025-02-28,22\n' >"$T/fy.csv"
"$H" forecast "$T/fy.csv" --date d --value v --horizon 2 --model naive \
    -o "$T/fy.out" 2>"$T/err"
check "February year ends: years inferred" grep -q "frequency: years labelled YYYY (inferred: one row per series and year)" "$T/err"
check "February year ends: no months filled" bash -c "! grep -q 'filled' '$T/err'"
check "February year ends: the next year" grep -q '^total,2026,22,' "$T/fy.out"

# BigQuery's timestamps end with " UTC" (until 2026-12-07 the column was
# text: "is not a date"): UTC instants, with --tz on that zone's clock
printf 'ts,v\n2024-01-05 22:30:00 UTC,1\n2024-01-05 23:30:00 UTC,2\n2024-01-06 00:30:00 UTC,3\n2024-01-06 01:30:00 UTC,4\n' >"$T/bq.csv"
expect_exit 0 "read as UTC instants" -- "$H" forecast "$T/bq.csv" --date ts --value v --model naive --horizon 1 --freq h
check "BigQuery UTC: the next UTC hour" grep -q '^total,2024-01-06 02:00:00,4,' "$T/out"
expect_exit 0 "" -- "$H" forecast "$T/bq.csv" --date ts --value v --model naive --horizon 1 --freq D --tz Asia/Tokyo --partial keep
check "BigQuery UTC --tz Asia/Tokyo: one Tokyo day (07:30 .. 10:30 on the 6th)" grep -q '^total,2024-01-07,10,' "$T/out"

# monthly readings on the 29th or 30th (the month's last day when it is
# shorter, as billing cycles fall): months, as on the 15th (until
# 2026-12-07 irregular dates: under a year of them was cut into weeks,
# the weeks between filled with 0)
printf 'd,v\n2021-01-30,10\n2021-02-28,11\n2021-03-30,12\n2021-04-30,13\n2021-05-30,14\n2021-06-30,15\n' >"$T/m30.csv"
expect_exit 0 "" -- "$H" forecast "$T/m30.csv" --date d --value v --model naive --horizon 1
check "30th of each month: months ($(tr '\n' '|' < "$T/err"))" grep -q "frequency: months .*(inferred: one row per series and month)" "$T/err"
check "30th of each month: next month forecast, nothing filled" bash -c \
    "grep -q '^total,2021-07-01,15,' '$T/out' && ! grep -q filled '$T/err'"
printf 'd,v\n2020-03-29,10\n2020-04-29,11\n2020-05-29,12\n2020-06-29,13\n2020-07-29,14\n' >"$T/m29.csv"
expect_exit 0 "" -- "$H" forecast "$T/m29.csv" --date d --value v --model naive --horizon 1
check "29th of each month: months" grep -q '^total,2020-08-01,14,' "$T/out"
# quarterly on the 30th likewise (was months, 16 of them filled with 0)
printf 'd,v\n2021-03-30,1\n2021-06-30,2\n2021-09-30,3\n2021-12-30,4\n2022-03-30,5\n2022-06-30,6\n' >"$T/q30.csv"
expect_exit 0 "" -- "$H" forecast "$T/q30.csv" --date d --value v --model naive --horizon 1
check "30th every third month: quarters ($(grep frequency "$T/err"))" bash -c \
    "grep -q 'frequency: quarters' '$T/err' && grep -q '^total,2022-Q3,6,' '$T/out' && ! grep -q filled '$T/err'"
# the 31st beside the 30th is no month day: still irregular
printf 'd,v\n2021-01-31,10\n2021-03-30,11\n2021-04-30,12\n2021-05-31,13\n2021-06-30,14\n' >"$T/mx.csv"
expect_exit 0 "" -- "$H" forecast "$T/mx.csv" --date d --value v --model naive --horizon 1
check "31st beside 30th: irregular" grep -q "irregular dates" "$T/err"

# hourly readings with one at 02:30 (a typo, or a time a clock change
# moved): refused with its place and the ways out, in forecast and
# backtest (until 2026-12-08 taken for irregular times and summed into
# days); --freq h reads them, the odd row summed into its hour
awk 'BEGIN { print "ts,load"; for (i = 0; i < 480; i++)
    printf "2024-01-%02d %02d:%s:00,%d\n", 1 + int(i / 24), i % 24, i == 218 ? "30" : "00", 10 + i % 24 }' >"$T/hourly_odd.csv"
for cmd in forecast backtest; do
    expect_exit 1 "hourly_odd.csv:220:1: column 'ts': the time 2024-01-10 02:30:00 is off the grid of the others, which fall on the hour (1 of 480 rows off it, this the first): a typo, or a time a clock change moved? The frequency is not inferred from times that break their grid; correct the time, or give --freq h to sum each row into the hour it falls in" -- \
        "$H" $cmd "$T/hourly_odd.csv" --date ts --value load --model naive --horizon 2
done
expect_exit 0 "" -- "$H" forecast "$T/hourly_odd.csv" --date ts --value load --model naive --horizon 2 --freq h
check "--freq h: hours" grep -q 'frequency: hours (given)' "$T/err"

finish
