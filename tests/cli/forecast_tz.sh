#!/usr/bin/env bash
# Local times and time zones: daily readings at 01:30 in Berlin with
# their UTC offsets (00:30 UTC in winter, 23:30 the day before in
# summer), and --tz, the zone of times written without an offset (its
# skipped and repeated times refused, days cut on its clock), for the
# commands and for jobs.
source "$HZ_SRC/tests/cli/lib.sh"
H=$HORIZON

# two years of a daily reading at 01:30 in Berlin, 10 + the weekday;
# with the offsets written (+01:00 / +02:00) and without
python3 - "$T" <<'PY'
import datetime as dt, sys
t = sys.argv[1]
with open(f"{t}/off.csv", "w") as a, open(f"{t}/loc.csv", "w") as b:
    a.write("ts,kwh\n"); b.write("ts,kwh\n")
    d = dt.date(2023, 1, 1)
    while d <= dt.date(2024, 12, 31):
        summer = dt.date(d.year, 3, 26 if d.year == 2023 else 31) < d <= dt.date(d.year, 10, 29 if d.year == 2023 else 27)
        a.write(f"{d}T01:30:00{'+02:00' if summer else '+01:00'},{10 + d.weekday()}\n")
        b.write(f"{d} 01:30,{10 + d.weekday()}\n")
        d += dt.timedelta(days=1)
PY
# offsets written: until 2026-12-07 irregular dates (two readings on the
# UTC day of the spring change, none on the autumn one's), each summer
# day labelled the day before
"$H" forecast "$T/off.csv" --date ts --value kwh --horizon 7 --model snaive \
    -o "$T/off.out" 2>"$T/err"
check "01:30 Berlin with offsets: days inferred" grep -q "frequency: days (inferred: one row per series and day)" "$T/err"
check "01:30 Berlin with offsets: no gap filled" bash -c "! grep -q 'filled' '$T/err'"
check "01:30 Berlin with offsets: the next day, a Wednesday" grep -q '^total,2025-01-01,12,' "$T/off.out"
check "01:30 Berlin with offsets: a Tuesday a week on" grep -q '^total,2025-01-07,11,' "$T/off.out"
"$H" inspect "$T/off.csv" >"$T/insp" 2>&1
check "01:30 Berlin with offsets: read at their own wall clock" grep -q "2023-01-01T01:30:00   2024-12-31T01:30:00" "$T/insp"
# --schema COL:timestamp still reads them as UTC instants
"$H" inspect "$T/off.csv" --schema ts:timestamp >"$T/insp" 2>&1
check "--schema timestamp: UTC instants" grep -q "2023-01-01T00:30:00Z" "$T/insp"

# --tz: local times without an offset are the zone's wall times
for th in 1 2 4; do
    OMP_NUM_THREADS=$th "$H" forecast "$T/loc.csv" --date ts --value kwh \
        --horizon 7 --tz Europe/Berlin -o "$T/loc$th.out" 2>"$T/err$th"
done
check "--tz: days inferred" grep -q "frequency: days (inferred: one row per series and day)" "$T/err1"
check "--tz: the next day" grep -q '^total,2025-01-01,' "$T/loc1.out"
check "--tz: same output on 1, 2 and 4 threads" bash -c "cmp -s '$T/loc1.out' '$T/loc2.out' && cmp -s '$T/loc1.out' '$T/loc4.out'"
# offsets and none mixed are one clock with --tz (refused without it)
{ echo "ts,v"; echo "2024-10-27 00:30:00+02:00,1"; echo "2024-10-27 02:30:00+01:00,2"; echo "2024-10-27 04:30,3"; } >"$T/mix.csv"
expect_exit 1 "has no UTC offset, unlike the column's timestamps with one: with zones mixed its instant is unknown (give every value an offset, or none, or name the zone of the times with --tz AREA/CITY)" -- "$H" inspect "$T/mix.csv"
expect_exit 0 "" -- "$H" inspect "$T/mix.csv" --tz Europe/Berlin
check "--tz: offsets moved to the zone's clock" grep -q "2024-10-27T00:30:00   2024-10-27T04:30:00" "$T/out"
# a sale at 00:30+01:00 is on its Berlin day with --tz (on the UTC day
# before without)
{ echo "ts,v"; echo "2024-01-05T00:30:00+01:00,1"; echo "2024-01-05T18:00:00+01:00,2"; } >"$T/sale.csv"
expect_exit 0 "" -- "$H" inspect "$T/sale.csv" --tz Europe/Berlin --json
check "--tz: a zoned time on the zone's clock" grep -q '"min":"2024-01-05T00:30:00"' "$T/out"
# times with offsets read as UTC instants: the notice names --tz, which
# cuts them on a zone's clock (it said 'drop the offsets', editing the
# file, after --tz came)
{ echo "ts,v"; for d in 01 02 03 04 05 06 07 08; do echo "2024-01-${d}T23:30:00-05:00,1"; echo "2024-01-${d}T10:00:00-05:00,2"; done; } >"$T/utc.csv"
expect_exit 0 "give --tz AREA/CITY to cut them on that zone's clock" \
    -- "$H" forecast "$T/utc.csv" --date ts --value v --freq day --horizon 2 --model naive -o "$T/utc.out"
{ echo "customer,date,amount"; for c in 1 2 3 4 5 6; do echo "C$c,2024-01-0${c}T23:30:00-05:00,5"; echo "C$c,2024-02-0${c}T10:00:00-05:00,7"; done; } >"$T/utc_tx.csv"
expect_exit 0 "give --tz AREA/CITY to count them on that zone's clock" \
    -- "$H" analyze segment "$T/utc_tx.csv" --customer customer --date date --amount amount -o "$T/utc_tx.out"

