#!/usr/bin/env bash
# A wrong LLM key (or an identity without its role): every request is
# refused with 401, each job keeps its template narrative and succeeds
# (a narrative never fails a job: exit 0), and the run says so once, with
# --quiet too, naming what to check, never the key.  Until 2026-12-07
# only each job's record told: a fleet with a mistyped key ran on
# templates for good, its logs silent.
source "$(dirname "$0")/lib.sh"

need_node "tests/peers/llm_stub.js"
export HORIZON_STORE="sqlite:$T/store.db" TMPDIR="$T" HZ_DATASET_ROOTS="$T"
unset OPENAI_API_KEY OPENAI_BASE_URL AZURE_OPENAI_ENDPOINT \
      AZURE_OPENAI_API_KEY HZ_LLM_CONFIG HZ_TIKTOKEN_FILE || true
node "$HZ_SRC/tests/peers/llm_stub.js" --port 0 --port-file "$T/llm.port" \
    --key sk-right-key-0123456789 > "$T/llm.log" 2>&1 &
stub=$!
trap 'kill $stub 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
port=$(wait_port "$T/llm.port")
tiny_monthly_csv "$T/m.csv"
"$HORIZON" submit --type forecast --tenant acme --dataset "$T/m.csv" \
    --param date=date --param value=value --param model=naive --count 2 --quiet

WRONG=sk-wrong-key-9876543210-SECRET
for q in --quiet ""; do
    OPENAI_BASE_URL="http://127.0.0.1:$port/v1" OPENAI_API_KEY=$WRONG \
        HZ_LLM_CACHE_TTL=0 "$HORIZON" run --once $q > "$T/out" 2> "$T/err"
    rc=$?
    check "run ${q:-(not quiet)}: exit 0 ($rc)" test $rc -eq 0
    check "run ${q:-(not quiet)}: says the key was refused: $(cat "$T/err")" \
        grep -q 'narratives: [0-9]* LLM requests refused for their credentials (HTTP 401/403): check OPENAI_API_KEY' "$T/err"
    check "run ${q:-(not quiet)}: the key never printed" \
        bash -c "! grep -qF -- '$WRONG' '$T/err' '$T/out'"
    "$HORIZON" jobs retry "$("$HORIZON" jobs list --json | head -1 |
        node -e 'let s="";process.stdin.on("data",c=>s+=c).on("end",()=>console.log(JSON.parse(s).id))')" > /dev/null
done
# --watch: said when first met, once, not only when the runner stops
# (until 2026-12-07 a runner that ran for days said it at its end only)
"$HORIZON" submit --type forecast --tenant acme --dataset "$T/m.csv" \
    --param date=date --param value=value --param model=naive --count 2 --quiet
OPENAI_BASE_URL="http://127.0.0.1:$port/v1" OPENAI_API_KEY=$WRONG \
    HZ_LLM_CACHE_TTL=0 "$HORIZON" run --watch --poll-interval 0.2 --quiet \
    > "$T/wout" 2> "$T/werr" &
W=$!
for _ in $(seq 200); do
    grep -q 'refused for its credentials' "$T/werr" && break
    sleep 0.1
done
check "--watch: said while it runs: $(cat "$T/werr")" \
    grep -q 'narratives: an LLM request was refused for its credentials (HTTP 401/403): check OPENAI_API_KEY' "$T/werr"
kill -TERM $W
wait $W
check "--watch: said once (and counted at the end)" \
    test "$(grep -c 'refused for its credentials' "$T/werr")" -eq 1
check "--watch: the key never printed" \
    bash -c "! grep -qF -- '$WRONG' '$T/werr' '$T/wout'"
# with the right key, nothing of the kind is said
OPENAI_BASE_URL="http://127.0.0.1:$port/v1" OPENAI_API_KEY=sk-right-key-0123456789 \
    HZ_LLM_CACHE_TTL=0 "$HORIZON" run --once --quiet > "$T/out" 2> "$T/err"
check "right key: exit 0 ($?)" test $? -eq 0
check "right key: no refusal said: $(cat "$T/err")" \
    bash -c "! grep -q 'refused for their credentials' '$T/err'"
finish
