#!/usr/bin/env bash
# Text from a tenant's file (a column name quoted in an error) cannot
# forge log lines or drive a terminal: the runner's text log and `jobs
# show` / `jobs list` show control characters in caret notation (a
# newline as ^J, ESC as ^[), as the commands' own messages do; the JSON
# log escapes them.  Before, a header naming a column
# "order_date<newline>2026-... info horizon run: job FORGED ... succeeded
# <ESC>[31m" put that forged line, and the escape, in the log.
source "$(dirname "$0")/lib.sh"
mkdir -p "$T/data/acme"
export HORIZON_STORE="sqlite:$T/store.db" HZ_DATASET_ROOTS="$T/data/{tenant}" \
    TMPDIR="$T"
unset OPENAI_API_KEY OPENAI_BASE_URL AZURE_OPENAI_ENDPOINT HZ_LLM_CONFIG \
      HZ_TENANT || true
FORGED='2026-01-01T00:00:00.000Z info horizon run: job FORGED (forecast, tenant bob) succeeded'
printf '"order_date\n%s\033[31m",value\n2024-01-01,1\n2024-02-01,2\n' \
    "$FORGED" >"$T/data/acme/evil.csv"
# the job as a file could hold it (submit itself checks the columns)
printf '[{"id":"evil","type":"forecast","customerId":"acme","dataset":"%s","params":{"date":"order_date","value":"value"}},
{"id":"evil2","type":"forecast","customerId":"acme","dataset":"%s","params":{"date":"order_date","value":"value"}}]' \
    "$T/data/acme/evil.csv" "$T/data/acme/evil.csv" >"$T/jobs.json"
"$HORIZON" submit --file "$T/jobs.json" --no-validate >/dev/null
"$HORIZON" run --once --max-jobs 1 >/dev/null 2>"$T/text.log"
"$HORIZON" run --once --log-format json >/dev/null 2>"$T/json.log"
esc=$'\033'
check "the text log has no forged line" \
    bash -c "! grep -q '^2026-01-01T00:00:00.000Z' '$T/text.log'"
check "the text log has no escape character" \
    bash -c "! grep -q '$esc' '$T/text.log'"
check "the text log shows them in caret notation" \
    grep -qF "no column 'order_date' in $T/data/acme/evil.csv (columns: order_date^J$FORGED^[[31m, value)" "$T/text.log"
check "every line of the JSON log is a JSON object" \
    /usr/bin/python3 -c "
import json, sys
for line in open('$T/json.log'):
    if line.startswith('{'):
        json.loads(line)
    elif not line.startswith(('horizon: narratives', 'narratives:')):
        sys.exit('not JSON: ' + line)"
check "the JSON log has no escape character" \
    bash -c "! grep -q '$esc' '$T/json.log'"
"$HORIZON" jobs show evil >"$T/show.txt"
check "jobs show: no escape character, no forged line" \
    bash -c "! grep -q '$esc' '$T/show.txt' && ! grep -q '^2026-01-01' '$T/show.txt'"
check "jobs show: the error on one line" \
    grep -qF "error:     [dataset] no column 'order_date' in $T/data/acme/evil.csv (columns: order_date^J2026-01-01" "$T/show.txt"
"$HORIZON" jobs list >"$T/list.txt"
check "jobs list: a line per job, no escape character" \
    bash -c "test \$(wc -l <'$T/list.txt') -eq 3 && ! grep -q '$esc' '$T/list.txt'"
"$HORIZON" jobs show evil --json >"$T/show.json"
check "jobs show --json keeps the message as it is (JSON-escaped)" \
    /usr/bin/python3 -c "
import json
d = json.load(open('$T/show.json'))
assert '\n$FORGED\x1b[31m' in d['error'], d['error']"
finish
