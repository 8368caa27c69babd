#!/usr/bin/env bash
# --intervals conformal under --tz: the hour the clocks skip is estimated
# for the models between its neighbours, but it is no reading, so it is
# no held-out error of the calibration (nor of mint-h's errors), as a
# backtest scores it not.  Until 2026-12-07 the estimate was compared
# with the forecasts as if it were a reading.
source "$HZ_SRC/tests/cli/lib.sh"
H=$HORIZON

# hourly readings in Berlin up to 05:00 on 2025-03-30 (02:00 does not
# exist): the last 5 values, whose one-step errors calibrate a horizon of
# 1, hold the skipped hour, so 4 are readings
python3 - "$T" <<'PY'
import datetime as dt, sys
t, k = dt.datetime(2025, 3, 20), 0
with open(f"{sys.argv[1]}/spring.csv", "w") as f:
    f.write("ts,v\n")
    while t <= dt.datetime(2025, 3, 30, 5):
        if not (t.day == 30 and t.hour == 2):
            f.write(f"{t:%Y-%m-%d %H:%M:%S},{10 + (k * 7) % 13}\n")
        k += 1
        t += dt.timedelta(hours=1)
PY
expect_exit 0 "" -- "$H" forecast "$T/spring.csv" --date ts --value v \
    --tz Europe/Berlin --horizon 1 --model naive --intervals conformal
check "4 held-out errors, the skipped hour none ($(tail -1 "$T/out"))" \
    grep -q '(4, at least 19 needed)' "$T/out"
# without the zone's clock there is no skipped hour: 5 (the gap filled)
expect_exit 0 "" -- "$H" forecast "$T/spring.csv" --date ts --value v \
    --horizon 1 --model naive --intervals conformal
check "UTC: 5 held-out errors" grep -q '(5, at least 19 needed)' "$T/out"
finish
