#!/usr/bin/env bash
# Jobs batched into one narrative request share the prompt's token
# budget, so the batch may leave out summary items that each job's prompt
# alone keeps.  The narrative record counts, for each job, the items the
# prompt it was written from left out (promptItemsDropped): until
# 2026-12-07 a batched job counted those of its prompt alone, 0, while
# the batch had left one of its items out, and the report said nothing.
source "$(dirname "$0")/lib.sh"
unset OPENAI_API_KEY OPENAI_BASE_URL AZURE_OPENAI_ENDPOINT HZ_LLM_CONFIG \
    HZ_LLM_MAX_PROMPT_TOKENS HZ_TIKTOKEN_FILE || true

start_llm_stub
for s in 1 2; do
    "$HORIZON" gen --kind sales --rows 300 --customers 30 --months 24 \
        --seed $s -o "$T/sales$s.csv" > /dev/null 2>&1
    "$HORIZON" submit --type forecast --tenant acme --id a$s \
        --dataset "$T/sales$s.csv" --param date=order_date \
        --param value=revenue --param freq=month --quiet
done
OPENAI_BASE_URL="http://127.0.0.1:$port/v1" OPENAI_API_KEY=sk-stub \
HZ_LLM_GATHER_MS=3000 \
    "$HORIZON" run --once --concurrency 2 --quiet > "$T/out" 2> "$T/err"
check "run exit 0: $(cat "$T/err")" test $? -eq 0
curl -s "http://127.0.0.1:$port/__requests" > "$T/requests.json"
# each job's items in the batch's prompt ("- " lines under "job ID (")
python3 - "$T/requests.json" > "$T/sent" <<'PY'
import json, re, sys
reqs = json.load(open(sys.argv[1]))
assert len(reqs) == 1, "one batched request, got %d" % len(reqs)
user = [m["content"] for m in reqs[0]["body"]["messages"] if m["role"] == "user"][0]
job = None
n = {}
for line in user.splitlines():
    m = re.match(r"^job (\S+) \(", line)
    if m:
        job = m.group(1)
        n[job] = 0
    elif line.startswith("- ") and job:
        n[job] += 1
for j in sorted(n):
    print(j, n[j])
PY
check "one batch of both jobs: $(tr '\n' '|' < "$T/sent")" \
    test "$(wc -l < "$T/sent")" -eq 2
left=0
for id in a1 a2; do
    sent=$(awk -v j=$id '$1 == j { print $2 }' "$T/sent")
    total=$("$HORIZON" explain $id --show-prompt | python3 -c 'import json,sys
d = json.load(sys.stdin); print(d["itemsKept"] + d["itemsDropped"])')
    rec=$("$HORIZON" jobs show $id --json | python3 -c 'import json,sys
n = json.load(sys.stdin)["narrative"]; print(n["batchJobs"], n["promptItemsDropped"])')
    check "$id: batched, its items left out counted ($rec; $sent of $total sent)" \
        test "$rec" = "2 $((total - sent))"
    left=$((left + total - sent))
done
# the case this is about: the batch left something out
check "the batch left items out ($left)" test "$left" -gt 0
# a job of the same summary later, alone: its narrative is the batch's
# text from the prompt cache, and counts the items that text was written
# without, the batch's (until 2026-12-07 its own prompt's, 0)
for s in 1 2; do
    "$HORIZON" submit --type forecast --tenant acme --id b$s \
        --dataset "$T/sales$s.csv" --param date=order_date \
        --param value=revenue --param freq=month --quiet
    OPENAI_BASE_URL="http://127.0.0.1:$port/v1" OPENAI_API_KEY=sk-stub \
        "$HORIZON" run --once --quiet > "$T/out" 2> "$T/err"
    a=$("$HORIZON" jobs show a$s --json | python3 -c 'import json,sys
n = json.load(sys.stdin)["narrative"]; print(n["text"] == "" , n["promptItemsDropped"])')
    b=$("$HORIZON" jobs show b$s --json | python3 -c 'import json,sys
n = json.load(sys.stdin)["narrative"]; print(n["cached"], n["promptItemsDropped"])')
    check "b$s: from the cache, a$s's items left out counted (a$s: $a; b$s: $b)" \
        test "$b" = "True ${a#* }"
done
finish
