#!/usr/bin/env bash
# Lord Howe (Australia/Lord_Howe) puts its clocks forward by half an
# hour (2024-10-06 02:00 -> 02:30): of the 02:00 hour only 02:30 to 03:00
# exists, and a meter on the wall clock's hours writes no 02:00 reading.
# Data with no row in any such shortened hour take it as skipped
# (estimated for the model, not shown, no gap); until 2026-12-07 it was
# filled with 0 (a false dip).  With a row at 02:30 the hour is read as
# any other; the autumn half-hour repeat (2025-04-06) fills nothing.
source "$HZ_SRC/tests/cli/lib.sh"
H=$HORIZON
Z=Australia/Lord_Howe

python3 - "$T" <<'PY'
import datetime as dt, sys
t = sys.argv[1]
def w(name, a, b, drop=(), extra=()):
    with open(f"{t}/{name}", "w") as f:
        f.write("ts,kwh\n")
        d = a
        while d < b:
            s = f"{d:%Y-%m-%d %H:%M}"
            if s not in drop:
                f.write(f"{s},{10 + d.hour}\n")
            if s in extra:
                f.write(f"{extra[s]},{10 + d.hour}\n")
            d += dt.timedelta(hours=1)
w("spring.csv", dt.datetime(2024, 9, 1), dt.datetime(2024, 10, 20), drop={"2024-10-06 02:00"})
w("spring_end.csv", dt.datetime(2024, 9, 1), dt.datetime(2024, 10, 6, 2), drop={"2024-10-06 02:00"})
w("spring_half.csv", dt.datetime(2024, 9, 1), dt.datetime(2024, 10, 20), drop={"2024-10-06 02:00"},
  extra={"2024-10-06 01:00": "2024-10-06 02:30"})
w("autumn.csv", dt.datetime(2025, 3, 1), dt.datetime(2025, 4, 20))
PY

# the clocks skip half of that hour: "shorten to 30 minutes" (until
# 2026-12-08 "the hour the clocks skip")
expect_exit 0 "the hour the clocks shorten to 30 minutes on 2024-10-06 is no reading" -- \
    "$H" forecast "$T/spring.csv" --date ts --value kwh --tz $Z --model snaive \
    --horizon 3 --fitted "$T/fit.csv" -o "$T/fc.csv"
check "spring: no gap filled" bash -c "! grep -q 'filled' '$T/err'"
check "spring: no fitted 02:00 row" bash -c "! grep -q '^total,2024-10-06 02:00' '$T/fit.csv' && grep -q '^total,2024-10-06 03:00:00,13,' '$T/fit.csv'"
check "spring: --fill none reads it" "$H" forecast "$T/spring.csv" --date ts --value kwh --tz $Z \
    --model snaive --horizon 3 --fill none -o "$T/none.csv" 2>/dev/null
# a forecast across the change: no step labelled 02:00, 3 that exist
expect_exit 0 "the forecast crosses the hour the clocks shorten to 30 minutes on 2024-10-06: no step is labelled with it" -- \
    "$H" forecast "$T/spring_end.csv" --date ts --value kwh --tz $Z --model snaive \
    --horizon 3 -o "$T/end.csv"
check "forecast across: 03:00, 04:00, 05:00" bash -c "! grep -q '2024-10-06 02:00' '$T/end.csv' && grep -q '^total,2024-10-06 05:00:00,15,' '$T/end.csv'"
# a row at 02:30: the hour is a period like others, no skip, with
# --freq hour; without it the 02:30 is off the grid of the other times,
# refused with its place (until 2026-12-08 the times were taken for
# irregular ones and summed into days)
expect_exit 1 "spring_half.csv:844:1: column 'ts': the time 2024-10-06 02:30:00 is off the grid of the others, which fall on the hour (1 of " -- \
    "$H" forecast "$T/spring_half.csv" --date ts --value kwh --tz $Z --model snaive --horizon 3
expect_exit 0 "" -- "$H" forecast "$T/spring_half.csv" --date ts --value kwh --tz $Z \
    --freq hour --model snaive --horizon 3 --fitted "$T/fit2.csv" -o "$T/half.csv"
check "02:30 row: the 02:00 hour read" bash -c "grep -q '^total,2024-10-06 02:00:00,11,' '$T/fit2.csv' && ! grep -q 'filled\|clocks skip' '$T/err'"
# autumn: 01:30 to 02:00 shown twice, nothing filled or skipped
expect_exit 0 "" -- "$H" forecast "$T/autumn.csv" --date ts --value kwh --tz $Z \
    --model snaive --horizon 3 -o "$T/aut.csv"
check "autumn: nothing filled or skipped" bash -c "! grep -q 'filled\|clocks skip' '$T/err'"
finish
