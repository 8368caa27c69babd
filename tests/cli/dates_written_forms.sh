#!/usr/bin/env bash
# Dates as people and exports write them besides the table's formats:
# inferred for a whole column (all or nothing, as the other formats),
# read by forecast.  Until 2026-12-07 such a column was text.
source "$HZ_SRC/tests/cli/lib.sh"
H=$HORIZON

form() { # NAME TYPE VALUE1 VALUE2 VALUE3: inspect reads the column as TYPE
    local name=$1 type=$2
    shift 2
    { echo "d,v"; n=1; for v in "$@"; do echo "\"$v\",$n"; n=$((n + 1)); done; } >"$T/$name.csv"
    "$H" inspect "$T/$name.csv" >"$T/insp" 2>&1
    check "$name: $type" grep -Eq "^d +$type +3 +0 " "$T/insp"
}
form "month named first" "date:mdy" "Jan 30, 2024" "Jan 31, 2024" "February 1, 2024"
form "one-digit ISO parts" "date" "2024-1-30" "2024-1-31" "2024-2-1"
form "year-first with dots" "date:ymd" "2024.01.30" "2024.01.31" "2024.02.01"
form "ISO basic" "timestamp" "20240130T140509Z" "20240131T150000Z" "20240201T000000+0100"
check "ISO basic: UTC instants" grep -q "2024-01-30T14:05:09Z  2024-01-31T23:00:00Z" "$T/insp"
form "a.m. and p.m." "timestamp" "2024-01-30 12:30 a.m." "2024-01-30 1:30 p.m." "2024-01-31 11:15 p.m."
check "a.m. and p.m.: 00:30 to 23:15" grep -q "2024-01-30T00:30:00   2024-01-31T23:15:00" "$T/insp"
form "a weekday before: month first" "date:mdy" "Tuesday, January 30, 2024" "Wednesday, January 31, 2024" "Thursday, February 1, 2024"
form "a weekday before: day first" "date:dmy" "Tue, 30 Jan 2024" "Wed, 31 Jan 2024" "Thu, 1 Feb 2024"
# the weekday settles the order: 1/2/2024 is a Tuesday month-first
form "a weekday settles the order" "date:mdy" "Tue, 1/2/2024" "Wed, 1/3/2024" "Thu, 1/4/2024"
# a weekday both orders fall on settles nothing (6 January and 1 June
# 2024 are Saturdays): day-first dates with such a row are day-first,
# and a column of only such rows is refused as 6/1/2024 alone would be
# (until 2026-12-07 each was counted month-first: the column was text,
# or read month-first, 1 June)
form "a weekday both orders fall on" "date:dmy" "Sat, 6/1/2024" "Sun, 7/1/2024" "Sat, 13/1/2024"
{ echo "d,v"; echo "\"Mon, 1/1/2024\",1"; echo "\"Sat, 6/1/2024\",2"; echo "\"Fri, 2/2/2024\",3"; } >"$T/wdamb.csv"
expect_exit 1 "wdamb.csv:2:1: column 'd': dates such as 'Mon, 1/1/2024' could be month-first or day-first" -- \
    "$H" forecast "$T/wdamb.csv" --date d --value v
# a weekday that is not the date's: refused with the date's own (until
# 2026-12-07 only 'expected a valid date', the date being valid)
{ echo "d,v"; echo "\"Wed, Jan 31, 2024\",1"; echo "\"Fri, Feb 1, 2024\",2"; } >"$T/wdbad.csv"
expect_exit 1 "wdbad.csv:3:1: column 'd': expected a valid date MM/DD/YYYY (or Jan 31, 2024), got 'Fri, Feb 1, 2024': 2024-02-01 is a Thursday, not a Friday" -- \
    "$H" forecast "$T/wdbad.csv" --date d --value v
form "a long date with a time" "timestamp:mdy" "Wednesday, September 25, 2024 12:30:45 p.m." "Wednesday, September 25, 2024 11:59:59 p.m." "Thursday, September 26, 2024 12:00:00 a.m."
form "month named first with a time" "timestamp:mdy" "Jan 30, 2024 9:05 AM" "Jan 30, 2024 2:05 p.m." "Feb 1, 2024 10:00"

