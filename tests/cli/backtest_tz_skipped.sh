#!/usr/bin/env bash
# backtest under --tz across a spring change: the hour the clocks skip is
# estimated for the models, but it is no reading, so it is neither a
# holdout point nor scored; the holdout counts the hours that exist, as
# a forecast's horizon does.  Until 2026-12-07 the estimate was scored
# as if it were a reading, and the holdout held one hour fewer.
source "$HZ_SRC/tests/cli/lib.sh"
H=$HORIZON

# hourly readings 2025-03-20 00:00 .. 2025-03-30 05:00 in Berlin (none at
# 02:00 on the 30th: it does not exist), v = 10 + 2 hour + day % 3
python3 - "$T" <<'PY'
import datetime as dt, sys
t = dt.datetime(2025, 3, 20)
with open(f"{sys.argv[1]}/spring.csv", "w") as f:
    f.write("ts,v\n")
    while t <= dt.datetime(2025, 3, 30, 5):
        if not (t.day == 30 and t.hour == 2):
            f.write(f"{t:%Y-%m-%d %H:%M:%S},{10 + 2 * t.hour + t.day % 3}\n")
        t += dt.timedelta(hours=1)
PY
expect_exit 0 "the hour the clocks skip on 2025-03-30 is no reading: estimated for the model between its neighbours, no holdout point and not scored" -- \
    "$H" backtest "$T/spring.csv" --date ts --value v --tz Europe/Berlin \
    --horizon 6 --models snaive --per-series "$T/ps.csv"
# the last 6 hours that exist: 23:00 on the 29th, then 00, 01, 03, 04,
# 05 on the 30th, each forecast as its wall hour a day before (23:00 on
# the 28th was 57, the 29th's hours 2 more than the 30th's)
want=$(python3 -c "print(f'{sum(200*abs(a-f)/(a+f) for a, f in ((58,57),(10,12),(12,14),(16,18),(18,20),(20,22)))/6:.4f}')")
got=$(awk -F, '$3 == "snaive" { printf "%.4f", $6 }' "$T/ps.csv")
check "holdout: the 6 hours that exist, cutoff 22:00" grep -q '^total,2025-03-29 22:00:00,snaive,.*,239,' "$T/ps.csv"
check "skipped hour not scored: sMAPE $want (got $got)" test "$got" = "$want"
# with --origins, each origin one hour that exists earlier, and a cutoff
# is a reading: the last origin holds out 03:00 .. 05:00 from 01:00
expect_exit 0 "" -- "$H" backtest "$T/spring.csv" --date ts --value v \
    --tz Europe/Berlin --horizon 3 --origins 3 --models naive --per-series "$T/ps.csv"
check "origins: cutoffs 23:00, 00:00, 01:00" test \
    "$(cut -d, -f2 "$T/ps.csv" | tail -n +2 | sort -u | tr '\n' ' ')" = \
    "2025-03-29 23:00:00 2025-03-30 00:00:00 2025-03-30 01:00:00 "
# naive from 01:00 (12): 03:00 .. 05:00 are 16, 18, 20
want=$(python3 -c "print(f'{sum(200*abs(a-12)/(a+12) for a in (16,18,20))/3:.4f}')")
got=$(awk -F, '$2 == "2025-03-30 01:00:00" && $3 == "naive" { printf "%.4f", $6 }' "$T/ps.csv")
check "last origin: 3 readings scored, sMAPE $want (got $got)" test "$got" = "$want"
finish
