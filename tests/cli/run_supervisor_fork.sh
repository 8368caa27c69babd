#!/usr/bin/env bash
# A job process whose threads' supervisor cannot be forked (EAGAIN: the
# machine, here a pids cgroup, at its process limit) runs nothing and is
# tried again later.  Under the default isolation the job is released
# with its attempt refunded, said as a failure of the runner's own
# ("localError"; claims wait, 0.5 s doubling), and runs once processes
# can be made again.  Until 2026-12-08 it was taken for the kernel
# refusing isolation: the runner stopped running jobs and exited 78 ("job
# isolation is required and unavailable"); and under --isolation
# best-effort the job ran without its thread limit (here it then failed,
# reason memory: its memory guard's thread could not start either).
# Under best-effort it is now retried as a failed attempt (its isolation
# mark is the job process's to write there), never run without the limit.
# Needs a writable pids cgroup (v1 or v2); skipped (77) otherwise.
source "$(dirname "$0")/lib.sh"
sqlite_runner_env
CG=
for root in /sys/fs/cgroup/pids /sys/fs/cgroup; do
    if [[ -w "$root" ]] && mkdir "$root/hz_test_fork_$$" 2>/dev/null; then
        if [[ -f "$root/hz_test_fork_$$/pids.max" ]]; then
            CG="$root/hz_test_fork_$$"
            break
        fi
        rmdir "$root/hz_test_fork_$$"
    fi
done
if [[ -z "$CG" ]]; then
    echo "SKIP: no writable pids cgroup"
    exit 77
fi
R=
cleanup() {
    [[ -n "$R" ]] && kill -KILL "$R" 2>/dev/null
    wait 2>/dev/null
    # the job processes die with the runner (PR_SET_PDEATHSIG)
    for _ in $(seq 50); do
        rmdir "$CG" 2>/dev/null && break
        sleep 0.1
    done
    rm -rf "$T"
}
trap cleanup EXIT
show() {
    "$HORIZON" jobs show "$1" --json | /usr/bin/python3 -c \
        'import json,sys; d=json.load(sys.stdin); print(d["status"], d.get("attempts"), d.get("errorReason",""))'
}
hb() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
print(d["state"], d.get("localError", "-"))' "$T/hb.json" 2>/dev/null; }

# start a --watch runner in the cgroup; once it is idle, room for one
# process more: the job process, not its supervisor
start() { # ID ISOLATION
    echo max >"$CG/pids.max"
    rm -f "$T/hb.json"
    bash -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' _ "$CG" \
        "$HORIZON" run --watch --poll-interval 0.2 --concurrency 1 \
        --heartbeat "$T/hb.json" --threads 1 --isolation "$2" \
        >"$T/$1.out" 2>"$T/$1.err" &
    R=$!
    for _ in $(seq 100); do
        [[ -s "$T/hb.json" ]] && break
        sleep 0.1
    done
    sleep 1
    echo $(($(cat "$CG/pids.current") + 1)) >"$CG/pids.max"
    "$HORIZON" submit --type forecast --tenant acme --id "$1" --quiet \
        --dataset "$T/data/acme/sales.csv" --param date=date \
        --param value=value --param model=naive --param freq=month \
        --max-attempts "$MAXA"
    for _ in $(seq 100); do
        grep -q 'Resource temporarily unavailable' "$T/$1.err" && break
        kill -0 $R 2>/dev/null || break
        sleep 0.1
    done
}

MAXA=2
start strict require
sleep 1
st=$(show strict)
alive=no
kill -0 $R 2>/dev/null && alive=yes
check "required: the supervisor's fork failed ($(grep -m1 -o 'its supervisor[^;]*' "$T/strict.err"))" \
    grep -q 'Resource temporarily unavailable' "$T/strict.err"
check "required: the runner goes on ($alive; $(grep -m1 -o 'job isolation is required[^;]*' "$T/strict.err"))" \
    test $alive = yes
check "required: the job queued again, its attempt refunded ($st)" \
    grep -q '^queued 0' <<<"$st"
h=$(hb)
check "required: said as the runner's own failure ($h)" \
    grep -q 'Resource temporarily unavailable' <<<"$h"
n=$(grep -c 'Resource temporarily unavailable' "$T/strict.err")
check "required: tried again after a wait, not in a loop ($n)" test "$n" -le 5
echo max >"$CG/pids.max"
for _ in $(seq 150); do
    [[ "$(show strict)" == succeeded* ]] && break
    sleep 0.1
done
st=$(show strict)
check "required: with processes again the job runs ($st)" \
    grep -q '^succeeded 1' <<<"$st"
kill -TERM $R
wait $R
R=

# --isolation best-effort: the mark is the job process's to write (it may
# have no Landlock), so the job is tried again as a failed attempt while
# attempts remain, never run without its limit
MAXA=100
start loose best-effort
for _ in $(seq 100); do
    a=$(field loose attempts)
    [[ "${a:-0}" -ge 2 ]] && break
    sleep 0.1
done
st=$(show loose)
check "best-effort: tried again, never run without its thread limit ($st; $(grep -m1 -o 'its supervisor[^;]*' "$T/loose.err"))" \
    bash -c "[[ '$st' == queued\ *\ isolation || '$st' == running\ *\ isolation ]]"
echo max >"$CG/pids.max"
for _ in $(seq 150); do
    [[ "$(show loose)" == succeeded* ]] && break
    sleep 0.1
done
st=$(show loose)
check "best-effort: with processes again the job runs ($st)" \
    grep -q '^succeeded' <<<"$st"
kill -TERM $R
wait $R
R=
finish
