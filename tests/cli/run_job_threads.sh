#!/usr/bin/env bash
# A job process has at most 64 + 4 x --threads threads (runner/threadlimit.h):
# before, code a hostile dataset got to run there could start threads
# with clone(CLONE_THREAD) up to the machine's pid limit, starving every
# other process of the machine; only its memory limit bounded them, and a
# thread's stack may be a few bytes.  Past the limit the job fails for
# good with reason threads, the limit named; a job that needs its threads
# (OpenMP, --threads 2) still succeeds.
# The test hook params.debugThreads (HZ_TEST_HOOKS=1) makes the job
# process start that many threads that wait ("debugThreads: started K of
# N[: ERROR]" on stderr).
source "$(dirname "$0")/lib.sh"
sqlite_runner_env
"$HORIZON" submit --type forecast --tenant acme --id bomb --quiet \
    --dataset "$T/data/acme/sales.csv" --param date=date --param value=value \
    --param model=naive --param freq=month --params '{"debugThreads": 400}'
"$HORIZON" submit --type forecast --tenant acme --id some --quiet \
    --dataset "$T/data/acme/sales.csv" --param date=date --param value=value \
    --param model=naive --param freq=month --params '{"debugThreads": 20}'
"$HORIZON" gen --kind sales --rows 3000 --customers 200 --months 24 --seed 3 \
    -o "$T/data/acme/big.csv" >/dev/null 2>&1
"$HORIZON" submit --type suite --tenant acme --id suite --quiet \
    --dataset "$T/data/acme/big.csv"
"$HORIZON" run --once --threads 2 --max-attempts 1 \
    --isolation best-effort >"$T/run.out" 2>"$T/run.err"
rc=$?
show() {
    "$HORIZON" jobs show "$1" --json | /usr/bin/python3 -c \
        'import json,sys; d=json.load(sys.stdin); print(d["status"], d.get("errorReason",""), d.get("error",""))'
}
st=$(show bomb)
check "the job with 400 threads fails with reason threads ($st)" \
    grep -q "^failed threads " <<<"$st"
check "its error names the limit of 72 ($st)" \
    grep -q "limit of 72 (64 + 4 x horizon run --threads 2)" <<<"$st"
check "it did not start them all ($(grep debugThreads "$T/run.err" | head -3))" \
    bash -c "! grep -q 'debugThreads: started 400 of 400' '$T/run.err'"
st=$(show some)
check "a job with 20 threads of its own succeeds ($st)" \
    test "$st" = "succeeded  "
st=$(show suite)
check "a suite with --threads 2 succeeds ($st)" test "$st" = "succeeded  "
check "the run exits 1 for the failed job ($rc)" test $rc -eq 1

# On a kernel that cannot let a clone continue under seccomp user
# notification (Linux 5.0 to 5.4, simulated: no_landlock --no-continue),
# the runner says at start that job processes have no thread limit, and
# a job that needs threads (the suite, OpenMP with --threads 2) runs.
# Before, every clone of a job process failed (ENOSYS) and OpenMP
# aborted it.
B=$(dirname "$HORIZON")
"$HORIZON" submit --type suite --tenant acme --id oldkernel --quiet \
    --dataset "$T/data/acme/big.csv"
"$B/no_landlock" --no-continue "$HORIZON" run --once --threads 2 \
    --max-attempts 1 --isolation best-effort >"$T/old.out" 2>"$T/old.err"
rc=$?
st=$(show oldkernel)
check "on such a kernel the suite succeeds ($st; rc $rc)" \
    test "$st" = "succeeded  "
check "the runner says there is no thread limit ($(grep -c 'thread limit' "$T/old.err"))" \
    grep -q "job processes have no thread limit: the kernel cannot let" \
    "$T/old.err"

# A runner that is process 1 (a container without an init) is left no
# zombie per job: the threads' supervisor a job process forks is reaped
# by the runner's helper (a child subreaper), not by init.
if unshare --pid --fork --mount-proc true 2>/dev/null; then
    for i in 1 2 3; do
        "$HORIZON" submit --type forecast --tenant acme --id "z$i" --quiet \
            --dataset "$T/data/acme/sales.csv" --param date=date \
            --param value=value --param model=naive --param freq=month
    done
    unshare --pid --fork --mount-proc "$HORIZON" run --watch \
        --poll-interval 0.2 --isolation best-effort >"$T/watch.out" \
        2>"$T/watch.err" &
    u=$!
    for _ in $(seq 1 150); do
        [[ "$(show z3)" == succeeded* ]] && break
        sleep 0.1
    done
    sleep 0.5
    r=$(tr -d ' ' </proc/$u/task/$u/children)
    zombies=0
    for c in $(cat /proc/"$r"/task/*/children 2>/dev/null); do
        if grep -q '^State:.*Z' /proc/"$c"/status 2>/dev/null; then
            zombies=$((zombies + 1))
        fi
    done
    # nor is its job process helper, idle: what ended is reaped at once
    hzombies=0
    for h in $(cat /proc/"$r"/task/*/children 2>/dev/null); do
        for c in $(cat /proc/"$h"/task/*/children 2>/dev/null); do
            if grep -q '^State:.*Z' /proc/"$c"/status 2>/dev/null; then
                hzombies=$((hzombies + 1))
            fi
        done
    done
    kill "$r" 2>/dev/null
    wait "$u"
    check "the jobs ran ($(show z3))" test "$(show z3)" = "succeeded  "
    check "the runner as process 1 has no zombie child ($zombies)" \
        test "$zombies" -eq 0
    check "its idle job process helper has no zombie child ($hzombies)" \
        test "$hzombies" -eq 0
else
    echo "note: no PID namespace here: the process-1 check is skipped"
fi
finish
