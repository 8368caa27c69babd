#!/usr/bin/env bash
# Unix times (--schema COL:timestamp:unix, :unix_ms): UTC instants, cut
# on --tz's clock; magnitudes of the other unit refused with the place,
# never read as another unit (until 2026-12-07 such a column was not
# read at all: "unknown type 'unix'").
source "$HZ_SRC/tests/cli/lib.sh"
H=$HORIZON

# 30 days of one reading at 23:00 UTC, midnight in Berlin (winter):
# 2023-12-31T23:00:00Z .. 2024-01-29T23:00:00Z, value = day number
python3 - "$T" <<'PY'
import sys
t = sys.argv[1]
with open(f"{t}/s.csv", "w") as a, open(f"{t}/ms.csv", "w") as b:
    a.write("ts,v\n"); b.write("ts,v\n")
    for i in range(30):
        a.write(f"{1704063600 + 86400 * i},{i}\n")
        b.write(f"{(1704063600 + 86400 * i) * 1000 + 250},{i}\n")
PY
for f in s:unix ms:unix_ms; do
    file=${f%%:*} fmt=${f#*:}
    expect_exit 0 "" -- "$H" forecast "$T/$file.csv" --date ts --value v \
        --schema "ts:timestamp:$fmt" --model naive --horizon 1
    check "$fmt: UTC days (the last reading on 2024-01-29)" grep -q '^total,2024-01-30,29,' "$T/out"
    check "$fmt: read as UTC instants, said so" grep -q "read as UTC instants" "$T/err"
    # said as Unix times, not as offsets they do not carry (until
    # 2026-12-07: "the dates carry UTC offsets (such as +01:00 or Z)")
    check "$fmt: the notice names Unix times: $(cat "$T/err")" \
        grep -q "the dates are Unix times (seconds since 1970-01-01 00:00 UTC): they are read as UTC instants, so days are cut" "$T/err"
    check "$fmt: no offsets in the notice" bash -c "! grep -q 'offset' '$T/err'"
    expect_exit 0 "" -- "$H" backtest "$T/$file.csv" --date ts --value v \
        --schema "ts:timestamp:$fmt" --models naive --horizon 1 --origins 1
    check "$fmt backtest: the notice names Unix times" grep -q "the dates are Unix times" "$T/err"
    expect_exit 0 "" -- "$H" forecast "$T/$file.csv" --date ts --value v \
        --schema "ts:timestamp:$fmt" --model naive --horizon 1 --tz Europe/Berlin
    check "$fmt --tz Europe/Berlin: midnights there (the last on 2024-01-30)" grep -q '^total,2024-01-31,29,' "$T/out"
done
expect_exit 0 "" -- "$H" inspect "$T/ms.csv" --schema ts:timestamp:unix_ms
check "unix_ms: milliseconds dropped, instants shown in UTC" grep -Eq '^ts +timestamp:unix_ms +30 +0 +2023-12-31T23:00:00Z +2024-01-29T23:00:00Z' "$T/out"

# a negative time with a fraction counts in the second it began in
printf 'ts,v\n-100000000.5,1\n1704067200.999,2\n' >"$T/neg.csv"
expect_exit 0 "" -- "$H" inspect "$T/neg.csv" --schema ts:timestamp:unix
check "unix: -100000000.5 is 1966-10-31T14:13:19Z, fraction dropped" grep -Eq '^ts +timestamp:unix +2 +0 +1966-10-31T14:13:19Z +2024-01-01T00:00:00Z' "$T/out"

# the other unit's magnitudes are refused with the place, never read
expect_exit 1 "ms.csv:2:1: column 'ts': expected a Unix time in seconds (9 to 11 digits" -- \
    "$H" forecast "$T/ms.csv" --date ts --value v --schema ts:timestamp:unix
check "milliseconds as seconds: says :unix_ms" grep -q "give :unix_ms" "$T/err"
check "milliseconds as seconds: no output" test ! -s "$T/out"
expect_exit 1 "s.csv:2:1: column 'ts': expected a Unix time in milliseconds (12 to 14 digits" -- \
    "$H" forecast "$T/s.csv" --date ts --value v --schema ts:timestamp:unix_ms
# seconds as milliseconds would be January 1970: refused
printf 'ts,v\n1704067200000,1\n1704067200,2\n' >"$T/mixed.csv"
expect_exit 1 "mixed.csv:3:1: column 'ts': expected a Unix time in milliseconds" -- \
    "$H" inspect "$T/mixed.csv" --schema ts:timestamp:unix_ms
# a YYYYMMDD number or a 0 is no Unix time in seconds
printf 'ts,v\n20240131,1\n' >"$T/ymd.csv"
expect_exit 1 "ymd.csv:2:1: column 'ts': expected a Unix time in seconds" -- \
    "$H" inspect "$T/ymd.csv" --schema ts:timestamp:unix
printf 'ts,v\n0,1\n' >"$T/zero.csv"
expect_exit 1 "zero.csv:2:1: column 'ts': expected a Unix time in seconds" -- \
    "$H" inspect "$T/zero.csv" --schema ts:timestamp:unix
# Excel's scientific notation is not read either
printf 'ts,v\n1.7040672E+09,1\n' >"$T/sci.csv"
expect_exit 1 "sci.csv:2:1:" -- "$H" inspect "$T/sci.csv" --schema ts:timestamp:unix
# without the schema a column of such numbers is no date
expect_exit 2 "is int64, not a date" -- "$H" forecast "$T/s.csv" --date ts --value v

# schema errors: unix is for timestamps; an unknown format is named as one
expect_exit 2 "--schema: Unix times are instants: give 'ts:timestamp:unix'" -- \
    "$H" forecast "$T/s.csv" --date ts --value v --schema ts:date:unix
expect_exit 2 "--schema: unknown date format 'unixx' for column 'ts'" -- \
    "$H" forecast "$T/s.csv" --date ts --value v --schema ts:timestamp:unixx

# analyze says Unix times as forecast does
"$H" gen --kind sales --rows 300 --customers 30 --months 12 --seed 1 -o "$T/g.csv" >/dev/null 2>&1
python3 - "$T" <<'PY'
import csv, datetime as dt, sys
t = sys.argv[1]
rows = list(csv.DictReader(open(f"{t}/g.csv")))
with open(f"{t}/gu.csv", "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0]))
    w.writeheader()
    for r in rows:
        d = dt.datetime.fromisoformat(r["order_date"][:10]).replace(tzinfo=dt.timezone.utc)
        r["order_date"] = str(int(d.timestamp()) + 36000)
        w.writerow(r)
PY
expect_exit 0 "" -- "$H" analyze clv "$T/gu.csv" --schema order_date:timestamp:unix
check "analyze: the notice names Unix times: $(cat "$T/err")" \
    grep -q "horizon analyze: the dates are Unix times (seconds since 1970-01-01 00:00 UTC): they are read as UTC instants" "$T/err"

finish
