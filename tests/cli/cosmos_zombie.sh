#!/usr/bin/env bash
# A runner that lost its job while it was stopped (SIGSTOP: a paused VM,
# a long GC, a network cut) must not write its rows over those of the
# job's new owner.  On Cosmos DB the results are written in requests of
# their own before the job's conditional final status, so runner A, once
# resumed, renews its lease before the write-back, finds the job taken
# and abandons it.  The dataset changes between the two runs (a daily
# export overwritten), so A's rows differ from B's: before the fix A's
# 1,600 rows of 134 series replaced B's 312 rows of 26 series under B's
# summary, and `jobs results` printed them with exit 0.
source "$(dirname "$0")/lib.sh"

cosmos_peer_prep

node "$HZ_SRC/tests/peers/cosmos_server.js" --cert "$T/cert.pem" \
    --key "$T/key.pem" --port 0 --port-file "$T/port" >"$T/server.log" 2>&1 &
server=$!
A=
trap '[[ -n "$A" ]] && { kill -CONT $A; kill $A; } 2>/dev/null
      kill $server 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
port=$(wait_port "$T/port")

export COSMOS_ENDPOINT="https://127.0.0.1:$port/" COSMOS_CA_CERT="$T/cert.pem"
export COSMOS_KEY="dGVzdC1vbmx5LWtleS1ob3Jpem9uLWNvc21vcy1wZWVyLTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMg=="
export COSMOS_DATABASE=zombie HORIZON_STORE=cosmos HZ_DATASET_ROOTS="$T" \
    TMPDIR="$T" HZ_TEST_HOOKS=1
unset OPENAI_API_KEY OPENAI_BASE_URL AZURE_OPENAI_ENDPOINT || true
"$HORIZON" cosmos init > /dev/null 2>&1 || { echo "FAIL: cosmos init"; exit 1; }
"$HORIZON" gen --kind sales --rows 3000 --customers 150 --months 24 --seed 3 \
    -o "$T/v1.csv" > /dev/null 2>&1
"$HORIZON" gen --kind sales --rows 600 --customers 30 --months 24 --seed 4 \
    -o "$T/v2.csv" > /dev/null 2>&1
cp "$T/v1.csv" "$T/sales.csv"
# the tool sleeps 3 s after ingest (test hook): time to stop its runner
"$HORIZON" submit --type forecast --tenant acme --id z \
    --dataset "$T/sales.csv" --param date=order_date --param value=revenue \
    --param freq=month --param by=customer_id --param model=naive \
    --param debugSleepS=3 --quiet
status() {
    "$HORIZON" jobs show z --json 2>/dev/null |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])'
}

RUN=("$HORIZON" run --once --lease 2 --concurrency 1 --quiet)
"${RUN[@]}" > "$T/a.out" 2> "$T/a.err" &
A=$!
for _ in $(seq 100); do [[ $(status) == running ]] && break; sleep 0.1; done
sleep 0.3 # its job process is reading v1 (it sleeps after ingest)
kill -STOP $A
cp "$T/v2.csv" "$T/sales.csv"
sleep 2.5 # A's lease lapses
"${RUN[@]}" > "$T/b.out" 2> "$T/b.err"
check "runner B exit 0: $(cat "$T/b.err")" test $? -eq 0
kill -CONT $A
wait $A
rca=$?
A=
check "runner A exit 0 ($rca)" test $rca -eq 0
check "runner A found the job taken: $(cat "$T/a.err")" \
    grep -q 'lease lost' "$T/a.err"
"$HORIZON" jobs show z --json > "$T/z.json"
recorded=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["resultRows"])' "$T/z.json")
"$HORIZON" jobs results z > "$T/rows.csv" 2> "$T/rows.err"
rc=$?
check "jobs results exit 0 ($rc): $(cat "$T/rows.err")" test $rc -eq 0
n=$(($(wc -l < "$T/rows.csv") - 1))
check "the rows its record counts ($n of $recorded)" test "$n" -eq "$recorded"
nser=$(tail -n +2 "$T/rows.csv" | cut -d, -f2 | sort -u | wc -l)
want=$(tail -n +2 "$T/v2.csv" | cut -d, -f3 | sort -u | wc -l)
check "B's series, of v2 ($nser, at most $want)" test "$nser" -le "$want"
finish
