#!/usr/bin/env bash
# Schedules: `horizon schedule add|list|remove`; four runners at once
# materialise each due slot exactly once (deterministic job ids per
# schedule and slot), with a controllable clock (HZ_TEST_NOW with
# HZ_TEST_HOOKS=1) and across daylight-saving changes in Europe/Berlin:
# the 02:30 skipped in spring runs at 03:00, the one repeated in autumn
# runs once.
source "$(dirname "$0")/lib.sh"
export HORIZON_STORE="sqlite:$T/store.db" TMPDIR="$T" HZ_DATASET_ROOTS="$T" \
    HZ_TEST_HOOKS=1
{
    echo "date,value"
    for i in $(seq 0 23); do
        printf '%04d-%02d-01,%d\n' $((2022 + i / 12)) $((i % 12 + 1)) $((50 + i))
    done
} > "$T/tiny.csv"
J=(--type forecast --dataset "$T/tiny.csv" --param date=date --param value=value
   --param model=naive --param freq=month --param horizon=2)
utc() { date -u -d "$1" +%s; }
py() { /usr/bin/python3 - "$T/store.db" "$@"; }
set_created() { # schedule id, epoch: a schedule made at that time
    py "$1" "$2" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=30)
(b,) = db.execute("select body from docs where container='schedules' and id=?",
                  (sys.argv[2],)).fetchone()
d = json.loads(b); d["createdAt"] = float(sys.argv[3])
db.execute("update docs set body=? where container='schedules' and id=?",
           (json.dumps(d), sys.argv[2]))
db.commit()
PY
}
jobs_of() { # schedule id -> "id createdAt status" lines
    py "$1" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=30)
for (b,) in db.execute("select body from docs where container='jobs'"):
    d = json.loads(b)
    if d.get("scheduleId") == sys.argv[2]:
        print(d["id"], int(d["createdAt"]), d["status"])
PY
}
four_runners() { # tenant, clock (epoch)
    local pids=()
    for r in 1 2 3 4; do
        HZ_TEST_NOW=$2 "$HORIZON" run --once --tenant "$1" --concurrency 2 \
            --quiet >"$T/run$r.out" 2>"$T/run$r.err" &
        pids+=($!)
    done
    local rc=0
    for p in "${pids[@]}"; do wait "$p" || rc=1; done
    return $rc
}

# ---- the command line
expect_exit 2 "hour field '25'" -- "$HORIZON" schedule add --tenant acme \
    --id bad --cron "0 25 * * *" "${J[@]}"
expect_exit 2 "not in the system tz database" -- "$HORIZON" schedule add \
    --tenant acme --id bad --cron "@daily" --tz Mars/Olympus "${J[@]}"
# a file of the tz database that holds no zone (leapseconds): TZ took it
# for UTC, so the schedule ran at UTC times without a word
mkdir -p "$T/tzdir"
echo "# Allowance for leap seconds added to each time zone file." \
    >"$T/tzdir/leapseconds"
expect_exit 2 "not in the system tz database" -- env TZDIR="$T/tzdir" \
    "$HORIZON" schedule add --tenant acme --id bad --cron "@daily" \
    --tz leapseconds "${J[@]}"
expect_exit 2 "params.freq" -- "$HORIZON" schedule add --tenant acme \
    --id bad --cron "@daily" "${J[@]/freq=month/freq=often}"
expect_exit 2 "outside the dataset roots" -- "$HORIZON" schedule add \
    --tenant acme --id bad --cron "@daily" --type forecast \
    --dataset /etc/passwd --param date=d --param value=v
expect_exit 0 "" -- "$HORIZON" schedule add --tenant acme --id q15 \
    --cron "*/15 * * * *" --catch-up 20 "${J[@]}"
check "add prints the next slot" grep -q "next slot 20" "$T/out"
expect_exit 1 "already exists" -- "$HORIZON" schedule add --tenant acme \
    --id q15 --cron "@hourly" "${J[@]}"
"$HORIZON" schedule list --tenant acme >"$T/list"
check "list shows it" grep -q "q15 .*acme .*\*/15 \* \* \* \*" "$T/list"
# a cron that never fires is refused; every minute and 29 February have a
# next slot (a week of minutes is 10,080 slots; a leap day 8 years away)
expect_exit 2 "cron '0 0 31 2 *': never fires" -- "$HORIZON" schedule add \
    --tenant nx --id feb31 --cron "0 0 31 2 *" "${J[@]}"
