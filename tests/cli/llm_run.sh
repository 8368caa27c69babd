#!/usr/bin/env bash
# Narratives end to end through `horizon run` and `horizon explain`, with
# @dwmkerr/mock-llm as the OpenAI-compatible server:
#  - offline by default: one line says so, numbers are still produced and
#    every job gets a deterministic template narrative (marked as such),
#    which `explain` prints and an LLM, once configured, replaces;
#  - with OPENAI_BASE_URL: a suite job gets a narrative whose prompt fits
#    the 400-token budget, counted exactly (rank file exported from
#    js-tiktoken) and equal to js-tiktoken's count of the same messages;
#    the server's usage is recorded on the job;
#  - no raw data row (nor an order or customer id) is in the prompt;
#  - a second identical job is answered from the prompt cache (metrics);
#  - `explain` prints the stored narrative, `explain --stream --refresh`
#    streams a fresh one;
#  - the API key appears in no output, log, metrics file or the store.
# Skips (77) only when node is not installed.
set -euo pipefail
: "${HORIZON:?}" "${HZ_TEST_TMP:?}" "${HZ_DATA_DIR:?}" "${HZ_SRC:?}"
if ! command -v node >/dev/null 2>&1; then
    echo "SKIP: node is not installed (mock-llm and js-tiktoken peers)"
    exit 77
fi
bash "$HZ_SRC/scripts/test-peers.sh" >&2
T="$HZ_TEST_TMP/llm_run"
rm -rf "$T" && mkdir -p "$T"
export HORIZON_STORE="sqlite:$T/store.db" TMPDIR="$T"
unset OPENAI_API_KEY OPENAI_BASE_URL AZURE_OPENAI_ENDPOINT \
      AZURE_OPENAI_API_KEY HZ_LLM_CONFIG HZ_TIKTOKEN_FILE || true
fail() { echo "FAIL: $*" >&2; exit 1; }
PEERS="$HZ_SRC/tests/peers"
SALES="$HZ_DATA_DIR/sample_sales.csv"
jget() {  # jget FILE.json 'js expression on d'
    node -e "const d=JSON.parse(require('fs').readFileSync('$1','utf8'));
             const v=($2); console.log(typeof v==='object'?JSON.stringify(v):v)"
}

