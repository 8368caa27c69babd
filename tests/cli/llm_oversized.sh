#!/usr/bin/env bash
# An LLM answer longer than a narrative may be (HZ_NARRATIVE_TEXT_MAX,
# 64 KiB, or more than twice max_completion_tokens by our count: a server
# that does not keep to the budget, or a hostile one) is refused: the job
# succeeds with its template narrative and the refusal recorded, and the
# answer goes neither into the job document, nor the prompt cache, nor the
# HTML report.  An answer within the budget is taken as before.
source "$(dirname "$0")/lib.sh"

start_llm_stub
stub_config() {
    curl -s -X POST -d "$1" "http://127.0.0.1:$port/__config" > /dev/null
}
export OPENAI_BASE_URL="http://127.0.0.1:$port/v1" OPENAI_API_KEY=sk-stub

tiny_monthly_csv "$T/tiny.csv"
submit() { # ID
    "$HORIZON" submit --type forecast --tenant acme --dataset "$T/tiny.csv" \
        --param date=date --param value=value --param horizon=3 \
        --param model=naive --param freq=month --id "$1" --quiet
}
jv() { # ID EXPR
    "$HORIZON" jobs show "$1" --json > "$T/$1.json"
    node -e "const d=JSON.parse(require('fs').readFileSync('$T/$1.json','utf8'));
             console.log(String($2))"
}

for bytes in 3000000 100000 5000; do
    id="big$bytes"
    stub_config "{\"textBytes\":$bytes}"
    submit "$id"
    "$HORIZON" run --once --quiet > "$T/$id.out" 2> "$T/$id.err"
    rc=$?
    check "$bytes bytes: run exit 0 ($rc): $(head -c 300 "$T/$id.err")" \
        test $rc -eq 0
    check "$bytes bytes: job succeeded" test "$(jv "$id" d.status)" = succeeded
    check "$bytes bytes: template kept ($(jv "$id" d.narrative.source))" \
        test "$(jv "$id" d.narrative.source)" = template
    err=$(jv "$id" d.narrative.error)
    check "$bytes bytes: refusal recorded ($err)" \
        grep -q 'narrative refused' <<<"$err"
    size=$(stat -c %s "$T/$id.json")
    check "$bytes bytes: job document small ($size bytes)" test "$size" -lt 20000
    "$HORIZON" jobs report "$id" -o "$T/$id.html" 2> /dev/null
    check "$bytes bytes: not in the report" \
        bash -c "! grep -q xxxxxxxxxxxxxxxxxxxx '$T/$id.html'"
done
# nothing of it in the prompt cache (or any document)
check "no long answer in the store" bash -c \
    "! grep -aq xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx '$T/store.db'*"

# an answer within its budget is the narrative
stub_config '{"textBytes":400}'
submit fits
"$HORIZON" run --once --quiet > "$T/fits.out" 2> "$T/fits.err"
check "within budget: the LLM's narrative" \
    test "$(jv fits d.narrative.source)" = llm
check "within budget: the whole answer ($(jv fits d.narrative.text.length))" \
    test "$(jv fits d.narrative.text.length)" -eq 400
finish
