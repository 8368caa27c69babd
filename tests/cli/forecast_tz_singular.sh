#!/usr/bin/env bash
# The skipped-period notices under --tz in singular forms for one: Lord
# Howe's half-hour change skips one 30-minute period (until 2026-12-07
# "crosses 1 30-minute periods ... with them", "the 1 that exist"), and
# a horizon of 1 hour is "the 1 hour that exists"; Berlin's hour is two.
source "$HZ_SRC/tests/cli/lib.sh"
H=$HORIZON

python3 - "$T" <<'PY'
import datetime as dt, sys
t = sys.argv[1]
def w(name, a, b, step, drop=()):
    with open(f"{t}/{name}", "w") as f:
        f.write("ts,kwh\n")
        d = a
        while d < b:
            s = f"{d:%Y-%m-%d %H:%M}"
            if s not in drop:
                f.write(f"{s},{10 + d.hour}\n")
            d += dt.timedelta(minutes=step)
w("lh30.csv", dt.datetime(2024, 9, 20), dt.datetime(2024, 10, 10), 30, {"2024-10-06 02:00"})
w("lh30_end.csv", dt.datetime(2024, 9, 20), dt.datetime(2024, 10, 6, 2), 30)
w("be30_end.csv", dt.datetime(2025, 3, 10), dt.datetime(2025, 3, 30, 2), 30)
w("be60_end.csv", dt.datetime(2025, 3, 10), dt.datetime(2025, 3, 30, 2), 60)
PY
fc() { "$H" forecast "$@" --date ts --value kwh --model snaive --horizon 1 -o "$T/fc.csv"; }

expect_exit 0 "the 30-minute period the clocks skip on 2024-10-06 is no reading: estimated for the model between its neighbours" -- \
    fc "$T/lh30.csv" --tz Australia/Lord_Howe
expect_exit 0 "the forecast crosses the 30-minute period the clocks skip on 2024-10-06: no step is labelled with it, and the horizon counts the 1 that exists (one more step forecast, the skipped one left out)" -- \
    fc "$T/lh30_end.csv" --tz Australia/Lord_Howe
check "no '1 30-minute periods'" bash -c "! grep -q '1 30-minute periods' '$T/err'"
expect_exit 0 "the forecast crosses 2 30-minute periods the clocks skip on 2025-03-30: no step is labelled with them, and the horizon counts the 1 that exists" -- \
    fc "$T/be30_end.csv" --tz Europe/Berlin
expect_exit 0 "the forecast crosses the hour the clocks skip on 2025-03-30: no step is labelled with it, and the horizon counts the 1 hour that exists" -- \
    fc "$T/be60_end.csv" --tz Europe/Berlin
finish
