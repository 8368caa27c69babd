#!/usr/bin/env bash
# Every request of a job's write-back ends before the job's lease can
# expire.  The lease is renewed between the write-back's requests, but one
# request (a report chunk, a batch of results) may take COSMOS_DEADLINE_S
# (60 s by default, as long as the default lease) and, until 2026-12-07,
# nothing cut it short: one slow or throttled request held the job past
# its lease, another runner took the job over and computed it again while
# the first still wrote, the first's report chunk or results (upserts,
# not conditional on the lease) landed after it had lost the lease, and
# the first then found its lease lost.  Now each request ends at the
# lease as last renewed less lease/6: the write-back stops there as a
# store error (exit 75 for --once), the job is left to its lease, and the
# other runner takes it over only once it expired, nothing of the first
# arriving after: computed once per lease, written once.
source "$(dirname "$0")/lib.sh"

cosmos_peer_prep
track_pids
run_cosmos_server
run_fault_proxy --rate 0

export COSMOS_KEY="$COSMOS_TEST_KEY" COSMOS_DATABASE=wbdl \
    COSMOS_CA_CERT="$T/cert.pem" HORIZON_STORE=cosmos HZ_DATASET_ROOTS="$T" \
    TMPDIR="$T"
unset OPENAI_API_KEY OPENAI_BASE_URL AZURE_OPENAI_ENDPOINT COSMOS_DEADLINE_S \
    COSMOS_TIMEOUT_S || true
direct="https://127.0.0.1:$cport/"
slow="https://127.0.0.1:$pport/"
COSMOS_ENDPOINT=$direct "$HORIZON" cosmos init > /dev/null 2>&1 ||
    { echo "FAIL: cosmos init"; exit 1; }
tiny_monthly_csv "$T/m.csv"

# phase NAME BODY-REGEX: job NAME, whose write-back request matching
# BODY-REGEX the proxy holds 8 s (then forwards it, if its client is still
# there) while runner A (lease 6 s) writes through it; runner B polls the
# store directly and takes over any job whose lease lapses
phase() {
    local id=$1 re=$2
    COSMOS_ENDPOINT=$direct "$HORIZON" submit --type forecast --tenant acme \
        --id "$id" --dataset "$T/m.csv" --param date=date \
        --param value=value --param model=naive --quiet
    curl -sf --cacert "$T/cert.pem" -X POST -d "{\"rate\":1,
        \"faults\":{\"delay\":1},\"delayMs\":8000,
        \"pathRegex\":\"colls/results/docs\$\",\"method\":\"POST\",
        \"bodyRegex\":\"$re\"}" \
        "https://127.0.0.1:$pport/__proxy/config" > /dev/null
    COSMOS_ENDPOINT=$slow "$HORIZON" run --once --lease 6 \
        > "$T/$id-a.out" 2> "$T/$id-a.err" &
    local A=$! B
    pids+=($A)
    sleep 0.5
    COSMOS_ENDPOINT=$direct "$HORIZON" run --watch --lease 6 \
        --poll-interval 0.2 > "$T/$id-b.out" 2> "$T/$id-b.err" &
    B=$!
    pids+=($B)
    wait $A
    local rca=$?
    curl -s --cacert "$T/cert.pem" -X POST -d '{"rate":0}' \
        "https://127.0.0.1:$pport/__proxy/config" > /dev/null
    # B takes the job over once its lease expired
    for _ in $(seq 150); do
        grep -q "job $id (forecast, tenant acme) succeeded" "$T/$id-b.err" &&
            break
        sleep 0.1
    done
    sleep 1
    kill -TERM $B
    wait $B
    check "$id: runner A exit 75, the write-back given up ($rca): $(grep -v '^[a-z ]*  ' "$T/$id-a.err" | head -c 600)" \
        test $rca -eq 75
    check "$id: runner A says the write-back's deadline cut it" \
        grep -q "given up at the write-back's deadline" "$T/$id-a.err"
    check "$id: no runner lost the lease while it wrote: $(grep -h 'lease lost' "$T/$id-a.err" "$T/$id-b.err")" \
        bash -c "! grep -q 'lease lost' '$T/$id-a.err' '$T/$id-b.err'"
    COSMOS_ENDPOINT=$direct "$HORIZON" jobs show "$id" --json > "$T/$id.json"
    local st takeovers
    read -r st takeovers < <(python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(d["status"], d.get("takeovers", 0))' "$T/$id.json")
    check "$id: the job succeeded ($st)" test "$st" = succeeded
    check "$id: taken over once, when its lease expired ($takeovers)" \
        test "$takeovers" = 1
    local done
    done=$(cat "$T/$id-a.err" "$T/$id-b.err" |
        grep -c "job $id (forecast, tenant acme) succeeded")
    check "$id: written once ($done completions)" test "$done" -eq 1
    COSMOS_ENDPOINT=$direct "$HORIZON" jobs report "$id" -o "$T/$id.html" \
        2> "$T/$id-report.err"
    check "$id: its report is whole: $(cat "$T/$id-report.err")" test $? -eq 0
    COSMOS_ENDPOINT=$direct "$HORIZON" jobs results "$id" > "$T/$id.csv" \
        2> "$T/$id-results.err"
    check "$id: its results are there: $(cat "$T/$id-results.err")" test $? -eq 0
}

# a report chunk held past the lease, then a batch of results
phase slowreport artifactOf
phase slowbatch firstRow
finish
