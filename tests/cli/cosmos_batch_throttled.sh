#!/usr/bin/env bash
# A transactional batch throttled part way: Cosmos DB answers 207 with the
# throttled operation's status 429 (and its retryAfterMilliseconds), the
# others 424, and writes none of it.  That is a 429 like any other: the
# batch is sent again after the wait, within COSMOS_DEADLINE_S.  Until
# 2026-12-07 it failed the batch at once: a job's result write-back on a
# busy account failed ("could not write its results"), the --once run
# exited 75 and the job was computed again when its lease expired;
# `submit` of many jobs failed the same way.
source "$(dirname "$0")/lib.sh"

cosmos_peer_prep
track_pids
run_cosmos_server
run_fault_proxy --rate 0.5 --seed 7 --faults batch429=1 --retry-after-ms 100

export COSMOS_KEY="$COSMOS_TEST_KEY" COSMOS_DATABASE=throttled \
    COSMOS_CA_CERT="$T/cert.pem" HORIZON_STORE=cosmos HZ_DATASET_ROOTS="$T" \
    TMPDIR="$T"
unset OPENAI_API_KEY OPENAI_BASE_URL AZURE_OPENAI_ENDPOINT || true
direct="https://127.0.0.1:$cport/"
busy="https://127.0.0.1:$pport/"
COSMOS_ENDPOINT=$direct "$HORIZON" cosmos init > /dev/null 2>&1 ||
    { echo "FAIL: cosmos init"; exit 1; }
tiny_monthly_csv "$T/m.csv"
P=(--type forecast --tenant acme --dataset "$T/m.csv" --param date=date
   --param value=value --param model=naive --quiet)

# the runner's write-back through the busy account
COSMOS_ENDPOINT=$direct "$HORIZON" submit "${P[@]}" --count 6
COSMOS_ENDPOINT=$busy "$HORIZON" run --once --concurrency 1 > "$T/run.out" \
    2> "$T/run.err"
rc=$?
check "run exit 0 ($rc): $(grep -v '^[a-z ]*  ' "$T/run.err" | head -c 800)" \
    test $rc -eq 0
check "six jobs succeeded" \
    test "$(grep -c 'succeeded: 1 result document,' "$T/run.err")" -eq 6
check "no write-back failed" bash -c "! grep -q 'could not write' '$T/run.err'"

# submit's batches through it too
COSMOS_ENDPOINT=$busy "$HORIZON" submit "${P[@]}" --count 40 \
    > "$T/sub.out" 2> "$T/sub.err"
check "submit of 40 jobs exit 0: $(cat "$T/sub.err")" test $? -eq 0
n=$(COSMOS_ENDPOINT=$direct "$HORIZON" jobs list --status queued --json | wc -l)
check "40 jobs queued ($n)" test "$n" -eq 40

curl -s --cacert "$T/cert.pem" "https://127.0.0.1:$pport/__proxy/stats" \
    > "$T/stats"
check "batches were throttled ($(cat "$T/stats"))" node -e '
  const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  process.exit(s.faults.batch429 > 0 ? 0 : 1);' "$T/stats"

# throttled for good: given up at the deadline, said, exit 75
curl -s --cacert "$T/cert.pem" -X POST -d '{"rate":1}' \
    "https://127.0.0.1:$pport/__proxy/config" > /dev/null
COSMOS_ENDPOINT=$busy COSMOS_DEADLINE_S=1 "$HORIZON" run --once \
    --concurrency 1 --max-jobs 1 > "$T/run2.out" 2> "$T/run2.err"
rc=$?
check "throttled for good: exit 75 ($rc)" test $rc -eq 75
check "throttled for good: says it gave up: $(grep 'could not write' "$T/run2.err")" \
    grep -q 'operation 1 of 1 failed with status 429 (gave up after' "$T/run2.err"
finish
