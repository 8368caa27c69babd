#!/usr/bin/env bash
# A second SIGTERM (or SIGINT) during the graceful stop stops `horizon run`
# at once, as Kubernetes, systemd and a second ^C expect (before: the
# second signal was ignored and the run waited the whole --grace).  The
# exit is 128 + the signal, with --once and with --watch; the running
# job's process dies with the runner, and the job keeps its lease, which
# expires, and the next run takes it over (as after SIGKILL), its attempt
# refunded.
source "$(dirname "$0")/lib.sh"
export TMPDIR="$T" HZ_DATASET_ROOTS="$T" HZ_TEST_HOOKS=1
unset HORIZON_STORE
tiny_monthly_csv "$T/tiny.csv"
P=(--type forecast --tenant acme --param date=date --param value=value
   --param model=naive --param freq=month --quiet --dataset "$T/tiny.csv")

# job_pids RUNNER: the job processes (children of the runner's helper)
job_pids() {
    local z
    for z in $(pgrep -P "$1"); do pgrep -P "$z"; done
}

n=0
for mode in once watch; do
    for sig in TERM INT; do
        n=$((n + 1))
        S="sqlite:$T/s$n.db"
        "$HORIZON" submit --store "$S" "${P[@]}" --id slow --param debugSleepS=60
        "$HORIZON" run --$mode --store "$S" --no-schedules --grace 60 --lease 3 \
            --quiet >"$T/out" 2>"$T/err" &
        R=$!
        for _ in $(seq 200); do
            [[ -n "$(job_pids $R)" ]] && break
            sleep 0.05
        done
        jp=$(job_pids $R)
        check "$mode: the job process runs" test -n "$jp"
        kill -TERM $R
        sleep 0.5
        kill -$sig $R
        t0=$(date +%s.%N)
        wait $R
        rc=$?
        secs=$(python3 -c "print(round($(date +%s.%N) - $t0, 1))")
        want=$([[ $sig == INT ]] && echo 130 || echo 143)
        check "$mode, TERM then $sig: exit $want ($rc)" test $rc -eq "$want"
        check "$mode, TERM then $sig: stopped in ${secs} s, not after the grace of 60 s" \
            python3 -c "import sys; sys.exit(not $secs < 5)"
        check "$mode: says so: $(tail -1 "$T/err")" \
            grep -q "second SIG$sig: stopping at once; running jobs are left to their leases" "$T/err"
        gone=1
        for _ in $(seq 100); do
            gone=1
            for p in $jp; do kill -0 "$p" 2>/dev/null && gone=0; done
            [[ $gone -eq 1 ]] && break
            sleep 0.05
        done
        check "$mode: the job process died with the runner" test $gone -eq 1
        st=$("$HORIZON" jobs show slow --store "$S" --json | python3 -c \
            'import json,sys; d=json.load(sys.stdin); print(d["status"], bool(d.get("leaseOwner")))')
        check "$mode: the job keeps its lease ($st)" test "$st" = "running True"
    done
done

# the next run takes the job over once its lease (3 s) has expired and
# runs it to the end: taken over once, its attempt refunded
S="sqlite:$T/s1.db"
sleep 3.2
# (without HZ_TEST_HOOKS=1 the job's debugSleepS is not honoured: it runs
# at once)
HZ_TEST_HOOKS=0 "$HORIZON" run --once --store "$S" --no-schedules --quiet \
    >"$T/out" 2>"$T/err"
rc=$?
check "the next run (exit 0: $rc) takes the job over" test $rc -eq 0
st=$("$HORIZON" jobs show slow --store "$S" --json | python3 -c \
    'import json,sys; d=json.load(sys.stdin); print(d["status"], d.get("takeovers", 0), d.get("attempts"))')
check "the job succeeded after one takeover, one attempt ($st)" test "$st" = "succeeded 1 1"
finish
