#!/usr/bin/env bash
# The narratives line of `horizon run` counts jobs, not attempts: a job
# narrated twice (its first outcome not written back, the job taken over
# when its lease expired and computed again) is one job.  Until
# 2026-12-07 two jobs each tried twice were "0 of 4 jobs by the LLM, 4
# templates".  The fault proxy answers 503 to the first final write of
# each job (PUT of its document with "status":"succeeded"), then lets
# them through.
source "$(dirname "$0")/lib.sh"

cosmos_peer_prep
track_pids
run_cosmos_server
run_fault_proxy --rate 1 --seed 1 --faults "503=1" --method PUT \
    --path-regex '/colls/jobs/docs/' --body-regex '"status":"succeeded"'
export COSMOS_KEY="$COSMOS_TEST_KEY"
export COSMOS_DATABASE=narrcount COSMOS_CA_CERT="$T/cert.pem" TMPDIR="$T" \
    HORIZON_STORE=cosmos HZ_DATASET_ROOTS="$T" \
    COSMOS_ENDPOINT="https://127.0.0.1:$cport/"
unset OPENAI_API_KEY OPENAI_BASE_URL AZURE_OPENAI_ENDPOINT || true
"$HORIZON" cosmos init > /dev/null 2>&1 || { echo "FAIL: cosmos init"; exit 1; }
tiny_monthly_csv "$T/tiny.csv"
for id in a b; do
    "$HORIZON" submit --type forecast --tenant acme --id $id \
        --dataset "$T/tiny.csv" --param date=date --param value=value \
        --param horizon=3 --param model=naive --param freq=month --quiet
done
COSMOS_ENDPOINT="https://127.0.0.1:$pport/" COSMOS_DEADLINE_S=1 \
    "$HORIZON" run --watch --lease 2 --poll-interval 0.2 --no-schedules \
    > "$T/run.out" 2> "$T/run.err" &
R=$!
pids+=($R)
# each job's first final write refused (given up: said), then none
for _ in $(seq 300); do
    [[ "$(grep -c 'could not write its results' "$T/run.err")" -ge 2 ]] && break
    sleep 0.05
done
curl -s --cacert "$T/cert.pem" -X POST -d '{"rate":0}' \
    "https://127.0.0.1:$pport/__proxy/config" > /dev/null
st() { "$HORIZON" jobs show "$1" --json |
       python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["status"], d.get("takeovers", 0))'; }
for _ in $(seq 200); do
    [[ "$(st a)" == succeeded* && "$(st b)" == succeeded* ]] && break
    sleep 0.1
done
kill -TERM $R
wait $R
check "both jobs taken over once and written: $(st a), $(st b)" \
    test "$(st a)" = "succeeded 1" -a "$(st b)" = "succeeded 1"
line=$(grep '^narratives: ' "$T/run.err")
check "the line counts 2 jobs, 2 templates: $line" \
    grep -q '^narratives: 0 of 2 jobs by the LLM, 2 templates' <<< "$line"
check "and says the jobs narrated again: $line" \
    grep -q '(4 narratives: 2 jobs narrated again' <<< "$line"
finish
