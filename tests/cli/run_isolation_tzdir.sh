#!/usr/bin/env bash
# Job isolation and a tz database moved by TZDIR (a container's own
# tzdata): an isolated job process reads its tz parameter's zone from
# $TZDIR.  Before, Landlock allowed /usr/share/zoneinfo only, the C library
# could not open $TZDIR/Europe/Berlin (EACCES) and took the zone for UTC
# without a word: the job succeeded with the readings cut into days and
# months on UTC's clock (the same totals as tz=UTC).
source "$(dirname "$0")/lib.sh"
abi=$(/usr/bin/python3 -c 'import ctypes; print(ctypes.CDLL(None).syscall(444, None, 0, 1))')
if [[ "$abi" -le 0 ]]; then
    echo "skip: the kernel has no Landlock (landlock_create_ruleset: $abi)"
    exit 77
fi
if [[ ! -f /usr/share/zoneinfo/Europe/Berlin ]]; then
    echo "skip: no /usr/share/zoneinfo/Europe/Berlin"
    exit 77
fi
mkdir -p "$T/data/acme" "$T/tzdata/Europe"
cp /usr/share/zoneinfo/Europe/Berlin "$T/tzdata/Europe/Berlin"
export HORIZON_STORE="sqlite:$T/store.db" HZ_DATASET_ROOTS="$T/data/{tenant}" \
    TMPDIR="$T"
unset HZ_TENANT HZ_JOB_ISOLATION TZDIR OPENAI_API_KEY OPENAI_BASE_URL \
    AZURE_OPENAI_ENDPOINT HZ_LLM_CONFIG || true
# a month's first reading at noon, its last at 23:30 UTC on its last day:
# in Berlin (00:30 or 01:30 the next day) the last one is the next month's
/usr/bin/python3 - "$T/data/acme/sales.csv" <<'PY'
import calendar, sys
with open(sys.argv[1], "w") as f:
    f.write("date,value\n")
    for y in (2022, 2023, 2024):
        for m in range(1, 13):
            last = calendar.monthrange(y, m)[1]
            f.write(f"{y}-{m:02d}-01T12:00:00Z,{10 + m}\n")
            f.write(f"{y}-{m:02d}-{last:02d}T23:30:00Z,{1000 * m}\n")
PY
total() { # ID TZ [ENV...]: run one job, print its forecast total
    local id=$1 tz=$2
    shift 2
    "$HORIZON" submit --type forecast --tenant acme --id "$id" --quiet \
        --dataset "$T/data/acme/sales.csv" --param date=date \
        --param value=value --param model=naive --param freq=month \
        --param horizon=2 --param "tz=$tz"
    env "$@" "$HORIZON" run --once --quiet >"$T/$id.out" 2>"$T/$id.err"
    "$HORIZON" jobs show "$id" --json | /usr/bin/python3 -c \
        'import json,sys; d=json.load(sys.stdin); print(d["status"], d.get("summary", {}).get("forecast", {}).get("forecastTotal"))'
}
berlin=$(total berlin Europe/Berlin)
utc=$(total utc UTC)
moved=$(total moved Europe/Berlin "TZDIR=$T/tzdata")
check "the zone changes the months here (Berlin: $berlin, UTC: $utc)" \
    test "$berlin" != "$utc"
check "with TZDIR the isolated job reads Berlin from it ($moved, Berlin: $berlin)" \
    test "$moved" = "$berlin"
finish
