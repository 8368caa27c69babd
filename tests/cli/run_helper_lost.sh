#!/usr/bin/env bash
# The runner's job process helper (forked before any thread, it cannot be
# forked again) is killed, as the OOM killer may: the runner says so and
# ends, exit 75, so that its supervisor (systemd, Kubernetes) starts a new
# one.  Before, a --watch runner claimed each job and released it again
# at once ("could not start the job process"), hundreds of times a second
# and for ever, while its heartbeat said "ok"; and a --once runner counted
# an attempt of the job whose process died with the helper ("crash").
# The job stays queued with no attempt counted.
source "$(dirname "$0")/lib.sh"
export TMPDIR="$T" HZ_DATASET_ROOTS="$T"
unset HORIZON_STORE
export HZ_TEST_HOOKS=1
tiny_monthly_csv "$T/tiny.csv"
for mode in watch once; do
    S="sqlite:$T/$mode.db"
    [[ $mode == once ]] && "$HORIZON" submit --store "$S" --type forecast \
        --tenant acme --param date=date --param value=value --param model=naive \
        --param freq=month --dataset "$T/tiny.csv" --id j1 --param debugSleepS=30 --quiet
    "$HORIZON" run --$mode --store "$S" --poll-interval 0.2 \
        --heartbeat "$T/hb.json" > "$T/out" 2> "$T/err" &
    R=$!
    # --watch: the helper started; --once: the job process runs too
    helper=
    for _ in $(seq 200); do
        helper=$(pgrep -P $R | head -1)
        if [[ -n "$helper" && -e "$T/hb.json" ]] &&
           [[ $mode == watch || -n "$(pgrep -P "$helper")" ]]; then
            break
        fi
        sleep 0.05
    done
    kill -9 "$helper"
    [[ $mode == watch ]] && "$HORIZON" submit --store "$S" --type forecast \
        --tenant acme --param date=date --param value=value --param model=naive \
        --param freq=month --dataset "$T/tiny.csv" --id j1 --quiet
    ended=0
    for _ in $(seq 100); do
        kill -0 $R 2>/dev/null || { ended=1; break; }
        sleep 0.1
    done
    check "$mode: the runner ended by itself within 10 s" test $ended -eq 1
    kill -9 $R 2>/dev/null
    wait $R
    rc=$?
    check "$mode: exit 75 ($rc): $(tail -1 "$T/err")" test $rc -eq 75
    check "$mode: it says why" grep -q \
        "the job process helper (pid $helper) was killed by signal 9 (Killed): no job can be started" "$T/err"
    [[ $mode == once ]] && check "once: the running job was released, not failed as a crash" \
        grep -q "released \[local\]: job process [0-9]* died with the job process helper" "$T/err"
    n=$(grep -c 'released \[local\]' "$T/err")
    check "$mode: no claim-and-release loop ($n releases)" test "$n" -le 4
    st=$("$HORIZON" jobs show j1 --store "$S" --json | python3 -c \
        'import json,sys; d=json.load(sys.stdin); print(d["status"], d.get("attempts"))')
    check "$mode: the job is queued, no attempt counted ($st)" test "$st" = "queued 0"
done
finish