# the date window is checked on the zone's clock, the day a time is kept
# as: until 2026-12-07 on the UTC day, so a time of the window's last
# evening in New York was refused as outside it, and one of the next
# year's first hours in Moscow was let in
{ echo "ts,v"; echo "2024-12-31T20:00:00-05:00,1"; echo "2024-12-31T10:00:00-05:00,2"; } >"$T/eve.csv"
expect_exit 0 "" -- "$H" inspect "$T/eve.csv" --tz America/New_York --date-window 2024:2024
check "--tz: the window on the zone's clock" grep -q "2024-12-31T20:00:00" "$T/out"
{ echo "ts,v"; echo "2025-01-01T02:00:00+03:00,1"; echo "2024-12-31T10:00:00+03:00,2"; } >"$T/msk.csv"
expect_exit 1 "msk.csv:2:1: column 'ts': date '2025-01-01T02:00:00+03:00' is outside 2024-01-01..2024-12-31" \
    -- "$H" inspect "$T/msk.csv" --tz Europe/Moscow --date-window 2024:2024

# times the zone's clocks skip or repeat are refused with their place
{ echo "ts,v"; echo "2024-03-31 01:30,1"; echo "2024-03-31 02:30,2"; echo "2024-03-31 03:30,3"; } >"$T/skip.csv"
expect_exit 1 "skip.csv:3:1: column 'ts': '2024-03-31 02:30' does not exist in Europe/Berlin: its clocks jump from 2024-03-31 02:00 to 03:00 (UTC offset +01:00, then +02:00)" \
    -- "$H" forecast "$T/skip.csv" --date ts --value v --tz Europe/Berlin -o "$T/skip.out"
check "skipped time: no output" test ! -e "$T/skip.out"
# hourly readings across the spring change, v = hour + 1 (none at 02:00
# on 2025-03-30 in Berlin: it does not exist): the skipped hour stays a
# period (every hour keeps its place in the day), estimated for the model
# between its neighbours whatever --fill says, and is never a data point
# of the output nor a forecast's label; a horizon counts the hours that
# exist.  Until 2026-12-07 it was filled with 0 by default (a dip the
# models learned), shown as a fitted row at 02:00, and a forecast across
# a spring change labelled a step 02:00.
python3 - "$T" <<'PY2'
import datetime as dt, sys
def w(name, a, b, step=60):
    with open(f"{sys.argv[1]}/{name}", "w") as f:
        f.write("ts,v\n")
        t = a
        while t <= b:
            if not (t.date() == dt.date(2025, 3, 30) and t.hour == 2):
                f.write(f"{t:%Y-%m-%d %H:%M},{t.hour * 60 // step + t.minute // step + 1}\n")
            t += dt.timedelta(minutes=step)
