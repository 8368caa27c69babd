#!/usr/bin/env bash
# Keys, identity headers and tokens never cross the network in clear:
#  - plain http is for this machine only, so a request over it never goes
#    through the environment's proxy (http_proxy / ALL_PROXY): the LLM's
#    key, a managed identity's X-IDENTITY-HEADER and Cosmos DB's
#    signature went to the proxy in clear, and to whatever "127.0.0.1"
#    means there;
#  - an LLM endpoint that is plain http to another machine is refused
#    when a key or an Entra ID token would be sent (explain exits 2, run
#    writes template narratives and says why); without a key such a
#    server (a local network's llama.cpp or vLLM) is still asked.
source "$(dirname "$0")/lib.sh"
export HORIZON_STORE="sqlite:$T/store.db" HZ_DATASET_ROOTS="$T/data/{tenant}" \
    TMPDIR="$T" HZ_LLM_MAX_ATTEMPTS=1
unset OPENAI_API_KEY OPENAI_BASE_URL AZURE_OPENAI_ENDPOINT AZURE_OPENAI_API_KEY \
      AZURE_OPENAI_DEPLOYMENT HZ_LLM_CONFIG HZ_TENANT COSMOS_KEY \
      COSMOS_ENDPOINT AZURE_CLIENT_ID AZURE_TENANT_ID AZURE_CLIENT_SECRET \
      AZURE_FEDERATED_TOKEN_FILE IDENTITY_ENDPOINT IDENTITY_HEADER \
      no_proxy NO_PROXY || true
mkdir -p "$T/data/acme"
tiny_monthly_csv "$T/data/acme/sales.csv"
"$HORIZON" submit --type forecast --tenant acme --id j1 --quiet \
    --dataset "$T/data/acme/sales.csv" --param date=date --param value=value \
    --param model=naive --param freq=month
"$HORIZON" run --once >/dev/null 2>&1

# recorder ADDR NAME: a listener on ADDR that writes what it is sent to
# $T/NAME.log and answers 502; its port in $T/NAME.port
recorder() {
    /usr/bin/python3 - "$1" "$T/$2" <<'EOF' &
import socket, sys
s = socket.socket()
s.bind((sys.argv[1], 0))
s.listen(16)
open(sys.argv[2] + ".port", "w").write(str(s.getsockname()[1]))
while True:
    c, _ = s.accept()
    c.settimeout(2)
    try:
        data = c.recv(65536)
    except OSError:
        data = b""
    with open(sys.argv[2] + ".log", "ab") as f:
        f.write(data + b"\n")
    c.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n"
              b"Connection: close\r\n\r\n")
    c.close()
EOF
    pids+=($!)
}
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
recorder 127.0.0.1 proxy
recorder 127.0.0.2 remote
PP=$(wait_port "$T/proxy.port")
RP=$(wait_port "$T/remote.port")
# a port where nothing listens
CLOSED=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
PROXY=(http_proxy="http://127.0.0.1:$PP" HTTP_PROXY="http://127.0.0.1:$PP"
       ALL_PROXY="http://127.0.0.1:$PP" all_proxy="http://127.0.0.1:$PP")

# ---- plain http to this machine: never through the proxy
expect_exit 1 "Failed to connect to 127.0.0.1 port $CLOSED" -- \
    env "${PROXY[@]}" OPENAI_BASE_URL="http://127.0.0.1:$CLOSED/v1" \
    OPENAI_API_KEY=sk-PROXYSECRET1 "$HORIZON" explain j1 --refresh
expect_exit 1 "Failed to connect to 127.0.0.1 port $CLOSED" -- \
    env "${PROXY[@]}" IDENTITY_ENDPOINT="http://127.0.0.1:$CLOSED/msi/token" \
    IDENTITY_HEADER=IDHEADERSECRET2 \
    AZURE_OPENAI_ENDPOINT=https://example.openai.azure.com \
    AZURE_OPENAI_DEPLOYMENT=d "$HORIZON" explain j1 --refresh
expect_exit 75 "Failed to connect to 127.0.0.1 port $CLOSED" -- \
    env "${PROXY[@]}" COSMOS_ENDPOINT="http://127.0.0.1:$CLOSED/" \
    COSMOS_KEY=a2V5 "$HORIZON" cosmos check --deadline 1
check "the proxy was sent nothing" test ! -s "$T/proxy.log"

# ---- a key over plain http to another machine: refused, nothing sent
expect_exit 2 "llm: endpoint 'http://127.0.0.2:$RP/v1' is not https: the API key would go over the network in clear" -- \
    env OPENAI_BASE_URL="http://127.0.0.2:$RP/v1" \
    OPENAI_API_KEY=sk-CLEARSECRET3 "$HORIZON" explain j1 --refresh
expect_exit 2 "the API key would go over the network in clear" -- \
    env OPENAI_BASE_URL="127.0.0.2:$RP/v1" \
    OPENAI_API_KEY=sk-CLEARSECRET3 "$HORIZON" explain j1 --refresh
expect_exit 2 "the API key would go over the network in clear" -- \
    env AZURE_OPENAI_ENDPOINT="http://127.0.0.2:$RP" AZURE_OPENAI_DEPLOYMENT=d \
    AZURE_OPENAI_API_KEY=AZCLEARSECRET4 "$HORIZON" explain j1 --refresh
expect_exit 2 "the Microsoft Entra ID token would go over the network in clear" -- \
    env AZURE_OPENAI_ENDPOINT="http://127.0.0.2:$RP" AZURE_OPENAI_DEPLOYMENT=d \
    IDENTITY_ENDPOINT="http://127.0.0.1:$CLOSED/msi/token" \
    IDENTITY_HEADER=IDHEADERSECRET2 "$HORIZON" explain j1 --refresh
"$HORIZON" jobs retry j1 >/dev/null
OPENAI_BASE_URL="http://127.0.0.2:$RP/v1" OPENAI_API_KEY=sk-CLEARSECRET3 \
    "$HORIZON" run --once >"$T/run.out" 2>"$T/run.err"
check "run says the endpoint is refused" \
    grep -q "LLM settings refused: llm: endpoint 'http://127.0.0.2:$RP/v1' is not https" "$T/run.err"
check "the job succeeded with a template narrative" \
    test "$("$HORIZON" jobs show j1 --json | /usr/bin/python3 -c \
        'import json,sys; d=json.load(sys.stdin); print(d["status"], d["narrative"]["source"])')" \
        = "succeeded template"
check "the remote server was sent nothing" test ! -s "$T/remote.log"

# ---- without a key, a server on the network is asked
expect_exit 1 "POST http://127.0.0.2:$RP/v1/chat/completions: HTTP 502" -- \
    env OPENAI_BASE_URL="http://127.0.0.2:$RP/v1" "$HORIZON" explain j1 --refresh
check "the keyless request reached the server" \
    grep -q "POST /v1/chat/completions" "$T/remote.log"
check "no secret anywhere it was sent" \
    bash -c "! grep -a -q 'SECRET' '$T/remote.log' '$T'/proxy.log 2>/dev/null"
finish
