#!/usr/bin/env bash
# A runner whose lease renewals fail with store errors (not a conflict)
# does not know whether it still holds its job: once the last successful
# renewal is 2/3 of a lease old it must not write its results (a runner
# that took the job over may be writing its own), and leaves the job to
# its next claim (jobs/runner/worker.c, lease_confirmed).  The fault
# proxy fails only the job's renewals (PUTs of the job document while it
# is "running", after the claim): the final write would pass, so without
# the rule runner A writes the job back as succeeded.  A --once run that
# left an outcome unwritten for want of the store exits 75.
source "$(dirname "$0")/lib.sh"

cosmos_peer_prep
track_pids
run_cosmos_server
# the job's renewals only: the claim (the first such PUT) goes through
run_fault_proxy --rate 1 --seed 1 --faults "503=1" --method PUT \
    --path-regex '/colls/jobs/docs/z$' --body-regex '"status":"running"' --skip 1
export COSMOS_KEY="$COSMOS_TEST_KEY"
export COSMOS_DATABASE=unconfirmed COSMOS_CA_CERT="$T/cert.pem" TMPDIR="$T" \
    HORIZON_STORE=cosmos HZ_DATASET_ROOTS="$T" HZ_TEST_HOOKS=1 \
    COSMOS_ENDPOINT="https://127.0.0.1:$cport/"
unset OPENAI_API_KEY OPENAI_BASE_URL AZURE_OPENAI_ENDPOINT || true
"$HORIZON" cosmos init > /dev/null 2>&1 || { echo "FAIL: cosmos init"; exit 1; }
tiny_monthly_csv "$T/tiny.csv"
# the job sleeps 3 s after ingest (test hook): longer than 2/3 of the lease
"$HORIZON" submit --type forecast --tenant acme --id z \
    --dataset "$T/tiny.csv" --param date=date --param value=value \
    --param horizon=3 --param model=naive --param freq=month \
    --param debugSleepS=3 --quiet
js() { "$HORIZON" jobs show z --json |
           python3 -c 'import json,sys; d=json.load(sys.stdin)
print(d["status"], d.get("takeovers", 0), d.get("resultRows", "-"))'; }

COSMOS_ENDPOINT="https://127.0.0.1:$pport/" COSMOS_TIMEOUT_S=1 \
COSMOS_DEADLINE_S=1 \
    "$HORIZON" run --once --lease 3 --max-jobs 1 --no-schedules \
    > "$T/a.out" 2> "$T/a.err"
rc=$?
faults=$(curl -s --cacert "$T/cert.pem" "https://127.0.0.1:$pport/__proxy/stats" |
         python3 -c 'import json,sys; print(json.load(sys.stdin)["faults"]["503"])')
check "renewals failed ($faults)" test "$faults" -ge 1
check "runner A: exit 75 ($rc): $(grep -v '^ ' "$T/a.err" | tail -3)" \
    test $rc -eq 75
check "runner A says why" grep -q 'not writing results' "$T/a.err"
check "runner A did not write the job back ($(js))" \
    test "$(js)" = "running 0 -"
check "no result documents" bash -c \
    "! '$HORIZON' jobs results z > /dev/null 2>&1"

# its next claim, once the lease has lapsed: another runner finishes it
sleep 3
"$HORIZON" run --once --lease 3 --no-schedules > "$T/b.out" 2> "$T/b.err"
rc=$?
check "runner B: exit 0 ($rc): $(grep -v '^ ' "$T/b.err" | tail -3)" \
    test $rc -eq 0
check "the job taken over and written once ($(js))" \
    test "$(js)" = "succeeded 1 3"

# A slow store: each renewal of job s answers after 2.5 s of a 3 s lease.
# Its lease runs from when the renewal was sent, not from the answer: at
# the write-back the last renewal is 2.6 s old, not 0.1 s, so the runner
# renews first (again 2.5 s) and, that one too having taken 2/3 of the
# lease, does not write.  Before, the runner took the lease for fresh
# and wrote with 0.4 s of it left (a longer write-back would run past
# it, while a new owner could be writing).
"$HORIZON" submit --type forecast --tenant acme --id s \
    --dataset "$T/tiny.csv" --param date=date --param value=value \
    --param horizon=3 --param model=naive --param freq=month \
    --param debugSleepS=2 --quiet
curl -s --cacert "$T/cert.pem" -X POST -d '{"faults":"delay=1",
    "delayMs":2500, "pathRegex":"/colls/jobs/docs/s$", "skip":1}' \
    "https://127.0.0.1:$pport/__proxy/config" > /dev/null
COSMOS_ENDPOINT="https://127.0.0.1:$pport/" COSMOS_TIMEOUT_S=6 \
COSMOS_DEADLINE_S=8 \
    "$HORIZON" run --once --lease 3 --max-jobs 1 --no-schedules \
    > "$T/c.out" 2> "$T/c.err"
rc=$?
ss=$("$HORIZON" jobs show s --json |
     python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
check "slow renewals: not written with the lease nearly out ($ss): $(grep -v '^ ' "$T/c.err" | tail -3)" \
    test "$ss" = running
check "slow renewals: exit 75 ($rc)" test $rc -eq 75
finish
