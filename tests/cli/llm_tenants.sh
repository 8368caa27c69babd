#!/usr/bin/env bash
# Narrative requests never mix tenants: jobs that finish together are
# batched into one request only with jobs of their own tenant (before, a
# batch carried tenant A's and tenant B's summaries, series and driver
# names in one prompt and took both narratives from one answer).  Jobs
# of one tenant are still batched.
source "$(dirname "$0")/lib.sh"

start_llm_stub

for s in 1 2 3; do
    "$HORIZON" gen --kind sales --rows 300 --customers 30 --months 24 \
        --seed $s -o "$T/sales$s.csv" > /dev/null 2>&1
done
submit() { # ID TENANT FILE
    "$HORIZON" submit --type forecast --tenant "$2" --id "$1" \
        --dataset "$T/$3" --param date=order_date --param value=revenue \
        --param freq=month --quiet
}
submit a1 acme sales1.csv
submit b1 bolt sales2.csv
submit a2 acme sales3.csv
# every job finishes within the gathering window of one batch
OPENAI_BASE_URL="http://127.0.0.1:$port/v1" OPENAI_API_KEY=sk-stub \
HZ_LLM_GATHER_MS=3000 \
    "$HORIZON" run --once --concurrency 3 --quiet > "$T/out" 2> "$T/err"
check "run exit 0: $(cat "$T/err")" test $? -eq 0
curl -s "http://127.0.0.1:$port/__requests" > "$T/requests.json"
# the job ids of each request: its schema's properties, or the "job ID
# (type):" lines of its prompt
python3 - "$T/requests.json" > "$T/batches" <<'PY'
import json, re, sys
for r in json.load(open(sys.argv[1])):
    b = r["body"]
    ids = ((b.get("response_format") or {}).get("json_schema") or {}) \
        .get("schema", {}).get("required")
    if not ids:
        text = "\n".join(m["content"] for m in b["messages"])
        ids = re.findall(r"^job (\S+) \(", text, re.M) or ["?"]
    print(" ".join(sorted(ids)))
PY
check "requests: $(tr '\n' '|' < "$T/batches")" test -s "$T/batches"
check "no request mixes tenants" \
    bash -c "! grep -q 'a.* b\|b.* a' '$T/batches'"
check "acme's two jobs in one request" grep -qx 'a1 a2' "$T/batches"
for id in a1 a2 b1; do
    src=$("$HORIZON" jobs show "$id" --json |
          python3 -c 'import json,sys; print(json.load(sys.stdin)["narrative"]["source"])')
    check "$id: the LLM's narrative ($src)" test "$src" = llm
done
finish
