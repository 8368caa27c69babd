#!/usr/bin/env bash
# Narrative prompts vs sending the raw dataset to the LLM, on the ~50 MB
# sales file of bench/ingest.sh: a suite job and a forecast job run
# through `horizon run` with @dwmkerr/mock-llm as the OpenAI-compatible
# server and the exact cl100k_base tokenizer (rank file exported from the
# pinned js-tiktoken); prints each job's prompt tokens (checked against
# js-tiktoken), the server usage recorded, and the exact token count of
# the raw file measured in the same run, with the ratio.
#   bench/llm_tokens.sh [BUILD_DIR]
set -euo pipefail
BUILD=$(cd "${1:-build}" && pwd) # absolute: HZ_DATASET_ROOTS must be
H=$BUILD/horizon
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PEERS=$SRC/tests/peers
if ! command -v node >/dev/null 2>&1; then
    echo "llm_tokens: node is not installed: skipped (needs mock-llm and js-tiktoken)"
    exit 0
fi
bash "$SRC/scripts/test-peers.sh" >&2
FILE=$BUILD/bench-data/sales-50mb.csv
mkdir -p "$BUILD/bench-data"
if [[ ! -s $FILE ]]; then
    echo "generating $FILE ..."
    "$H" gen --rows 775000 --customers 60000 --months 36 --seed 1 -o "$FILE"
fi
W=$(mktemp -d "${TMPDIR:-/tmp}/llm_tokens.XXXXXX")
trap 'kill $MOCK 2>/dev/null || true; rm -rf "$W"' EXIT
node "$PEERS/export_ranks.js" cl100k_base "$W/ranks" > /dev/null
RANKS=$W/ranks/cl100k_base.tiktoken
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
HOST=127.0.0.1 PORT=$port node "$PEERS/node_modules/@dwmkerr/mock-llm/dist/main.js" \
    --config "$PEERS/mock_llm.yaml" > "$W/mock.log" 2>&1 &
MOCK=$!
for _ in $(seq 100); do
    (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
done
export HORIZON_STORE="sqlite:$W/store.db" HZ_DATASET_ROOTS="$(dirname "$FILE")"
"$H" submit --type suite --tenant bench --id suite50 --dataset "$FILE" --quiet
"$H" submit --type forecast --tenant bench --id fc50 --dataset "$FILE" \
    --param dateColumn=order_date --param valueColumn=revenue \
    --param freq=month --quiet
s=$(date +%s.%N)
OPENAI_BASE_URL="http://127.0.0.1:$port/v1" OPENAI_API_KEY=sk-bench \
HZ_TIKTOKEN_FILE=$RANKS HZ_LLM_METRICS=$W/llm.json \
    "$H" run --once --concurrency 2 > "$W/run.out" 2> "$W/run.err"
e=$(date +%s.%N)
jget() { node -e "const d=JSON.parse(require('fs').readFileSync('$1','utf8')); console.log($2)"; }
printf 'horizon run (2 jobs on %s, narratives via mock-llm): %.2f s\n' \
    "$(basename "$FILE")" "$(awk -v s="$s" -v e="$e" 'BEGIN{print e-s}')"
grep '^narratives:' "$W/run.err" || true
maxp=0
printf '| %-8s | %-9s | %13s | %13s | %12s |\n' job status prompt_tokens js-tiktoken usage_prompt
for id in suite50 fc50; do
    "$H" jobs show "$id" --json > "$W/$id.json"
    HZ_TIKTOKEN_FILE=$RANKS "$H" explain "$id" --show-prompt > "$W/$id.prompt.json"
    jget "$W/$id.prompt.json" 'JSON.stringify([d.messages[0].role, d.messages[0].content, d.messages[1].role, d.messages[1].content])' > "$W/$id.msgs.json"
    ref=$(node "$PEERS/tiktoken_count.js" cl100k_base "$W/$id.msgs.json" | awk '{s += $1} END {print s + 9}')
    pt=$(jget "$W/$id.json" 'd.narrative ? d.narrative.promptTokens : "-"')
    printf '| %-8s | %-9s | %13s | %13s | %12s |\n' "$id" \
        "$(jget "$W/$id.json" 'd.status')" "$pt" "$ref" \
        "$(jget "$W/$id.json" 'd.narrative && d.narrative.usage ? d.narrative.usage.promptTokens : "-"')"
    [[ $pt =~ ^[0-9]+$ ]] && (( pt > maxp )) && maxp=$pt
done
echo "(usage_prompt is what the mock server reports: characters of the user message)"
echo
"$BUILD/bench_llm_tokens" "$FILE" "$RANKS" cl100k_base "$maxp"
