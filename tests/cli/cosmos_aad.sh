#!/usr/bin/env bash
# The Cosmos DB store with Microsoft Entra ID instead of a key, end to end:
# the Cosmos peer checks every request's token (tests/peers/cosmos_server.js
# --auth aad) and tests/peers/token_server.js plays the Container Apps
# managed identity endpoint (IDENTITY_ENDPOINT + IDENTITY_HEADER).
#  - provisioning with the key, then key authorization switched off;
#  - `cosmos check`, `submit`, `run --once` and `jobs show` with a managed
#    identity: the job succeeds, every request carried a valid token;
#  - `cosmos init` with a token: a hint to provision with az or Bicep;
#  - the key now refused (401), with no credential at all a clear error;
#  - a token endpoint answering 500: a clear error naming it;
#  - no token nor secret in any output.
source "$(dirname "$0")/lib.sh"

if ! command -v node >/dev/null 2>&1; then
    echo "skip: node is not installed (the Cosmos DB and token peers need it)"
    exit 77
fi
bash "$HZ_SRC/scripts/test-peers.sh" >&2 || { echo "FAIL: npm ci"; exit 1; }
P="$HZ_SRC/tests/peers"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$T/key.pem" \
    -out "$T/cert.pem" >/dev/null 2>&1
track_pids

JWT=cli-aad-jwt-secret
IHDR=ih-SECRET-cli-0042
node "$P/token_server.js" --secret "$JWT" --identity-header "$IHDR" \
    --port 0 --port-file "$T/token.port" >"$T/token.log" 2>&1 &
pids+=($!)
node "$P/cosmos_server.js" --cert "$T/cert.pem" --key "$T/key.pem" \
    --auth both --aad-secret "$JWT" --aad-audience https://127.0.0.1 \
    --port 0 --port-file "$T/cosmos.port" >"$T/cosmos.log" 2>&1 &
pids+=($!)
tport=$(wait_port "$T/token.port")
cport=$(wait_port "$T/cosmos.port")
peer() { curl -s --cacert "$T/cert.pem" "https://127.0.0.1:$cport/__aad" "$@"; }

KEY="dGVzdC1vbmx5LWtleS1ob3Jpem9uLWNvc21vcy1wZWVyLTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMg=="
export HZ_DATASET_ROOTS="$T"
export COSMOS_ENDPOINT="https://127.0.0.1:$cport/" COSMOS_DATABASE=aad \
       COSMOS_CA_CERT="$T/cert.pem"
unset COSMOS_KEY AZURE_TENANT_ID AZURE_CLIENT_ID AZURE_CLIENT_SECRET \
      AZURE_FEDERATED_TOKEN_FILE IDENTITY_ENDPOINT IDENTITY_HEADER \
      AZURE_TOKEN_CREDENTIALS AZURE_COSMOS_AAD_SCOPE_OVERRIDE || true

# provisioning is a control-plane job: done with the key (or az/Bicep)
COSMOS_KEY="$KEY" "$HORIZON" cosmos init >"$T/init" 2>&1
check "init with the key" test $? -eq 0
check "init says master key" grep -q "authorization: master key" "$T/init"
peer -d '{"auth":"aad"}' >/dev/null

export IDENTITY_ENDPOINT="http://127.0.0.1:$tport/msi/token" \
       IDENTITY_HEADER="$IHDR"
"$HORIZON" cosmos check >"$T/check" 2>"$T/check.err"
rc=$?
check "check with a managed identity ($(cat "$T/check.err"))" test $rc -eq 0
check "check sees the containers" test "$(grep -c "ok (" "$T/check")" -eq 5

"$HORIZON" gen --kind sales --rows 600 --customers 60 --months 24 --seed 3 \
    -o "$T/sales.csv" >/dev/null 2>&1
"$HORIZON" submit --store cosmos --type forecast --tenant acme --id aad1 \
    --dataset "$T/sales.csv" --param dateColumn=order_date \
    --param valueColumn=revenue >"$T/submit" 2>&1
rc=$?
check "submit with a managed identity ($(cat "$T/submit"))" test $rc -eq 0
"$HORIZON" run --store cosmos --once >"$T/run.out" 2>"$T/run.err"
rc=$?
check "run --once with a managed identity ($(tail -2 "$T/run.err"))" test $rc -eq 0
"$HORIZON" jobs show aad1 --store cosmos --json >"$T/show" 2>&1
check "the job succeeded" grep -qE '"status":[[:space:]]*"succeeded"' "$T/show"
peer > "$T/aad.json"
check "requests carried valid tokens, none refused ($(cat "$T/aad.json"))" \
    node -e 'const a = JSON.parse(require("fs").readFileSync(process.argv[1]));
             process.exit(a.accepted > 10 && a.rejected === 0 ? 0 : 1)' "$T/aad.json"

# control plane with a token: a hint
expect_exit 1 "az or Bicep" -- "$HORIZON" cosmos init
check "init names the identity" grep -q "authorization: Entra ID (managed identity" "$T/out"
# the key is refused where key authorization is off
expect_exit 1 "Local Authorization is disabled" -- \
    env -u IDENTITY_ENDPOINT COSMOS_KEY="$KEY" "$HORIZON" cosmos check
# no credential at all (no IMDS here)
expect_exit 2 "COSMOS_KEY is not set" -- env -u IDENTITY_ENDPOINT \
    -u IDENTITY_HEADER AZURE_POD_IDENTITY_AUTHORITY_HOST=http://127.0.0.1:1 \
    "$HORIZON" cosmos check
# the managed identity endpoint failing
curl -s -X POST -d '{"fail":100}' "http://127.0.0.1:$tport/__config" >/dev/null
expect_exit 2 "HTTP 500" -- "$HORIZON" cosmos check
check "the failing endpoint is named" grep -q "managed identity" "$T/err"
curl -s -X POST -d '{"fail":0}' "http://127.0.0.1:$tport/__config" >/dev/null
# an endpoint that does not answer: named, with the attempts made
expect_exit 2 "GET http://127.0.0.1:1/msi/token" -- env \
    IDENTITY_ENDPOINT="http://127.0.0.1:1/msi/token" "$HORIZON" cosmos check
check "the attempts are counted" grep -q "(4 attempts)" "$T/err"

check "no token, identity header or key in any output" bash -c "
    ! grep -qE -- 'eyJ|$IHDR|${KEY:0:20}' '$T'/init '$T'/check* '$T'/submit \
        '$T'/run.* '$T'/show '$T'/out '$T'/err"
finish
