#!/usr/bin/env bash
# A stop that signals every process of the runner at once, as systemd's
# default KillMode=control-group does (`systemctl stop`): the job
# processes ignore SIGTERM (the runner decides: the grace, then SIGKILL),
# so a running job is given its grace and released with its attempt
# refunded, or finishes.  Before, the job process died at the signal and
# the job was failed as a crash (here, with --max-attempts 1, for good)
# while the run said "jobs not finished are queued again".
source "$(dirname "$0")/lib.sh"
export TMPDIR="$T" HZ_DATASET_ROOTS="$T" HZ_TEST_HOOKS=1
unset HORIZON_STORE
tiny_monthly_csv "$T/tiny.csv"
P=(--type forecast --tenant acme --param date=date --param value=value
   --param model=naive --param freq=month --quiet --dataset "$T/tiny.csv")
for sig in TERM INT; do
    S="sqlite:$T/$sig.db"
    "$HORIZON" submit --store "$S" "${P[@]}" --id slow --param debugSleepS=30 \
        --max-attempts 1
    "$HORIZON" submit --store "$S" "${P[@]}" --id quick --param debugSleepS=1 \
        --max-attempts 1
    "$HORIZON" run --once --store "$S" --no-schedules --grace 3 \
        >"$T/out" 2>"$T/err" &
    R=$!
    all=
    for _ in $(seq 200); do
        all=$R
        for z in $(pgrep -P $R); do all="$all $z $(pgrep -P "$z" | tr '\n' ' ')"; done
        [[ $(wc -w <<<"$all") -ge 4 ]] && break # runner, helper, two jobs
        sleep 0.05
    done
    check "SIG$sig: runner, helper and both job processes ($all)" test "$(wc -w <<<"$all")" -ge 4
    kill -$sig $all
    wait $R
    rc=$?
    want=$([[ $sig == INT ]] && echo 130 || echo 143)
    check "SIG$sig to every process: exit $want ($rc)" test $rc -eq "$want"
    check "SIG$sig: no job failed as a crash: $(grep -m1 crash "$T/err" | head -c 200)" \
        bash -c "! grep -q 'crash' '$T/err'"
    st=$("$HORIZON" jobs show slow --store "$S" --json | python3 -c \
        'import json,sys; d=json.load(sys.stdin); print(d["status"], d.get("attempts"))')
    check "SIG$sig: the long job was released at the grace's end ($st)" test "$st" = "queued 0"
    st=$("$HORIZON" jobs show quick --store "$S" --json | python3 -c \
        'import json,sys; d=json.load(sys.stdin); print(d["status"])')
    check "SIG$sig: the short job finished within the grace ($st)" test "$st" = succeeded
done
finish
