#!/usr/bin/env bash
# A job process starts no process of its own (a seccomp filter: fork,
# vfork and clone without CLONE_THREAD are EPERM, clone3 ENOSYS, so that
# threads are made with clone).  Before, code a hostile dataset got to run
# there could start one in a session of its own (setsid): out of the job's
# process group, it outlived the job, its timeout and the runner itself,
# with the tenant's data.  Threads still work (OpenMP, --threads 2).
# Nor does it make a System V shared memory segment (or semaphore set,
# message queue, POSIX message queue): one stayed in the kernel after the
# run, outside the job's memory limit.
# The test hooks params.debugForkS and debugShmMB (HZ_TEST_HOOKS=1) make
# the job process start a process that sleeps that long ("debugForkS:
# PID" on stderr, or "debugForkS: fork: ERROR") and a segment of that
# many MiB ("debugShmMB: ID", or "debugShmMB: shmget: ERROR").
source "$(dirname "$0")/lib.sh"
if grep -qa -e __asan_init -e __tsan_init "$HORIZON"; then
    echo "skip: a sanitizer build (its LeakSanitizer clones: no filter)"
    exit 77
fi
sqlite_runner_env
"$HORIZON" submit --type forecast --tenant acme --id fork --quiet \
    --dataset "$T/data/acme/sales.csv" --param date=date --param value=value \
    --param model=naive --param freq=month --params '{"debugForkS": 30}'
"$HORIZON" submit --type forecast --tenant acme --id shm --quiet \
    --dataset "$T/data/acme/sales.csv" --param date=date --param value=value \
    --param model=naive --param freq=month --params '{"debugShmMB": 80}'
"$HORIZON" gen --kind sales --rows 3000 --customers 200 --months 24 --seed 3 \
    -o "$T/data/acme/big.csv" >/dev/null 2>&1
"$HORIZON" submit --type suite --tenant acme --id threads --quiet \
    --dataset "$T/data/acme/big.csv"
"$HORIZON" submit --type forecast --tenant acme --id auto --quiet \
    --dataset "$T/data/acme/big.csv" --param date=order_date \
    --param value=revenue --param by=region --param freq=month
"$HORIZON" run --once --threads 2 --isolation best-effort \
    >"$T/run.out" 2>"$T/run.err"
rc=$?
left=$(grep -o 'debugForkS: [0-9]*' "$T/run.err" | awk '{print $2}')
if [[ -n "$left" ]] && kill -0 "$left" 2>/dev/null; then
    kill "$left" 2>/dev/null
    check "no process of the job outlives it (pid $left did)" false
else
    check "no process of the job outlives it" true
fi
check "the job process could not start one ($(grep debugForkS "$T/run.err"))" \
    grep -q "debugForkS: fork: Operation not permitted" "$T/run.err"
seg=$(grep -o 'debugShmMB: [0-9]*' "$T/run.err" | awk '{print $2}')
if [[ -n "$seg" ]]; then
    ipcrm -m "$seg" 2>/dev/null
    check "no shared memory segment outlives the job ($seg did)" false
fi
check "the job process could not make one ($(grep debugShmMB "$T/run.err"))" \
    grep -q "debugShmMB: shmget: Operation not permitted" "$T/run.err"
# nor other shared memory, which RLIMIT_DATA does not count either (a
# shared anonymous mapping, a memfd: they were made, past any limit)
check "nor a shared mapping or a memfd ($(grep 'debugShmMB: shared' "$T/run.err"))" \
    grep -q "debugShmMB: shared mapping: Operation not permitted; memfd: Operation not permitted" "$T/run.err"
check "the run succeeds, threads and all ($rc): $(tail -2 "$T/run.err")" \
    test $rc -eq 0
for id in fork shm threads auto; do
    st=$("$HORIZON" jobs show $id --json | /usr/bin/python3 -c \
        'import json,sys; d=json.load(sys.stdin); print(d["status"], d.get("error",""))')
    check "job $id succeeds ($st)" test "$st" = "succeeded "
done
finish