w("spring.csv", dt.datetime(2025, 3, 16), dt.datetime(2025, 4, 2, 23))
w("spring_before.csv", dt.datetime(2025, 3, 14), dt.datetime(2025, 3, 28, 23))
w("spring_half.csv", dt.datetime(2025, 3, 23), dt.datetime(2025, 4, 1, 23, 30), 30)
PY2
expect_exit 0 "the hour the clocks skip on 2025-03-30 is no reading: estimated for the model between its neighbours, not in the output" -- \
    "$H" forecast "$T/spring.csv" --date ts --value v --tz Europe/Berlin --model snaive --horizon 80 --fitted "$T/fit.csv"
check "spring hour: no 'filled with zero'" bash -c "! grep -q 'filled with zero' '$T/err'"
check "spring hour: 80 forecast rows" test "$(grep -c '^total,' "$T/out")" -eq 80
check "spring hour: 03:00 a day on is 03:00's value" grep -q '^total,2025-04-03 03:00:00,4,' "$T/out"
check "spring hour: no fitted row at 02:00 that day" bash -c "! grep -q '^total,2025-03-30 02:00' '$T/fit.csv'"
check "spring hour: 01:00 and 03:00 fitted" bash -c "grep -q '^total,2025-03-30 01:00:00,2,' '$T/fit.csv' && grep -q '^total,2025-03-30 03:00:00,4,' '$T/fit.csv'"
check "spring hour: 03:00 the day after met its own history" grep -q '^total,2025-03-31 03:00:00,4,4,0,no' "$T/fit.csv"
expect_exit 0 "" -- "$H" forecast "$T/spring.csv" --date ts --value v --tz Europe/Berlin --model snaive --horizon 3 --fill none
# a horizon across a future spring change: no step labelled 02:00, each
# hour the value of its wall hour a day before, 80 hours that exist;
# stderr says so once, --quiet or not (until 2026-12-07 not a word: the
# history holds no skipped hour)
expect_exit 0 "the forecast crosses the hour the clocks skip on 2025-03-30: no step is labelled with it, and the horizon counts the 80 hours that exist" -- \
    "$H" forecast "$T/spring_before.csv" --date ts --value v --tz Europe/Berlin --model snaive --horizon 80 --quiet
check "future spring hour: said once" test "$(grep -c 'clocks skip' "$T/err")" -eq 1
# the HTML report likewise: its tables label each step by the hour that
# exists and show no row for a skipped hour of the history (until
# 2026-12-07 its forecast rows were labelled one hour early past the
# change, 03:00's value as 02:00, and the history's estimate was a row)
"$H" forecast "$T/spring_before.csv" --date ts --value v --tz Europe/Berlin --model snaive --horizon 80 --quiet --report "$T/fut.html" -o "$T/fut.csv" 2>/dev/null
"$H" forecast "$T/spring.csv" --date ts --value v --tz Europe/Berlin --model snaive --horizon 3 --quiet --report "$T/past.html" -o "$T/past.csv" 2>/dev/null
check "report: no row labelled 02:00 on 2025-03-30, 03:00 is 03:00's value" python3 -c '
import re, sys
fut, past = (open(f).read() for f in sys.argv[1:3])
f = dict(re.findall(r"<th scope=\"row\">(2025-03-30 0[1-3]:00:00)</th><td></td><td></td><td class=\"n\">([^<]*)</td>", fut))
p = re.findall(r"<th scope=\"row\">(2025-03-30 0[1-3]:00:00)</th>", past)
sys.exit(not (f == {"2025-03-30 01:00:00": "2", "2025-03-30 03:00:00": "4"}
              and "2025-03-30 02:00:00" not in p and "2025-03-30 03:00:00" in p))' "$T/fut.html" "$T/past.html"
check "future spring hour: no 02:00 label" bash -c "! grep -q '^total,2025-03-30 02:00' '$T/out'"
check "future spring hour: 01:00 then 03:00" bash -c "grep -q '^total,2025-03-30 01:00:00,2,' '$T/out' && grep -q '^total,2025-03-30 03:00:00,4,' '$T/out'"
check "future spring hour: 80 hours that exist" bash -c "test \"\$(grep -c '^total,' '$T/out')\" -eq 80 && tail -n1 '$T/out' | grep -q '^total,2025-04-01 08:00:00,9,'"
# half-hours likewise; days unchanged (the day holds 23 hours)
expect_exit 0 "the 30-minute periods the clocks skip on 2025-03-30 are no readings" -- \
    "$H" forecast "$T/spring_half.csv" --date ts --value v --tz Europe/Berlin --model snaive --horizon 4 --fitted "$T/fit.csv"
