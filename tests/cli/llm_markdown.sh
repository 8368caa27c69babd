#!/usr/bin/env bash
# A model asked for a narrative may answer in Markdown: the system prompt
# asks for plain text, and what arrives as Markdown anyway is kept as plain
# text, so that the job's report, `explain` and `jobs show` never show raw
# "**" and "#"; text that only looks like Markdown (A*B*C, 2 * 3,
# sales_total) stays, and HTML in an answer is text on the page.
source "$(dirname "$0")/lib.sh"

start_llm_stub
export OPENAI_BASE_URL="http://127.0.0.1:$port/v1" OPENAI_API_KEY=sk-stub
tiny_monthly_csv "$T/tiny.csv"

md='## Summary\n\n**Revenue** is forecast to grow *8.2%*; see `sales_total`.\n\n* Peak in **December**\n* A*B*C and 2 * 3 stay\n\n---\n\n<script>alert(1)</script> [more](https://example.com/r)'
curl -s -X POST -d "{\"text\": \"$md\"}" "http://127.0.0.1:$port/__config" \
    > /dev/null
"$HORIZON" submit --type forecast --tenant acme --dataset "$T/tiny.csv" \
    --param date=date --param value=value --param horizon=3 \
    --param model=naive --param freq=month --id md1 --quiet
"$HORIZON" run --once --quiet > /dev/null 2>&1

want='Summary

Revenue is forecast to grow 8.2%; see sales_total.

- Peak in December
- A*B*C and 2 * 3 stay

<script>alert(1)</script> more (https://example.com/r)'
"$HORIZON" jobs show md1 --json > "$T/md1.json"
got=$(python3 -c 'import json,sys
n = json.load(open(sys.argv[1]))["narrative"]
print(n["source"]); print(n["text"])' "$T/md1.json")
check "jobs show: the LLM's narrative as plain text ($got)" \
    test "$got" = "llm
$want"
"$HORIZON" explain md1 > "$T/explain.out"
check "explain: plain text" test "$(cat "$T/explain.out")" = "$want"

# streamed to a terminal (a pty from script(1); the stub sends 8
# characters a piece, so "**" and "##" arrive split): the same plain text
# as kept, not the model's raw Markdown
if command -v script > /dev/null 2>&1; then
    script -qec "'$HORIZON' explain md1 --stream --refresh" /dev/null \
        > "$T/tty.out" 2>&1
    got=$(tr -d '\r' < "$T/tty.out")
    check "explain --stream: plain text as kept ($got)" test "$got" = "$want"
fi

# the system prompt asks for plain text
curl -s "http://127.0.0.1:$port/__requests" > "$T/requests.json"
check "system prompt asks for plain text" python3 -c 'import json,sys
r = [q for q in json.load(open(sys.argv[1])) if "chat/completions" in q["path"]]
sys.exit(not r or not all("plain text, not Markdown" in q["body"]["messages"][0]["content"] for q in r))' "$T/requests.json"

# the report: no raw Markdown, the script is text, the list keeps its lines
"$HORIZON" jobs report md1 -o "$T/md1.html"
python3 - "$T/md1.html" > "$T/narr.txt" <<'PY'
import re, sys
s = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<section class="narrative".*?</section>', s, re.S)
print(m.group(0) if m else "")
PY
check "report: a narrative section" grep -q 'class="narrative"' "$T/narr.txt"
check "report: no raw ** or #" bash -c "! grep -qE '\*\*|##' '$T/narr.txt'"
check "report: the HTML of the answer escaped" \
    grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$T/narr.txt"
check "report: no script element from the answer" \
    bash -c "! grep -q '<script>alert' '$T/md1.html'"
check "report: list lines kept apart (pre-line)" \
    grep -q 'white-space:pre-line' "$T/md1.html"
finish