expect_exit 0 "" -- "$HORIZON" schedule add --tenant nx --id minutely \
    --cron "* * * * *" "${J[@]}"
check "every minute: add prints a next slot" grep -q "next slot 20" "$T/out"
expect_exit 0 "" -- "$HORIZON" schedule add --tenant nx --id leap \
    --cron "0 0 29 2 *" "${J[@]}"
check "29 February: add prints its next slot" grep -q "next slot 20..-02-29T00:00" "$T/out"
"$HORIZON" schedule list --tenant nx --json >"$T/nx.json"
check "list --json: no schedule without a next slot" \
    bash -c "! grep -q '\"nextSlot\":\"-\"' '$T/nx.json' && grep -c nextSlot '$T/nx.json' | grep -qx 2"
"$HORIZON" schedule list --tenant nx >"$T/nx.list"
check "list: the leap day's slot" grep -q "leap .*0229T0000 local" "$T/nx.list"
"$HORIZON" schedule remove minutely --tenant nx >/dev/null
"$HORIZON" schedule remove leap --tenant nx >/dev/null

# ---- four runners, a clock two hours ahead: each slot exactly once
created=$(py q15 <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
(b,) = db.execute("select body from docs where id=?", (sys.argv[2],)).fetchone()
print(int(json.loads(b)["createdAt"]))
PY
)
now=$(( created + 2 * 3600 + 60 ))
want=$(( now / 900 - created / 900 ))
four_runners acme "$now"
check "four runners exit 0" test $? -eq 0
jobs_of q15 >"$T/q15"
check "$want slots -> $want jobs (got $(wc -l <"$T/q15"))" \
    test "$(wc -l <"$T/q15")" -eq "$want"
check "ids unique" test "$(cut -d' ' -f1 "$T/q15" | sort -u | wc -l)" -eq "$want"
check "every slot job succeeded" test "$(grep -c succeeded "$T/q15")" -eq "$want"
made=$(cat "$T"/run?.err | grep -c "schedule q15: queued job")
check "each slot created by one runner ($made)" test "$made" -eq "$want"
check "slot ids name the slot time" grep -q "^q15-20[0-9]*T[0-9][0-9][0-9]5 \|^q15-20[0-9]*T[0-9]*[03]0 " "$T/q15"
# the same clock again: nothing new
four_runners acme "$now"
check "no slot twice" test "$(jobs_of q15 | wc -l)" -eq "$want"
expect_exit 0 "" -- "$HORIZON" schedule remove q15 --tenant acme
four_runners acme $(( now + 3600 ))
check "a removed schedule makes no jobs" test "$(jobs_of q15 | wc -l)" -eq "$want"

# ---- spring forward in Berlin (2027-03-28 02:00 -> 03:00 CEST)
"$HORIZON" schedule add --tenant eu --id spring --cron "30 2 * * *" \
    --tz Europe/Berlin "${J[@]}" >/dev/null
set_created spring "$(utc '2027-03-27 12:00')"
four_runners eu "$(utc '2027-03-29 12:00')"
jobs_of spring | sort >"$T/spring"
check "spring: 2 slots ($(tr '\n' ';' <"$T/spring"))" test "$(wc -l <"$T/spring")" -eq 2
check "spring: the skipped 02:30 runs at 03:00 CEST (01:00 UTC)" \
    grep -q "^spring-20270328T0230 $(utc '2027-03-28 01:00') succeeded" "$T/spring"
check "spring: the next day at 02:30 CEST" \
    grep -q "^spring-20270329T0230 $(utc '2027-03-29 00:30') succeeded" "$T/spring"

# ---- fall back in Berlin (2027-10-31 03:00 -> 02:00 CET)
"$HORIZON" schedule add --tenant eu2 --id autumn --cron "30 2 * * *" \
    --tz Europe/Berlin "${J[@]}" >/dev/null
set_created autumn "$(utc '2027-10-30 12:00')"
four_runners eu2 "$(utc '2027-11-01 12:00')"
jobs_of autumn | sort >"$T/autumn"
check "autumn: 2 slots, the repeated 02:30 once ($(tr '\n' ';' <"$T/autumn"))" \
    test "$(wc -l <"$T/autumn")" -eq 2
check "autumn: at the first 02:30 (CEST, 00:30 UTC)" \
    grep -q "^autumn-20271031T0230 $(utc '2027-10-31 00:30') succeeded" "$T/autumn"
finish
