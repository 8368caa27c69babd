#!/usr/bin/env bash
# Narratives from Azure OpenAI with a managed identity, end to end through
# `horizon run` and `horizon explain`, every request captured by
# tests/peers/llm_stub.js (the mock token endpoint plays Container Apps'
# IDENTITY_ENDPOINT):
#  - a batch of jobs on a reasoning deployment (o4-mini): one request with
#    max_completion_tokens (no max_tokens), no temperature, a strict JSON
#    schema naming every job id, the api-version from OPENAI_API_VERSION,
#    an Entra ID bearer token (no api-key);
#  - every job has the LLM's narrative (source "llm");
#  - `explain --stream --refresh` streams through the same identity;
#  - no token, identity header or key in any output or in the store.
source "$(dirname "$0")/lib.sh"

if ! command -v node >/dev/null 2>&1; then
    echo "skip: node is not installed (the LLM stub and token peers need it)"
    exit 77
fi
P="$HZ_SRC/tests/peers"
track_pids
jget() { node -e "const d=JSON.parse(require('fs').readFileSync('$1','utf8'));
                  const v=($2); console.log(typeof v==='object'?JSON.stringify(v):v)"; }

JWT=llm-cli-jwt-secret
IHDR=ih-SECRET-llmcli-5
node "$P/token_server.js" --secret "$JWT" --identity-header "$IHDR" \
    --port 0 --port-file "$T/token.port" >"$T/token.log" 2>&1 &
pids+=($!)
node "$P/llm_stub.js" --aad-secret "$JWT" \
    --aad-audience https://cognitiveservices.azure.com \
    --port 0 --port-file "$T/stub.port" >"$T/stub.log" 2>&1 &
pids+=($!)
tport=$(wait_port "$T/token.port")
sport=$(wait_port "$T/stub.port")

unset OPENAI_API_KEY OPENAI_BASE_URL AZURE_OPENAI_API_KEY \
      AZURE_OPENAI_API_VERSION HZ_LLM_CONFIG HZ_TIKTOKEN_FILE \
      AZURE_CLIENT_ID AZURE_TENANT_ID AZURE_CLIENT_SECRET \
      AZURE_FEDERATED_TOKEN_FILE || true
export HORIZON_STORE="sqlite:$T/store.db" HZ_DATASET_ROOTS="$HZ_DATA_DIR:$T"
export AZURE_OPENAI_ENDPOINT="http://127.0.0.1:$sport" \
       AZURE_OPENAI_DEPLOYMENT=o4-mini OPENAI_API_VERSION=2025-04-01-preview \
       IDENTITY_ENDPOINT="http://127.0.0.1:$tport/msi/token" \
       IDENTITY_HEADER="$IHDR" HZ_LLM_GATHER_MS=5000 HZ_LLM_CACHE_TTL=0

SALES="$HZ_DATA_DIR/sample_sales.csv"
# jobs finishing within 5 s of each other are narrated together (one
# batched request): wide enough for a loaded machine
for i in 1 2 3; do
    "$HORIZON" submit --type forecast --tenant acme --id "az$i" \
        --dataset "$SALES" --param dateColumn=order_date \
        --param valueColumn=revenue --param horizon=$((i + 2)) --quiet
done
"$HORIZON" run --once --concurrency 3 >"$T/run.out" 2>"$T/run.err"
rc=$?
check "run with Azure OpenAI and a managed identity ($(tail -3 "$T/run.err"))" test $rc -eq 0
curl -s "http://127.0.0.1:$sport/__requests" >"$T/reqs.json"
check "one batched request for the three jobs ($(jget "$T/reqs.json" 'd.length'))" \
    test "$(jget "$T/reqs.json" 'd.length')" -eq 1
check "deployment path" test "$(jget "$T/reqs.json" 'd[0].path')" = \
    /openai/deployments/o4-mini/chat/completions
check "api-version from OPENAI_API_VERSION" \
    test "$(jget "$T/reqs.json" 'd[0].query["api-version"]')" = 2025-04-01-preview
check "an Entra ID bearer token, no api-key" \
    test "$(jget "$T/reqs.json" 'd[0].auth')" = bearer-token
check "max_completion_tokens, no max_tokens, no temperature" \
    test "$(jget "$T/reqs.json" '[typeof d[0].body.max_completion_tokens, d[0].body.max_tokens, d[0].body.temperature].join(",")')" = "number,,"
check "strict JSON schema with the three job ids" \
    test "$(jget "$T/reqs.json" '((f) => [f.type, f.json_schema.strict, f.json_schema.schema.required.slice().sort().join("+")].join(","))(d[0].body.response_format)')" = \
    "json_schema,true,az1+az2+az3"
for i in 1 2 3; do
    "$HORIZON" jobs show "az$i" --json >"$T/az$i.json"
    check "az$i narrated by the LLM" \
        test "$(jget "$T/az$i.json" '[d.narrative.source, d.narrative.text, d.narrative.batchJobs].join(",")')" = \
        "llm,narrative for az$i,3"
done
"$HORIZON" explain az2 --stream --refresh >"$T/ex.out" 2>"$T/ex.err"
rc=$?
check "explain --stream through the identity ($(cat "$T/ex.err"))" test $rc -eq 0
check "streamed text" grep -q "^narrative: forecast summary:" "$T/ex.out"
# a token is a JWT, header.payload ('eyJ...' twice, around a '.'): three
# letters alone also occur in the base64 of a stored report's chunks
check "no token, identity header or key anywhere" bash -c "
    ! grep -qE -- 'eyJ|$IHDR' '$T'/run.* '$T'/ex.* '$T'/az*.json &&
    ! grep -aqE -- 'eyJ[A-Za-z0-9_-]*[.]eyJ|$IHDR' '$T'/store.db*"
finish