check "spring half-hours: none at 02:00 or 02:30" bash -c "! grep -Eq '^total,2025-03-30 02:(00|30)' '$T/fit.csv' && grep -q '^total,2025-03-30 03:00:00,7,7,0,no' '$T/fit.csv'"
expect_exit 0 "" -- "$H" forecast "$T/spring.csv" --date ts --value v --tz Europe/Berlin --freq D --model naive --horizon 1
check "spring day: its 23 hours, no notice" bash -c "grep -q '^total,2025-04-03,300,' '$T/out' && ! grep -q 'clocks skip' '$T/err'"
# a time the clocks show twice (put back) without an offset: its day is
# known, its instant not: read (until 2026-12-07 refused at read, so a
# local-time export could not be summed into days across the autumn
# change), taken by days, refused by hours
{ echo "ts,v"; echo "2024-10-27 01:30,1"; echo "2024-10-27 02:30,2"; echo "2024-10-27 03:30,3"; } >"$T/rep.csv"
expect_exit 0 "" -- "$H" inspect "$T/rep.csv" --tz Europe/Berlin
check "a repeated time read as its wall time" grep -Eq '^ts +timestamp +3 +0 +2024-10-27T01:30:00 +2024-10-27T03:30:00' "$T/out"
# named with its place, and how to fix the data (until 2026-12-07 no
# place, and the advice to drop --tz, which cannot tell them apart)
expect_exit 2 "rep.csv:3:1: column 'ts': 1 time on a wall time the --tz zone's clocks show twice, put back (first: 2024-10-27 02:30:00" \
    -- "$H" forecast "$T/rep.csv" --date ts --value v --tz Europe/Berlin --freq h --horizon 1 --model naive
check "repeated time: the fix named" grep -q "write the times with their UTC offsets (as ISO 8601 does: the hour before the change with the earlier offset, the repeated one with the later), or give --freq D" "$T/err"
check "repeated time: no advice to drop --tz" bash -c "! grep -q 'drop --tz to' '$T/err'"
python3 -c "
import datetime as dt
print('ts,v')
t = dt.datetime(2024, 10, 20)
while t < dt.datetime(2024, 10, 28):
    print(f'{t:%Y-%m-%d %H:%M},1')
    if t == dt.datetime(2024, 10, 27, 2): print(f'{t:%Y-%m-%d %H:%M},1')  # 02:00 twice
    t += dt.timedelta(hours=1)" >"$T/repd.csv"
expect_exit 2 "2 times on a wall time the --tz zone's clocks show twice" \
    -- "$H" forecast "$T/repd.csv" --date ts --value v --tz Europe/Berlin --horizon 1 --model naive
expect_exit 0 "" -- "$H" forecast "$T/repd.csv" --date ts --value v --tz Europe/Berlin --freq D --horizon 1 --model naive
check "local-time export: the autumn day's 25 hours" grep -q '^total,2024-10-28,25,' "$T/out"
expect_exit 1 "'2024-03-10 02:30' does not exist in America/New_York" \
    -- "$H" analyze segment <(printf 'customer,ts,amount\na,2024-03-09 10:00,5\nb,2024-03-10 02:30,6\n') \
    --customer customer --date ts --amount amount --tz America/New_York
# dates written with 00:00:00 where clocks are put forward at midnight
# (Santiago, 2024-09-08 00:00 -> 01:00): the days they name; an hourly
# reading at that midnight is refused
python3 -c "
import datetime as dt
print('d,v')
d = dt.date(2024, 8, 20)
for i in range(30): print(f'{d + dt.timedelta(days=i)} 00:00:00,{i % 7}')" >"$T/scl.csv"
expect_exit 0 "frequency: days (inferred: one row per series and day)" \
    -- "$H" forecast "$T/scl.csv" --date d --value v --horizon 1 --model snaive --tz America/Santiago
check "midnights in Santiago: the next day" grep -q '^total,2024-09-19,2,' "$T/out"
{ echo "ts,v"; echo "2024-09-07 23:00,1"; echo "2024-09-08 00:00,2"; echo "2024-09-08 01:00,3"; } >"$T/sclh.csv"
expect_exit 1 "sclh.csv:3:1: column 'ts': '2024-09-08 00:00' does not exist in America/Santiago" \
    -- "$H" inspect "$T/sclh.csv" --tz America/Santiago
