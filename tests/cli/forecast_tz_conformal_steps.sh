#!/usr/bin/env bash
# --intervals conformal under --tz: a horizon that crosses the hour the
# clocks skip is widened internally by one step (left out of the
# result); the notes count the user's steps (until 2026-12-07 "at 2 of 2
# steps" for --horizon 1, the widened horizon leaking into the note).
source "$HZ_SRC/tests/cli/lib.sh"
H=$HORIZON

# hourly readings in Berlin up to 01:00 on 2025-03-30: the next hour,
# 02:00, does not exist
python3 - "$T" <<'PY'
import datetime as dt, sys
t, k = dt.datetime(2025, 3, 20), 0
with open(f"{sys.argv[1]}/spring.csv", "w") as f:
    f.write("ts,v\n")
    while t <= dt.datetime(2025, 3, 30, 1):
        f.write(f"{t:%Y-%m-%d %H:%M:%S},{10 + (k * 7) % 13}\n")
        k += 1
        t += dt.timedelta(hours=1)
PY
expect_exit 0 "" -- "$H" forecast "$T/spring.csv" --date ts --value v \
    --tz Europe/Berlin --horizon 1 --model naive --intervals conformal
check "one step, at 03:00" bash -c "[ \$(grep -c '^total,' '$T/out') = 1 ] && grep -q '^total,2025-03-30 03:00:00,' '$T/out'"
# one step: "at the one step" (until 2026-12-08 "at 1 of 1 steps")
check "the note counts 1 step ($(grep -o 'at [a-z0-9]* [a-z0-9]* [0-9]* *steps*' "$T/out"))" \
    bash -c "grep -q 'at the one step' '$T/out' && ! grep -q 'of 1 steps' '$T/out'"
finish
