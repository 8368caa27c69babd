#!/usr/bin/env bash
# A runner on Cosmos DB with Microsoft Entra ID (a managed identity) is
# stopped (SIGTERM) while its cached token is due for refresh and the
# identity endpoint hangs: the claim in flight is abandoned within about
# a second, its token fetch with it (hz_entra_token_cancel), instead of
# waiting for the token's own deadline (HZ_ENTRA_DEADLINE_S, 30 s here;
# before, the stop waited for it).  So is the store's open, which fetches
# the first token, when the endpoint hangs from the start.  The token peer
# (tests/peers/token_server.js) stops answering on {"hang": true}.
source "$(dirname "$0")/lib.sh"

need_node "the Cosmos DB and token peers need it"
bash "$HZ_SRC/scripts/test-peers.sh" >&2 || { echo "FAIL: npm ci"; exit 1; }
P="$HZ_SRC/tests/peers"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$T/key.pem" \
    -out "$T/cert.pem" >/dev/null 2>&1
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT

JWT=cli-entra-stop-secret
IHDR=ih-SECRET-stop-0042
# tokens of 8 s: refreshed 4 s after they are issued
node "$P/token_server.js" --secret "$JWT" --identity-header "$IHDR" \
    --lifetime 8 --port 0 --port-file "$T/token.port" >"$T/token.log" 2>&1 &
pids+=($!)
node "$P/cosmos_server.js" --cert "$T/cert.pem" --key "$T/key.pem" \
    --auth both --aad-secret "$JWT" --aad-audience https://127.0.0.1 \
    --port 0 --port-file "$T/cosmos.port" >"$T/cosmos.log" 2>&1 &
pids+=($!)
tport=$(wait_port "$T/token.port")
cport=$(wait_port "$T/cosmos.port")
tok() { curl -s "http://127.0.0.1:$tport/$1" "${@:2}"; }

KEY="dGVzdC1vbmx5LWtleS1ob3Jpem9uLWNvc21vcy1wZWVyLTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMg=="
export TMPDIR="$T" HZ_DATASET_ROOTS="$T" HORIZON_STORE=cosmos
export COSMOS_ENDPOINT="https://127.0.0.1:$cport/" COSMOS_DATABASE=estop \
       COSMOS_CA_CERT="$T/cert.pem" HZ_ENTRA_DEADLINE_S=30
unset COSMOS_KEY AZURE_TENANT_ID AZURE_CLIENT_ID AZURE_CLIENT_SECRET \
      AZURE_FEDERATED_TOKEN_FILE AZURE_TOKEN_CREDENTIALS \
      AZURE_COSMOS_AAD_SCOPE_OVERRIDE OPENAI_API_KEY OPENAI_BASE_URL \
      AZURE_OPENAI_ENDPOINT || true
COSMOS_KEY="$KEY" "$HORIZON" cosmos init >"$T/init" 2>&1
check "init with the key" test $? -eq 0
export IDENTITY_ENDPOINT="http://127.0.0.1:$tport/msi/token" \
       IDENTITY_HEADER="$IHDR"

for mode in watch once; do
    tok __config -X POST -d '{"hang":false}' >/dev/null
    if [[ $mode == once ]]; then
        # a job that runs long enough for the token to be due
        tiny_monthly_csv "$T/tiny.csv"
        HZ_TEST_HOOKS=1 "$HORIZON" submit --type forecast --tenant acme \
            --dataset "$T/tiny.csv" --param date=date --param value=value \
            --param model=naive --param freq=month --param debugSleepS=60 \
            --id slow --quiet
    fi
    HZ_TEST_HOOKS=1 "$HORIZON" run --$mode --no-schedules --poll-interval 0.2 \
        --concurrency 2 --grace 1 --lease 30 --heartbeat "$T/hb.json" \
        >"$T/out" 2>"$T/err" &
    R=$!
    for _ in $(seq 200); do
        grep -q '"state": *"ok"' "$T/hb.json" 2>/dev/null && break
        sleep 0.05
    done
    # from now on the identity endpoint hangs; the dispatcher's next claim
    # after the refresh time asks it for a new token
    h0=$(tok __stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["hung"])')
    tok __config -X POST -d '{"hang":true}' >/dev/null
    for _ in $(seq 300); do
        h=$(tok __stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["hung"])')
        [[ $h -gt $h0 ]] && break
        sleep 0.05
    done
    check "$mode: a token refresh hangs ($h > $h0)" test "$h" -gt "$h0"
    sleep 0.5
    kill -TERM $R
    t0=$(date +%s.%N)
    wait $R
    rc=$?
    secs=$(python3 -c "print(round($(date +%s.%N) - $t0, 1))")
    want=$([[ $mode == once ]] && echo 143 || echo 0)
    check "$mode: exit $want ($rc): $(tail -1 "$T/err")" test $rc -eq "$want"
    # --once: the grace (1 s) of the running job, whose release, if it
    # needs the token, is abandoned 5 s after it; --watch: about a second
    limit=$([[ $mode == once ]] && echo 9 || echo 4)
    check "$mode: stopped ${secs} s after SIGTERM, not at the token's deadline of 30 s" \
        python3 -c "import sys; sys.exit(not $secs < $limit)"
    check "$mode: the log says the token fetch was abandoned" \
        grep -q "stopping: .*entra: managed identity: .*abandoned" "$T/err"
    check "$mode: no token or identity header in the log" bash -c \
        "! grep -qE -- 'eyJ|$IHDR' '$T/err' '$T/out'"
done

# the identity endpoint hangs from the start: the store's open (which
# fetches the first token) is abandoned by the stop too; --once exits 143
# (stopped before the queue was drained), --watch 0
tok __config -X POST -d '{"hang":true}' >/dev/null
for mode in watch once; do
    h0=$(tok __stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["hung"])')
    "$HORIZON" run --$mode --no-schedules --quiet >"$T/out" 2>"$T/err" &
    R=$!
    for _ in $(seq 300); do
        h=$(tok __stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["hung"])')
        [[ $h -gt $h0 ]] && break
        sleep 0.05
    done
    check "open, $mode: the first token's request hangs ($h > $h0)" test "$h" -gt "$h0"
    sleep 0.5
    kill -TERM $R
    t0=$(date +%s.%N)
    wait $R
    rc=$?
    secs=$(python3 -c "print(round($(date +%s.%N) - $t0, 1))")
    want=$([[ $mode == once ]] && echo 143 || echo 0)
    check "open, $mode: exit $want ($rc): $(tail -1 "$T/err")" test $rc -eq "$want"
    check "open, $mode: stopped ${secs} s after SIGTERM, not at the token's deadline of 30 s" \
        python3 -c "import sys; sys.exit(not $secs < 4)"
    check "open, $mode: the log says the open was abandoned, not that the store failed" \
        bash -c "grep -q 'stopping: cosmos: COSMOS_KEY is not set.*abandoned' '$T/err' &&
                 ! grep -q 'could not open the store' '$T/err'"
done
finish
