#!/usr/bin/env bash
# Ticket ids such as 20240131T0001 have ISO 8601's basic shape to the
# minute: until 2026-12-07 such a column was inferred as timestamps
# (inspect showed 2024-01-31T00:01:00, --by labelled its groups so).
# Without seconds or a zone the basic form is a time only in a column
# named a date one (--date, --schema); with them it is one as before.
source "$HZ_SRC/tests/cli/lib.sh"
H=$HORIZON

{ echo "ticket,day,v"; for i in 1 2 3 4 5 6; do for d in 01 02 03 04 05 06 07 08 09 10; do
    echo "20240131T000$i,2024-01-$d,$((i + 10#$d))"; done; done; } >"$T/tk.csv"
expect_exit 0 "" -- "$H" inspect "$T/tk.csv"
check "inspect: ids are text" grep -Eq '^ticket +string +60 +0 .* 6$' "$T/out"
# --by on the ids: the groups labelled as written
expect_exit 0 "" -- "$H" forecast "$T/tk.csv" --date day --value v --by ticket \
    --horizon 1 --model naive -o "$T/by.csv"
check "--by: labels as written" bash -c "grep -q '^20240131T0001,2024-01-11,' '$T/by.csv' && [ \$(grep -c '^20240131T000' '$T/by.csv') = 6 ]"
# named by --date: times to the minute
{ echo "ts,v"; for d in 01 02 03 04 05 06 07 08 09 10; do echo "202401${d}T1200,$d"; done; } >"$T/ts.csv"
expect_exit 0 "" -- "$H" forecast "$T/ts.csv" --date ts --value v --horizon 1 --model naive -o "$T/ts.out"
check "--date: read as times, days" grep -q '^total,2024-01-11,10,' "$T/ts.out"
expect_exit 0 "" -- "$H" inspect "$T/ts.csv" --schema ts:timestamp
check "--schema: timestamps" grep -q "2024-01-01T12:00:00   2024-01-10T12:00:00" "$T/out"
# with seconds or a zone: timestamps as before
{ echo "ts,v"; echo "20240131T000100,1"; echo "20240131T000200,2"; } >"$T/full.csv"
{ echo "ts,v"; echo "20240131T0001Z,1"; echo "20240131T0002+0100,2"; } >"$T/zoned.csv"
expect_exit 0 "" -- "$H" inspect "$T/full.csv"
check "seconds: timestamps" grep -Eq "^ts +timestamp " "$T/out"
expect_exit 0 "" -- "$H" inspect "$T/zoned.csv"
check "a zone: timestamps" grep -Eq "^ts +timestamp " "$T/out"
finish
