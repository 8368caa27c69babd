#!/usr/bin/env bash
# A lease renewal that reached the store but whose answer was lost (the
# request gave up at its deadline): the store holds the renewed job under
# a new ETag that the runner never learned.  Until 2026-12-07 its next
# renewal (If-Match the old ETag) failed with 412, the runner took the
# job for lost and abandoned it: the work was done again by the next
# claim.  Now a renewal that ended unclear reads the job back and adopts
# its ETag when the stored job is the one it sent (jobs/runner/worker.c,
# renew_doc).  The fault proxy forwards every renewal of job r (PUTs of
# the job document while "running", after the claim) and holds each
# answer past the client's deadline; once one was, the others go through
# (the next renewal then met 412).
source "$(dirname "$0")/lib.sh"

cosmos_peer_prep
track_pids
run_cosmos_server
run_fault_proxy --rate 1 --seed 1 --faults "delay_after=1" --delay-ms 2500 \
    --method PUT --path-regex '/colls/jobs/docs/r$' \
    --body-regex '"status":"running"' --skip 1
export COSMOS_KEY="$COSMOS_TEST_KEY"
export COSMOS_DATABASE=renewunclear COSMOS_CA_CERT="$T/cert.pem" TMPDIR="$T" \
    HORIZON_STORE=cosmos HZ_DATASET_ROOTS="$T" HZ_TEST_HOOKS=1 \
    COSMOS_ENDPOINT="https://127.0.0.1:$cport/"
unset OPENAI_API_KEY OPENAI_BASE_URL AZURE_OPENAI_ENDPOINT || true
"$HORIZON" cosmos init > /dev/null 2>&1 || { echo "FAIL: cosmos init"; exit 1; }
tiny_monthly_csv "$T/tiny.csv"
# the job sleeps 5 s after ingest (test hook): several renewals of a 6 s
# lease, each answered too late
"$HORIZON" submit --type forecast --tenant acme --id r \
    --dataset "$T/tiny.csv" --param date=date --param value=value \
    --param horizon=3 --param model=naive --param freq=month \
    --param debugSleepS=5 --quiet
js() { "$HORIZON" jobs show r --json |
           python3 -c 'import json,sys; d=json.load(sys.stdin)
print(d["status"], d.get("takeovers", 0), d.get("resultRows", "-"))'; }

# one renewal answered late, then none
( for _ in $(seq 300); do
      n=$(curl -s --cacert "$T/cert.pem" "https://127.0.0.1:$pport/__proxy/stats" |
          python3 -c 'import json,sys; print(json.load(sys.stdin)["faults"].get("delay_after", 0))' 2>/dev/null)
      if [[ "${n:-0}" -ge 1 ]]; then
          curl -s --cacert "$T/cert.pem" -X POST -d '{"rate":0}' \
              "https://127.0.0.1:$pport/__proxy/config" > /dev/null
          break
      fi
      sleep 0.05
  done ) &
pids+=($!)
COSMOS_ENDPOINT="https://127.0.0.1:$pport/" COSMOS_TIMEOUT_S=1 \
COSMOS_DEADLINE_S=1 \
    "$HORIZON" run --once --lease 6 --max-jobs 1 --no-schedules \
    > "$T/a.out" 2> "$T/a.err"
rc=$?
faults=$(curl -s --cacert "$T/cert.pem" "https://127.0.0.1:$pport/__proxy/stats" |
         python3 -c 'import json,sys; print(json.load(sys.stdin)["faults"]["delay_after"])')
check "a renewal answered late ($faults)" test "$faults" -eq 1
check "exit 0 ($rc): $(grep -v '^ ' "$T/a.err" | tail -3)" test $rc -eq 0
check "the job written once by its runner ($(js))" \
    test "$(js)" = "succeeded 0 3"
check "not taken for lost" bash -c "! grep -q 'lease lost' '$T/a.err'"
finish