# a zone that skipped a whole day (Samoa, 30 December 2011)
{ echo "ts,v"; echo "2011-12-29 23:59,1"; echo "2011-12-30 10:00,2"; } >"$T/apia.csv"
expect_exit 1 "apia.csv:3:1: column 'ts': '2011-12-30 10:00' does not exist in Pacific/Apia: its clocks jump from 2011-12-30 00:00 to 2011-12-31 00:00 (UTC offset -10:00, then +14:00)" \
    -- "$H" inspect "$T/apia.csv" --tz Pacific/Apia
expect_exit 2 "--tz: 'Europe/Berln' is not a zone of the system tz database" \
    -- "$H" inspect "$T/rep.csv" --tz Europe/Berln
expect_exit 2 "--tz: '../etc/passwd' is not a zone" \
    -- "$H" inspect "$T/rep.csv" --tz ../etc/passwd

# a job's tz parameter is the command's --tz
export HORIZON_STORE="sqlite:$T/store.db" TMPDIR="$T" HZ_DATASET_ROOTS="$T"
P='"date":"ts","value":"v","model":"naive","freq":"hour"'
cat >"$T/jobs.json" <<JSON
[{"id":"j-skip","type":"forecast","customerId":"acme","dataset":"$T/skip.csv","params":{$P,"tz":"Europe/Berlin"}},
 {"id":"j-wall","type":"forecast","customerId":"acme","dataset":"$T/skip.csv","params":{$P}}]
JSON
"$H" submit --no-validate --file "$T/jobs.json" --quiet
"$H" run --once --concurrency 1 --max-attempts 1 --timeout 60 >"$T/run.out" 2>"$T/run.log"
"$H" jobs show j-skip >"$T/show" 2>&1
check "job tz: the skipped time fails the job" grep -q "does not exist in Europe/Berlin" "$T/show"
"$H" jobs show j-wall >"$T/show" 2>&1
check "job without tz: wall times read" grep -q "status:    succeeded" "$T/show"

# hourly readings with their offsets across the autumn change: the two
# 02:00 hours in Berlin (+02:00, then +01:00) are different instants.
# Hours cut on --tz's clock would sum them into one (until 2026-12-07
# done, with only a note): refused, naming the first; a day takes both
# (25 hours); without --tz hours are cut in UTC, each kept (the last,
# 23:00 in Berlin, is 22:00 UTC: the forecast starts at 23:00 UTC)
python3 - "$T" <<'PY'
import datetime as dt, sys
from zoneinfo import ZoneInfo
z = ZoneInfo("Europe/Berlin")
t0 = dt.datetime(2024, 10, 19, 22, 0, tzinfo=dt.timezone.utc)  # 20th 00:00 Berlin
with open(f"{sys.argv[1]}/fold.csv", "w") as f:
    f.write("ts,kwh\n")
    for i in range(24 * 8 + 1):  # to 2024-10-27 23:00 Berlin (25 hours that day)
        f.write(f"{(t0 + dt.timedelta(hours=i)).astimezone(z).isoformat()},1\n")
PY
expect_exit 2 "series 'total': 2 rows at 2024-10-27 02:00:00, a wall time the --tz zone's clocks show twice, put back, and column 'ts' has times at both of its instants (1 at the first, 1 at the second)" -- \
    "$H" forecast "$T/fold.csv" --date ts --value kwh --tz Europe/Berlin --model naive --horizon 1
check "autumn hour under --tz: no output" test ! -s "$T/out"
expect_exit 2 "could take two hours of readings for one" -- \
    "$H" forecast "$T/fold.csv" --date ts --value kwh --tz Europe/Berlin --model naive --horizon 1 --freq 30min
expect_exit 0 "" -- "$H" forecast "$T/fold.csv" --date ts --value kwh --tz Europe/Berlin --model naive --horizon 1 --freq D
check "autumn day under --tz: its 25 hours" grep -q '^total,2024-10-28,25,' "$T/out"
expect_exit 0 "" -- "$H" forecast "$T/fold.csv" --date ts --value kwh --model naive --horizon 1
check "autumn hours without --tz: UTC hours, none summed" bash -c "grep -q '^total,2024-10-27 23:00:00,1,' '$T/out' && ! grep -q 'summed' '$T/err'"