# dotted year-first dates are inferred with two-digit month and day:
# 2024.1.0, 2024.3.1 are version numbers as calendar versioning writes
# them, a column of them text (until 2026-12-07 such a column whose
# sampled values were nearly all valid dates was taken for dates and the
# file refused at '2024.1.0'); --date still reads 2024.1.5
{ echo "ver,n"; echo "2024.1.0,0"; for k in $(seq 1 19); do echo "2024.$((k % 12 + 1)).$((k % 5 + 1)),$k"; done; } >"$T/ver.csv"
expect_exit 0 "" -- "$H" inspect "$T/ver.csv"
check "version numbers: text" grep -Eq "^ver +string +20 " "$T/out"
{ echo "d,v"; echo "2024.1.30,1"; echo "2024.1.31,2"; echo "2024.2.1,3"; } >"$T/dots1.csv"
expect_exit 0 "" -- "$H" forecast "$T/dots1.csv" --date d --value v --model naive --horizon 1
check "one-digit dotted dates as --date: from 2024-02-02" grep -q '^total,2024-02-02,3,' "$T/out"
# a one-digit ISO month or day outside the accepted years is a code
# (part numbers 4711-3-12): text, as until 2026-12-07 (it was then taken
# for dates and the file refused as outside the window)
printf 'part,n\n4711-3-12,1\n4711-2-5,2\n1234-1-1,3\n5555-12-3,4\n' >"$T/parts.csv"
expect_exit 0 "" -- "$H" inspect "$T/parts.csv"
check "part numbers: text" grep -Eq "^part +string +4 " "$T/out"
printf 'part,n\n4711.03.12,1\n4711.02.05,2\n1234.01.01,3\n5555.12.03,4\n' >"$T/parts.csv"
expect_exit 0 "" -- "$H" inspect "$T/parts.csv"
check "dotted part numbers: text" grep -Eq "^part +string +4 " "$T/out"
# forecast reads them by day
python3 - "$T" <<'PY'
import datetime as dt, sys
with open(f"{sys.argv[1]}/us.csv", "w") as f:
    f.write("day,sales\n")
    d = dt.date(2024, 1, 1)
    for k in range(60):
        f.write(f"\"{d:%b} {d.day}, {d.year}\",{10 + k % 7}\n")
        d += dt.timedelta(days=1)
PY
expect_exit 0 "frequency: days" -- "$H" forecast "$T/us.csv" --date day --value sales --model snaive --horizon 2
check "month named first: forecast from 2024-03-01" grep -q '^total,2024-03-01,' "$T/out"
# a value of another form among them is an error with its place
{ echo "d,v"; echo "2024.01.30,1"; echo "2024.01.31,2"; echo "2024.13.01,3"; } >"$T/bad.csv"
expect_exit 1 "bad.csv:4:1: column 'd': expected a valid date YYYY/MM/DD (or YYYY.MM.DD), got '2024.13.01'" -- \
    "$H" forecast "$T/bad.csv" --date d --value v
# two-digit years are refused with the place and the fix: their century
# and order would be a guess (until 2026-12-07 no place, no reason)
for v in "01/02/24" "Jan 31, 24" "31.01.24 14:05"; do
    { echo "id,d,v"; echo "a,$v,1"; echo "b,$v,2"; } | sed 's/,\(Jan 31, 24\),/,"\1",/' >"$T/yy.csv"
    expect_exit 2 "yy.csv:2:2: column 'd' is not a date (e.g. '$v'): a two-digit year, whose century and order (day, month, year) would be a guess: write four-digit years" -- \
        "$H" forecast "$T/yy.csv" --date d --value v
done
# a four-digit year first is no two-digit year: a column of mixed forms
# names the first that differs, without that reason (until 2026-12-07
# '2024/01/31' was said to have a two-digit year)
printf 'd,v\n2024-01-29,1\n2024-01-30,2\n2024/01/31,3\n2024/02/01,4\n02/02/2024,5\n03/02/2024,6\n' >"$T/mix.csv"
expect_exit 1 "mix.csv:4:1: column 'd': '2024/01/31' is not a date in the column's format (iso)" -- \
    "$H" forecast "$T/mix.csv" --date d --value v
check "mix: no two-digit year claimed" bash -c "! grep -q 'two-digit' '$T/err'"
# week 53 of a year of 52 ISO weeks: refused with the reason (until
# 2026-12-07 only 'expected a valid date YYYY-Www')
{ echo "w,v"; echo "2024-W51,1"; echo "2024-W52,2"; echo "2024-W53,3"; } >"$T/w.csv"
expect_exit 1 "w.csv:4:1: column 'w': expected a valid date YYYY-Www, got '2024-W53': 2024 has 52 ISO weeks (53 only when it begins or ends on a Thursday)" -- \
    "$H" forecast "$T/w.csv" --date w --value v
{ echo "w,v"; echo "2020W52,1"; echo "2020W53,2"; echo "2021W01,3"; } >"$T/w53.csv"
expect_exit 0 "" -- "$H" forecast "$T/w53.csv" --date w --value v --model naive --horizon 1
check "2020 has week 53" grep -q '^total,2021W02,3,' "$T/out"
finish
