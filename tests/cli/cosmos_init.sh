#!/usr/bin/env bash
# horizon cosmos init / check against the Cosmos DB peer
# (@vercel/cosmosdb-server over TLS with a certificate made here):
# provisioning is idempotent, TLS is verified (a clear message without the
# emulator's certificate), configuration errors name the variable, and the
# key never appears in any output.
source "$(dirname "$0")/lib.sh"

cosmos_peer_prep

node "$HZ_SRC/tests/peers/cosmos_server.js" --cert "$T/cert.pem" \
    --key "$T/key.pem" --port 0 --port-file "$T/port" >"$T/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$T"' EXIT
port=$(wait_port "$T/port")

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
check "five containers created" test "$(grep -c "created (partition key /customerId)" "$T/init1")" -eq 5
COSMOS_CA_CERT="$T/cert.pem" "$HORIZON" cosmos init >"$T/init2" 2>"$T/err2"
check "second init exits 0" test $? -eq 0
check "second init keeps what exists" test "$(grep -c exists "$T/init2")" -eq 6
check "init reports RUs" grep -q "request charge: [0-9.]* RU" "$T/init2"
COSMOS_CA_CERT="$T/cert.pem" "$HORIZON" cosmos check >"$T/check" 2>"$T/errc"
check "check exits 0" test $? -eq 0
check "check sees the containers" test "$(grep -c "ok (empty)" "$T/check")" -eq 5
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
# schedules live in Cosmos DB too: two runners, a clock an hour ahead,
# each 15-minute slot's job created once
export COSMOS_CA_CERT="$T/cert.pem" HZ_DATASET_ROOTS="$T" HZ_TEST_HOOKS=1
printf 'date,value\n2024-01-01,1\n2024-02-01,2\n2024-03-01,3\n' >"$T/s.csv"
expect_exit 0 "" -- "$HORIZON" schedule add --store cosmos --tenant acme \
    --id q --cron "*/15 * * * *" --catch-up 10 --type forecast \
    --dataset "$T/s.csv" --param date=date --param value=value --param model=naive
now=$(( $(date +%s) + 3600 + 60 ))
rp=()
for r in 1 2; do
    HZ_TEST_NOW=$now "$HORIZON" run --once --store cosmos --quiet \
        >"$T/sr$r.out" 2>"$T/sr$r.err" &
    rp+=($!)
done
wait "${rp[@]}"
n=$("$HORIZON" jobs list --store cosmos --tenant acme --json | grep -c '"scheduleId":"q"')
check "cosmos: 4 or 5 slot jobs, each once ($n)" test "$n" -ge 4 -a "$n" -le 5
made=$(cat "$T"/sr?.err | grep -c "schedule q: queued job")
check "cosmos: each slot created by one runner ($made)" test "$made" -eq "$n"
# the key is never printed
check "key not in any output" \
    bash -c "! grep -qF -- '$KEY' '$T'/init1 '$T'/init2 '$T'/err1 '$T'/err2 '$T'/check '$T'/errc '$T'/err '$T'/out"
finish
