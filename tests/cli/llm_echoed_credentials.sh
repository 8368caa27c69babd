#!/usr/bin/env bash
# A server that quotes the credential it was sent in its error message
# (a gateway's "credential refused: Bearer ...") does not get it into
# errors, logs or the store: the Entra ID token (Azure without a key)
# was shown whole, only API keys were scrubbed; and a key quoted near
# the 200th character of a message was cut before it was scrubbed, so
# its first characters were shown.
source "$(dirname "$0")/lib.sh"
export HORIZON_STORE="sqlite:$T/store.db" HZ_DATASET_ROOTS="$T/data/{tenant}" \
    TMPDIR="$T" HZ_LLM_MAX_ATTEMPTS=1
unset OPENAI_API_KEY OPENAI_BASE_URL AZURE_OPENAI_ENDPOINT AZURE_OPENAI_API_KEY \
      AZURE_OPENAI_DEPLOYMENT HZ_LLM_CONFIG HZ_TENANT AZURE_CLIENT_ID \
      AZURE_TENANT_ID AZURE_CLIENT_SECRET AZURE_FEDERATED_TOKEN_FILE \
      IDENTITY_ENDPOINT IDENTITY_HEADER || true
mkdir -p "$T/data/acme"
tiny_monthly_csv "$T/data/acme/sales.csv"
# a managed identity endpoint (GET: a token) and an LLM (POST: 401 quoting
# the Authorization or api-key header after PAD characters)
/usr/bin/python3 - "$T/srv.port" <<'PY' &
import http.server, json, sys
TOK = ("eyJhbGciOiJub25lIn0.eyJhdWQiOiJodHRwczovL2NvZ25pdGl2ZXNlcnZpY2VzLmF6"
       "dXJlLmNvbSJ9.TOKENSECRETSIGNATURE")
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def answer(self, status, obj):
        b = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)
    def do_GET(self):
        self.answer(200, {"access_token": TOK, "expires_in": 3600,
                          "token_type": "Bearer"})
    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", "0")))
        cred = self.headers.get("authorization") or self.headers.get("api-key") or ""
        pad = "x" * (170 if self.headers.get("api-key") else 10)
        self.answer(401, {"error": {"message": pad + " credential refused: " + cred}})
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(s.server_address[1]))
s.serve_forever()
PY
srv=$!
trap 'kill $srv 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
P=$(wait_port "$T/srv.port")
"$HORIZON" submit --type forecast --tenant acme --id j1 --quiet \
    --dataset "$T/data/acme/sales.csv" --param date=date --param value=value \
    --param model=naive --param freq=month
AZ=(AZURE_OPENAI_ENDPOINT="http://127.0.0.1:$P" AZURE_OPENAI_DEPLOYMENT=d
    IDENTITY_ENDPOINT="http://127.0.0.1:$P/msi/token" IDENTITY_HEADER=h)
env "${AZ[@]}" HZ_LLM_METRICS="$T/llm.json" "$HORIZON" run --once \
    --log-format json --metrics "$T/m.json" >"$T/run.out" 2>"$T/run.err"
check "the narrative error says the credential was refused, without it" \
    grep -qF "credential refused: Bearer [redacted]" \
    <("$HORIZON" jobs show j1 --json)
expect_exit 1 "credential refused: Bearer [redacted]" -- \
    env "${AZ[@]}" "$HORIZON" explain j1 --refresh
cp "$T/err" "$T/explain1.err"
# an API key quoted from the 200th character on
expect_exit 1 "credential refused: [redacted" -- \
    env AZURE_OPENAI_ENDPOINT="http://127.0.0.1:$P" AZURE_OPENAI_DEPLOYMENT=d \
    AZURE_OPENAI_API_KEY=KEYSECRETVALUE0123456789 "$HORIZON" explain j1 --refresh
cp "$T/err" "$T/explain2.err"
check "no token anywhere" \
    bash -c "! grep -a -l -e TOKENSECRET -e eyJhbGciOiJub25l '$T'/run.* '$T'/explain*.err '$T'/llm.json '$T'/m.json '$T'/store.db*"
check "no part of the key anywhere" \
    bash -c "! grep -a -l -e KEYSEC '$T'/explain2.err '$T'/store.db*"
finish
