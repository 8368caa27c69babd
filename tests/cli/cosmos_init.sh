#!/usr/bin/env bash
# horizon cosmos init / check against the Cosmos DB peer
# (@vercel/cosmosdb-server over TLS with a certificate made here):
# provisioning is idempotent, TLS is verified (a clear message without the
# emulator's certificate), configuration errors name the variable, and the
# key never appears in any output.
source "$(dirname "$0")/lib.sh"

if ! command -v node >/dev/null 2>&1; then
    echo "skip: node is not installed (the Cosmos DB peer needs it;" \
         "install nodejs/npm, see scripts/install-deps.sh)"
    exit 77
fi
bash "$HZ_SRC/scripts/test-peers.sh" >&2 || { echo "FAIL: npm ci"; exit 1; }

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$T/key.pem" \
    -out "$T/cert.pem" >/dev/null 2>&1
node "$HZ_SRC/tests/peers/cosmos_server.js" --cert "$T/cert.pem" \
    --key "$T/key.pem" --port 0 --port-file "$T/port" >"$T/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 200); do [[ -s "$T/port" ]] && break; sleep 0.05; done
port=$(cat "$T/port")

KEY="dGVzdC1vbmx5LWtleS1ob3Jpem9uLWNvc21vcy1wZWVyLTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMg=="
export COSMOS_ENDPOINT="https://127.0.0.1:$port/" COSMOS_KEY="$KEY"
export COSMOS_DATABASE=clitest
unset COSMOS_CA_CERT

# TLS is verified: the self-signed peer is refused without its certificate
expect_exit 1 "COSMOS_CA_CERT" -- "$HORIZON" cosmos init
# with it: created, then idempotent
"$HORIZON" cosmos init --cacert "$T/cert.pem" >"$T/init1" 2>"$T/err1"
check "init exits 0" test $? -eq 0
check "database created" grep -q "database clitest.*created" "$T/init1"
check "four containers created" test "$(grep -c "created (partition key /customerId)" "$T/init1")" -eq 4
COSMOS_CA_CERT="$T/cert.pem" "$HORIZON" cosmos init >"$T/init2" 2>"$T/err2"
check "second init exits 0" test $? -eq 0
check "second init keeps what exists" test "$(grep -c exists "$T/init2")" -eq 5
check "init reports RUs" grep -q "request charge: [0-9.]* RU" "$T/init2"
COSMOS_CA_CERT="$T/cert.pem" "$HORIZON" cosmos check >"$T/check" 2>"$T/errc"
check "check exits 0" test $? -eq 0
check "check sees the containers" test "$(grep -c "ok (empty)" "$T/check")" -eq 4
# another database that was never provisioned: a clear message
expect_exit 1 "cosmos init" -- \
    env COSMOS_CA_CERT="$T/cert.pem" "$HORIZON" cosmos check --database nope
check "missing container named" grep -q "container 'jobs'" "$T/err"
# configuration errors
# no key and no Entra ID credential (no IMDS here): names COSMOS_KEY
expect_exit 2 "COSMOS_KEY" -- env -u COSMOS_KEY \
    AZURE_POD_IDENTITY_AUTHORITY_HOST=http://127.0.0.1:1 "$HORIZON" cosmos init
expect_exit 2 "COSMOS_ENDPOINT" -- env -u COSMOS_ENDPOINT "$HORIZON" cosmos init
expect_exit 2 "base64" -- env COSMOS_KEY="not*base64" "$HORIZON" cosmos init
expect_exit 2 "unknown subcommand" -- "$HORIZON" cosmos frobnicate
expect_exit 2 "" -- "$HORIZON" cosmos init --autoscale-max 5
expect_exit 0 "" -- "$HORIZON" cosmos --help
check "help names init" grep -q "cosmos init" "$T/out"
# the key is never printed
check "key not in any output" \
    bash -c "! grep -qF -- '$KEY' '$T'/init1 '$T'/init2 '$T'/err1 '$T'/err2 '$T'/check '$T'/errc '$T'/err '$T'/out"
finish
