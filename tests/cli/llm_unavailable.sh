#!/usr/bin/env bash
# An LLM that does not answer does not stall the runner: after a request
# fails for want of a server (here: every request times out, 2 attempts
# of 1 s), the LLM is taken as unavailable for 60 s and the jobs meanwhile
# get their template at once, saying why, instead of each waiting through
# the same timeouts and retries (with the defaults, minutes a batch: a
# queue of jobs took hours).  Their numbers are never affected.
source "$(dirname "$0")/lib.sh"

if ! command -v node >/dev/null 2>&1; then
    echo "skip: node is not installed"
    exit 77
fi
export HORIZON_STORE="sqlite:$T/store.db" TMPDIR="$T" HZ_DATASET_ROOTS="$T"
unset OPENAI_API_KEY OPENAI_BASE_URL AZURE_OPENAI_ENDPOINT \
      AZURE_OPENAI_API_KEY HZ_LLM_CONFIG HZ_TIKTOKEN_FILE || true
# a server that takes requests and never answers; it counts them
cat > "$T/hang.js" <<'JS'
const fs = require("fs");
let n = 0;
const s = require("http").createServer((q) => {
  n++;
  fs.writeFileSync(process.argv[3], String(n));
});
s.listen(0, "127.0.0.1", () => {
  fs.writeFileSync(process.argv[2], String(s.address().port));
});
JS
node "$T/hang.js" "$T/port" "$T/count" &
srv=$!
trap 'kill $srv 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
port=$(wait_port "$T/port")
printf '[llm]\ntimeout = 1\nmax_attempts = 2\nbackoff_min = 0.1\nbackoff_max = 0.2\nbatch_size = 1\n' \
    > "$T/llm.ini"
tiny_monthly_csv "$T/tiny.csv"
"$HORIZON" submit --type forecast --tenant acme --dataset "$T/tiny.csv" \
    --param date=date --param value=value --param horizon=3 \
    --param model=naive --param freq=month --count 8 --quiet

t0=$(date +%s.%N)
OPENAI_BASE_URL="http://127.0.0.1:$port/v1" OPENAI_API_KEY=sk-stub \
HZ_LLM_CONFIG="$T/llm.ini" HZ_LLM_GATHER_MS=0 HZ_LLM_METRICS="$T/llm.json" \
    "$HORIZON" run --once --concurrency 2 > "$T/out" 2> "$T/err"
rc=$?
t1=$(date +%s.%N)
secs=$(python3 -c "print(round($t1 - $t0, 1))")
check "run exit 0 ($rc): $(head -c 300 "$T/err")" test $rc -eq 0
# one job's request and its retry (two jobs' at most): 2 s; the others
# at once.  Before: every job 2 s, 8 s and more at concurrency 2.
check "the run took ${secs} s, not 2 s a job" \
    python3 -c "import sys; sys.exit(not $secs < 6)"
n=$(cat "$T/count")
check "the LLM asked $n times (at most 2 jobs x 2 attempts)" test "$n" -le 4
"$HORIZON" jobs list --json > "$T/jobs.json"
python3 - "$T/jobs.json" > "$T/summary" <<'PY'
import json, sys
jobs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
if len(jobs) == 1 and isinstance(jobs[0], list):
    jobs = jobs[0]
print(len(jobs), sum(j["status"] == "succeeded" for j in jobs))
PY
read -r total ok < "$T/summary"
check "every job succeeded ($ok of $total)" test "$ok" -eq 8 -a "$total" -eq 8
skipped=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["unavailable"])' "$T/llm.json")
check "jobs not asked while unavailable: $skipped" test "$skipped" -ge 6
check "the run says so" grep -q "not asked while the LLM was unavailable" "$T/err"
id=$("$HORIZON" jobs list --json | python3 -c 'import json,sys
for l in sys.stdin:
    l = l.strip()
    if l:
        d = json.loads(l)
        for j in (d if isinstance(d, list) else [d]):
            print(j["id"])' | tail -1)
"$HORIZON" jobs show "$id" --json > "$T/job.json"
read -r src err < <(python3 -c 'import json,sys
n = json.load(open(sys.argv[1]))["narrative"]
print(n["source"], n.get("error", ""))' "$T/job.json")
check "a job keeps its template ($src)" test "$src" = template
check "and says why: $err" grep -q "LLM unavailable\|timed out" <<<"$err"
# every skipped job (of any tenant) is told the kind of failure only,
# not the words of another job's failed request
"$HORIZON" jobs list --json > "$T/all.json"
python3 - "$T/all.json" > "$T/errs" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    l = l.strip()
    if not l:
        continue
    d = json.loads(l)
    for j in (d if isinstance(d, list) else [d]):
        print(j.get("id", ""))
PY
: > "$T/skipped"
while read -r jid; do
    "$HORIZON" jobs show "$jid" --json | python3 -c 'import json,sys
e = (json.load(sys.stdin).get("narrative") or {}).get("error", "")
if "not asked" in e: print(e)' >> "$T/skipped"
done < "$T/errs"
check "skipped jobs found ($(wc -l < "$T/skipped"))" test -s "$T/skipped"
check "skipped jobs say 'a request failed: timed out' only" \
    bash -c "! grep -v 'a request failed: timed out\$' '$T/skipped'"
finish
