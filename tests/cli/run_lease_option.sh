#!/usr/bin/env bash
# --lease takes a decimal number of seconds from 1 to 3600 and refuses
# anything else (exit 2, naming the option).  Until 2026-12-07 strtod took
# what it could: --lease 0.001 ran (a lease renewed every third of a
# millisecond: 491 store operations for two jobs), and 0x10 (hex, 16 s),
# 1e1 or 4e3 were accepted as numbers.
source "$(dirname "$0")/lib.sh"

export HORIZON_STORE="sqlite:$T/store.db" TMPDIR="$T"
for bad in 0.001 0.5 0 -5 +5 0x10 0X1p4 1e1 4e3 inf nan 3601 7200 '' . 5s \
    ' 5' '5 ' 1..2; do
    "$HORIZON" run --once --lease "$bad" > "$T/out" 2> "$T/err"
    rc=$?
    check "--lease '$bad' refused, exit 2 ($rc): $(cat "$T/err")" test $rc -eq 2
    check "--lease '$bad': the message says what is expected" \
        grep -q -- "--lease: expected a decimal number of seconds from 1 to 3600" "$T/err"
done
# the short leases the tests use, the default and the largest
for good in 1 1.5 2 3 6 60 60.0 3600; do
    "$HORIZON" run --once --lease "$good" > "$T/out" 2> "$T/err"
    rc=$?
    check "--lease $good accepted, exit 0 ($rc): $(cat "$T/err")" test $rc -eq 0
done
check "--help says the range" \
    bash -c "'$HORIZON' run --help | grep -q 'seconds from 1 to 3600'"
finish
