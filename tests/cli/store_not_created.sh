#!/usr/bin/env bash
# The commands that change or remove what a store holds (jobs cancel,
# retry, delete; schedule remove) on a SQLite store file that does not
# exist refuse it, "no such file", as the read-only ones do (jobs show),
# and create nothing: until 2026-12-07 `jobs delete nosuch` with a
# mistyped store path made an empty store there (and said "no job").
source "$(dirname "$0")/lib.sh"
export HORIZON_STORE="sqlite:$T/s.db"
for c in "jobs delete nosuch" "jobs cancel nosuch" "jobs retry nosuch" \
    "schedule remove nosuch --tenant acme" "jobs show nosuch"; do
    # shellcheck disable=SC2086
    "$HORIZON" $c > "$T/out" 2> "$T/err"
    rc=$?
    check "$c: exit 3 ($rc)" test "$rc" -eq 3
    check "$c: says the store file is missing: $(cat "$T/err")" \
        grep -q "sqlite store $T/s.db: no such file" "$T/err"
    check "$c: no store made: $(ls "$T")" test ! -e "$T/s.db"
done
# a store that is there: the same commands work on it
tiny_monthly_csv "$T/m.csv"
HZ_DATASET_ROOTS="$T" "$HORIZON" submit --type forecast --tenant acme --id j \
    --dataset "$T/m.csv" --param date=date --param value=value --quiet
check "cancel on a store that is there" "$HORIZON" jobs cancel j
check "delete on a store that is there" "$HORIZON" jobs delete j
finish
