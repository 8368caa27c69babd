#!/usr/bin/env bash
# A hard data segment limit (RLIMIT_DATA: ulimit -d, systemd's
# LimitDATA=) below what horizon needs:
#  - too small for the BLAS library's buffers, which it reserves as the
#    program loads (about 129 MiB a thread): refused at once with exit 2
#    and a message naming the limit (before: OpenBLAS retried its
#    reservation forever, `horizon --version` spun for minutes);
#  - too small to leave a job process room beyond what the runner holds:
#    `run` refuses to start (exit 2), naming the limit;
#  - lower than --max-memory-mb: the run says so, and a job that reaches
#    it fails [memory] naming the real limit and where it comes from
#    (before: "its memory limit is 4096 MiB: horizon run --max-memory-mb"
#    for a job stopped at 76 MiB).
# One BLAS thread (OMP_NUM_THREADS=1, no re-exec) makes the sizes the same
# on any machine: the runner holds about 130 MiB when it starts.
source "$(dirname "$0")/lib.sh"
mkdir -p "$T/data/acme"
export HORIZON_STORE="sqlite:$T/store.db" HZ_DATASET_ROOTS="$T/data/{tenant}" \
    TMPDIR="$T" OMP_NUM_THREADS=1 HZ_REEXEC=0
unset HZ_TENANT OPENAI_API_KEY OPENAI_BASE_URL AZURE_OPENAI_ENDPOINT HZ_LLM_CONFIG || true

# ---- too small to load: refused at once, whatever the command
for cmd in --version "run --once"; do
    t0=$(date +%s.%N)
    (ulimit -d 100000 && timeout 60 "$HORIZON" $cmd) >"$T/out" 2>"$T/err"
    rc=$?
    secs=$(python3 -c "print(round($(date +%s.%N) - $t0, 1))")
    check "ulimit -d 100000, $cmd: exit 2 ($rc) in ${secs} s: $(cat "$T/err")" \
        test $rc -eq 2
    check "... at once (${secs} s)" python3 -c "import sys; sys.exit(not $secs < 10)"
    check "... naming the limit" grep -q \
        "the data segment limit (RLIMIT_DATA: ulimit -d, systemd's LimitDATA=) of 97 MiB is too small to start" "$T/err"
done
(ulimit -d 100000 && OMP_NUM_THREADS=2 timeout 60 "$HORIZON" --version) 2>"$T/err"
check "with two BLAS threads: it says OMP_NUM_THREADS=1 would need less" \
    grep -q "or set OMP_NUM_THREADS=1" "$T/err"

"$HORIZON" gen --kind sales --rows 400000 --customers 5000 --months 24 --seed 1 \
    -o "$T/data/acme/big.csv" >/dev/null 2>&1
"$HORIZON" submit --type forecast --tenant acme --id fc --quiet \
    --dataset "$T/data/acme/big.csv" --param date=order_date \
    --param value=revenue --param by=customer_id --param model=naive \
    --param freq=month

# ---- no room for a job beyond the runner's own: refused, nothing claimed
(ulimit -d 170000 && "$HORIZON" run --once --max-memory-mb 4096 --quiet) \
    >"$T/out" 2>"$T/err"
rc=$?
check "ulimit -d 170000: run exits 2 ($rc): $(cat "$T/err")" test $rc -eq 2
check "... naming the limit and the room it leaves" grep -Eq \
    "hard data segment limit \(RLIMIT_DATA: ulimit -d, systemd's LimitDATA=\) of 166 MiB leaves job processes [0-9]+ MiB beyond what the runner holds" "$T/err"
check "... nothing claimed" bash -c \
    "'$HORIZON' jobs show fc | grep -q 'status:    queued'"

# ---- lower than --max-memory-mb: the real limit named
(ulimit -d 210000 && "$HORIZON" run --once --max-memory-mb 4096 --quiet) \
    >"$T/out" 2>"$T/err"
rc=$?
room=$(grep -o 'job processes may allocate [0-9]* MiB, not 4096 MiB' "$T/err" | grep -o '[0-9]*' | head -1)
check "the run says the job processes' limit is lower ($(head -1 "$T/err"))" \
    test -n "$room"
"$HORIZON" jobs show fc --json > "$T/fc.json"
st=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["status"], d.get("errorReason"))' "$T/fc.json")
check "the forecast of 5,000 series failed [memory] ($st, exit $rc)" \
    test "$st" = "failed memory" -a $rc -eq 1
err=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["error"])' "$T/fc.json")
check "its error names the real limit ($err)" grep -Eq \
    "memory limit (is|of) $room MiB: the hard RLIMIT_DATA horizon run was started with: ulimit -d, systemd's LimitDATA=" <<<"$err"
check "... not --max-memory-mb" bash -c "! grep -q 'max-memory-mb\|4096' <<<\"\$1\"" _ "$err"
finish