# ---- offline: the template narrative ----
"$HORIZON" submit --type suite --tenant acme --id off1 --dataset "$SALES" --quiet
"$HORIZON" run --once > "$T/off.out" 2> "$T/off.err" || fail "offline run failed: $(cat "$T/off.err")"
n=$(grep -c "narratives: no LLM endpoint configured" "$T/off.err" || true)
[[ $n -eq 1 ]] || fail "expected one offline line, got $n: $(cat "$T/off.err")"
grep -q "template narratives from the summaries" "$T/off.err" || fail "offline line does not say template"
"$HORIZON" jobs show off1 --json > "$T/off1.json"
[[ $(jget "$T/off1.json" 'd.status') == succeeded ]] || fail "offline job not succeeded"
[[ $(jget "$T/off1.json" 'd.narrative.source') == template ]] || fail "offline job has no template narrative"
[[ $(jget "$T/off1.json" 'd.narrative.model') == template ]] || fail "template not marked in model"
tmpl=$(jget "$T/off1.json" 'd.narrative.text')
(( ${#tmpl} > 80 )) || fail "template narrative too short: $tmpl"
(( $(jget "$T/off1.json" 'd.narrative.textTokens') > 10 )) || fail "no token count for the template"
"$HORIZON" explain off1 > "$T/ex_off.out" 2> "$T/ex_off.err" || fail "explain offline failed: $(cat "$T/ex_off.err")"
[[ "$(cat "$T/ex_off.out")" == "narrative (template): $tmpl" ]] ||
    fail "explain offline: $(cat "$T/ex_off.out")"
"$HORIZON" explain off1 --refresh > "$T/ex_off2.out" 2> "$T/ex_off2.err" ||
    fail "explain --refresh offline failed: $(cat "$T/ex_off2.err")"
cmp -s "$T/ex_off.out" "$T/ex_off2.out" || fail "the template is not deterministic"
"$HORIZON" explain off1 --refresh --json > "$T/ex_off3.json" || fail "explain --json offline"
[[ $(jget "$T/ex_off3.json" 'd.source') == template ]] || fail "explain --json: not a template"
echo "ok offline"

# ---- peers: mock-llm on a free port, rank file ----
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
HOST=127.0.0.1 PORT=$port node "$PEERS/node_modules/@dwmkerr/mock-llm/dist/main.js" \
    --config "$PEERS/mock_llm.yaml" > "$T/mock.log" 2>&1 &
MOCK=$!
trap 'kill $MOCK 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
done
node "$PEERS/export_ranks.js" cl100k_base "$T/ranks" > /dev/null
export HZ_TIKTOKEN_FILE="$T/ranks/cl100k_base.tiktoken"
SECRET="sk-cli-SECRET-4242-abcdef"

# ---- online: a suite job ----
"$HORIZON" submit --type suite --tenant acme --id s1 --dataset "$SALES" --quiet
OPENAI_BASE_URL="http://127.0.0.1:$port/v1" OPENAI_API_KEY="$SECRET" \
HZ_LLM_METRICS="$T/llm1.json" \
    "$HORIZON" run --once --metrics "$T/run1.json" > "$T/on.out" 2> "$T/on.err" ||
    fail "online run failed: $(cat "$T/on.err")"
"$HORIZON" jobs show s1 --json > "$T/s1.json"
[[ $(jget "$T/s1.json" 'd.status') == succeeded ]] || fail "s1 not succeeded"
[[ $(jget "$T/s1.json" 'd.narrative.promptTokensExact') == true ]] || fail "count not exact"
pt=$(jget "$T/s1.json" 'd.narrative.promptTokens')
(( pt > 50 && pt <= 400 )) || fail "prompt tokens $pt not in (50, 400]"
# the prompt that was sent, and js-tiktoken's count of it
"$HORIZON" explain s1 --show-prompt > "$T/prompt.json"
[[ $(jget "$T/prompt.json" 'd.tokens') == "$pt" ]] || fail "show-prompt tokens differ from the job's"
jget "$T/prompt.json" '[d.messages[0].role, d.messages[0].content, d.messages[1].role, d.messages[1].content]' > "$T/msgs.json"
ref=$(node "$PEERS/tiktoken_count.js" cl100k_base "$T/msgs.json" |
      awk '{s += $1} END {print s + 2 * 3 + 3}')
[[ $ref -eq $pt ]] || fail "C counts $pt tokens, js-tiktoken $ref"
echo "ok prompt: $pt tokens (js-tiktoken: $ref), budget 400"
# the mock echoes the user message: the narrative is the prompt
user=$(jget "$T/prompt.json" 'd.messages[1].content')
[[ $(jget "$T/s1.json" 'd.narrative.text') == "$user" ]] || fail "narrative is not the echoed prompt"
# server usage recorded (mock: prompt_tokens = characters of the message)
[[ $(jget "$T/s1.json" 'd.narrative.usage.promptTokens') -eq ${#user} ]] ||
    fail "usage not recorded as sent: $(jget "$T/s1.json" 'd.narrative.usage')"
[[ $(jget "$T/s1.json" 'd.narrative.usage.completionTokens') -eq 7 ]] || fail "completion usage"
# no raw data in the prompt: no row, no order id, no customer id
jget "$T/prompt.json" 'd.messages.map(m => m.content).join("\n")' > "$T/prompt.txt"
sed -n "2,2001p" "$SALES" > "$T/rows.txt"
if grep -F -f "$T/rows.txt" "$T/prompt.txt" > /dev/null; then fail "a data row is in the prompt"; fi
cut -d, -f1 "$T/rows.txt" > "$T/orders.txt"
if grep -w -F -f "$T/orders.txt" "$T/prompt.txt" > /dev/null; then fail "an order id is in the prompt"; fi
if grep -E 'C[0-9]{6}' "$T/prompt.txt" > /dev/null; then fail "a customer id is in the prompt"; fi
echo "ok no raw data in the prompt"

# ---- cache: an identical job is answered without a request ----
"$HORIZON" submit --type suite --tenant acme --id s2 --dataset "$SALES" --quiet
OPENAI_BASE_URL="http://127.0.0.1:$port/v1" OPENAI_API_KEY="$SECRET" \
HZ_LLM_METRICS="$T/llm2.json" \
    "$HORIZON" run --once > "$T/on2.out" 2> "$T/on2.err" || fail "second run failed"
"$HORIZON" jobs show s2 --json > "$T/s2.json"
[[ $(jget "$T/s2.json" 'd.narrative.cached') == true ]] || fail "s2 not from the cache"
[[ $(jget "$T/llm2.json" 'd.cacheHits') -eq 1 ]] || fail "no cache hit in metrics"
[[ $(jget "$T/llm2.json" 'd.requests') -eq 0 ]] || fail "a request was sent on a hit"
saved=$(jget "$T/llm2.json" 'd.tokensSaved')
(( saved >= pt )) || fail "tokens saved $saved < prompt $pt"
grep -q "cache 1 hits" "$T/on2.err" || fail "run did not report the cache hit: $(cat "$T/on2.err")"
echo "ok cache: hit, $saved tokens saved"

# ---- explain ----
"$HORIZON" explain s1 > "$T/ex1.out"
[[ "$(cat "$T/ex1.out")" == "$user" ]] || fail "explain did not print the stored narrative"
OPENAI_BASE_URL="http://127.0.0.1:$port/v1" OPENAI_API_KEY="$SECRET" \
    "$HORIZON" explain s1 --stream --refresh > "$T/ex2.out" 2> "$T/ex2.err" ||
    fail "explain --stream failed: $(cat "$T/ex2.err")"
[[ "$(cat "$T/ex2.out")" == "$user" ]] || fail "streamed narrative differs"
# a stored template is replaced by the LLM once one is configured
OPENAI_BASE_URL="http://127.0.0.1:$port/v1" OPENAI_API_KEY="$SECRET" \
    "$HORIZON" explain off1 > "$T/ex3.out" 2> "$T/ex3.err" ||
    fail "explain of a templated job online failed: $(cat "$T/ex3.err")"
grep -q "narrative (template)" "$T/ex3.out" && fail "the LLM did not replace the template"
grep -q "suite summary" "$T/ex3.out" || fail "explain online did not ask the LLM: $(cat "$T/ex3.out")"
echo "ok explain (stored, streamed, template replaced)"

# ---- the key never shows ----
for f in "$T"/*.out "$T"/*.err "$T"/*.json "$T/mock.log"; do
    [[ $f == "$T/mock.log" ]] && continue
    if grep -q "SECRET-4242" "$f"; then fail "key found in $f"; fi
done
if grep -a -q "SECRET-4242" "$T"/store.db*; then fail "key found in the store"; fi
echo "ok key never written"
