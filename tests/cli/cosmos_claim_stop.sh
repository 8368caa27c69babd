#!/usr/bin/env bash
# A stop (SIGTERM) that comes while a claim's write is in flight: the
# store has taken the claim, its answer has not come back.  Before, the
# dispatcher abandoned the write at once, so the job was left "running"
# under this runner's lease, which the runner never heard of and which no
# line of its log mentioned (a flaky cli_cosmos_release_too_large showed
# it).  Now the claim write is spared until the stop's write deadline
# (--grace + 5 s), as a worker's release is: the job it claimed is then
# released, its attempt refunded.  Past that deadline the write is
# abandoned and the log names the job left to its lease.
# The fault proxy forwards the claim at once and holds its answer
# (delay_after).
source "$(dirname "$0")/lib.sh"

cosmos_peer_prep
track_pids
run_cosmos_server
run_fault_proxy --rate 1 --seed 1 --faults "delay_after=1" --delay-ms 3000 \
    --method PUT --path-regex '/colls/jobs/docs/' \
    --body-regex '"status":"running"'
export COSMOS_KEY="$COSMOS_TEST_KEY"
export COSMOS_DATABASE=claimstop COSMOS_CA_CERT="$T/cert.pem" TMPDIR="$T" \
    HORIZON_STORE=cosmos HZ_DATASET_ROOTS="$T" HZ_TEST_HOOKS=1 \
    COSMOS_ENDPOINT="https://127.0.0.1:$cport/"
unset OPENAI_API_KEY OPENAI_BASE_URL AZURE_OPENAI_ENDPOINT || true
"$HORIZON" cosmos init > /dev/null 2>&1 || { echo "FAIL: cosmos init"; exit 1; }
tiny_monthly_csv "$T/tiny.csv"
submit() { # ID TENANT
    "$HORIZON" submit --type forecast --tenant "$2" --id "$1" \
        --dataset "$T/tiny.csv" --param date=date --param value=value \
        --param horizon=3 --param model=naive --param freq=month \
        --param debugSleepS=60 --quiet
}
# status and attempts, read from the peer itself
js() { "$HORIZON" jobs show "$1" --json |
           python3 -c 'import json,sys; d=json.load(sys.stdin)
print(d["status"], d.get("attempts", 0))'; }
proxy() { # set the proxy's hold (ms)
    curl -s --cacert "$T/cert.pem" -X POST -d "{\"delayMs\": $1}" \
        "https://127.0.0.1:$pport/__proxy/config" > /dev/null
}
# stop_in_claim RUNNER_ERR JOB TENANT: SIGTERM once the store holds JOB's claim (whose
# answer the proxy holds); the run's exit status and its seconds
stop_in_claim() {
    COSMOS_ENDPOINT="https://127.0.0.1:$pport/" \
        "$HORIZON" run --once --grace 1 --no-schedules --tenant "$3" \
        > /dev/null 2> "$1" &
    local w=$! s
    for _ in $(seq 300); do
        [[ "$(js "$2")" == running* ]] && break
        sleep 0.05
    done
    s=$(date +%s.%N)
    kill -TERM "$w"
    local rc=0
    wait "$w" || rc=$?
    echo "$rc $(python3 -c "print(round($(date +%s.%N) - $s, 1))")"
}

# 1. the claim's answer comes within the deadline: the job is released
submit a acme
read -r rc secs < <(stop_in_claim "$T/a.err" a acme)
check "stop in a claim: exit 143 ($rc): $(tail -2 "$T/a.err" | head -c 300)" \
    test "$rc" -eq 143
check "the job claimed in flight is released, its attempt refunded ($(js a))" \
    test "$(js a)" = "queued 0"
check "the log says it was released: $(grep -v '^ ' "$T/a.err" | tail -3 | head -c 600)" \
    grep -q 'job a: released \[shutdown\]' "$T/a.err"
check "no claim abandoned" bash -c "! grep -q 'claim abandoned' '$T/a.err'"

# 2. the answer outlasts the deadline (grace 1 s + 5 s): the write is
# abandoned and the log names the job, left to its lease
proxy 20000
submit b beta
read -r rc secs < <(stop_in_claim "$T/b.err" b beta)
check "stop in a hung claim: exit 143 ($rc)" test "$rc" -eq 143
check "the stop ends at its deadline, not the proxy's 20 s ($secs s)" \
    python3 -c "import sys; sys.exit(not $secs < 15)"
check "the log names the job left to its lease: $(tail -2 "$T/b.err" | head -c 300)" \
    grep -q 'job b: runner stopping: its claim abandoned in flight' "$T/b.err"
check "job b is left running under its lease ($(js b))" \
    test "$(js b)" = "running 1"
finish