# the same readings but for the first 02:00 (+02:00), as a meter that
# missed it writes them: on Berlin's clock each hour then has one
# reading, the second 02:00's, and the series is read (until 2026-12-07
# refused as if both were there); the first alone too, and Unix times
# likewise.  Without offsets a lone 02:00 is still refused: which of the
# two hours it is, is unknown.
python3 - "$T" <<'PY'
import datetime as dt, sys
t = sys.argv[1]
rows = open(f"{t}/fold.csv").read().splitlines()
with open(f"{t}/late.csv", "w") as a, open(f"{t}/early.csv", "w") as b, \
        open(f"{t}/late_unix.csv", "w") as c, open(f"{t}/late_wall.csv", "w") as d:
    for f in (a, b, c, d):
        f.write("ts,kwh\n")
    for r in rows[1:]:
        ts, v = r.split(",")
        l = dt.datetime.fromisoformat(ts)
        first = ts.startswith("2024-10-27T02:00:00+02:00")
        second = ts.startswith("2024-10-27T02:00:00+01:00")
        v = "7" if second else "1"
        if not first:
            a.write(f"{ts},{v}\n")
            c.write(f"{int(l.timestamp())},{v}\n")
            d.write(f"{l:%Y-%m-%d %H:%M:%S},{v}\n")
        if not second:
            b.write(f"{ts},1\n")
PY
expect_exit 0 "" -- "$H" forecast "$T/late.csv" --date ts --value kwh --tz Europe/Berlin \
    --model naive --horizon 1 --fill none --fitted "$T/fit.csv"
check "autumn, the second 02:00 alone: read, one reading that hour" \
    grep -q '^total,2024-10-27 02:00:00,7,' "$T/fit.csv"
expect_exit 0 "" -- "$H" forecast "$T/early.csv" --date ts --value kwh --tz Europe/Berlin \
    --model naive --horizon 1 --fill none
expect_exit 0 "" -- "$H" forecast "$T/late_unix.csv" --date ts --value kwh --tz Europe/Berlin \
    --schema ts:timestamp:unix --model naive --horizon 1 --fill none --fitted "$T/fit.csv"
check "autumn, Unix times, the second 02:00 alone: read" \
    grep -q '^total,2024-10-27 02:00:00,7,' "$T/fit.csv"
expect_exit 2 "column 'ts': 1 time on a wall time the --tz zone's clocks show twice, put back (first: 2024-10-27 02:00:00), without a UTC offset" -- \
    "$H" forecast "$T/late_wall.csv" --date ts --value kwh --tz Europe/Berlin --model naive --horizon 1

# two meters, A without the first 02:00 and B without the second: each
# has one reading that hour on Berlin's clock, and both are read with
# --by (until 2026-12-07 the column's count refused them, saying of each
# that it had a time at the second 02:00 beside the first); a meter with
# both is refused, named
python3 - "$T" <<'PY'
import sys
t = sys.argv[1]
rows = open(f"{t}/fold.csv").read().splitlines()[1:]
with open(f"{t}/ab.csv", "w") as f, open(f"{t}/abc.csv", "w") as g:
    f.write("m,ts,kwh\n"); g.write("m,ts,kwh\n")
    for r in rows:
        ts, v = r.split(",")
        if not ts.startswith("2024-10-27T02:00:00+02:00"):
            f.write(f"A,{ts},{7 if ts.startswith('2024-10-27T02:00:00+01:00') else 1}\n")
        if not ts.startswith("2024-10-27T02:00:00+01:00"):
            f.write(f"B,{ts},{5 if ts.startswith('2024-10-27T02:00:00+02:00') else 1}\n")
        g.write(f"C,{ts},1\n")
        if not ts.startswith("2024-10-27T02:00:00+01:00"):
            g.write(f"B,{ts},1\n")
PY
expect_exit 0 "" -- "$H" forecast "$T/ab.csv" --date ts --value kwh --by m --tz Europe/Berlin \
    --model naive --horizon 1 --fill none --fitted "$T/fit.csv"
check "autumn, two meters each missing one 02:00: both read" \
    bash -c "grep -q '^A,2024-10-27 02:00:00,7,' '$T/fit.csv' && grep -q '^B,2024-10-27 02:00:00,5,' '$T/fit.csv'"
expect_exit 2 "series 'C': 2 rows at 2024-10-27 02:00:00, a wall time the --tz zone's clocks show twice" -- \
    "$H" forecast "$T/abc.csv" --date ts --value kwh --by m --tz Europe/Berlin --model naive --horizon 1

finish
