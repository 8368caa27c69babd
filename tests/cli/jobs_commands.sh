#!/usr/bin/env bash
# The job commands: tenancy (an id two tenants share is refused without a
# tenant), all-or-nothing submissions, parameters that are the CLI's
# options (checked against the dataset's columns at submit, listed by
# `submit --help`), jobs retry / cancel / delete, results refused (exit 1,
# saying why) for a job that did not succeed, explain with the same exit
# codes, and read-only commands (explain too) that work on a read-only
# store.
source "$(dirname "$0")/lib.sh"
export HORIZON_STORE="sqlite:$T/store.db" TMPDIR="$T" HZ_DATASET_ROOTS="$T"
unset HZ_TENANT
"$HORIZON" gen --kind sales --rows 600 --customers 60 --months 24 --seed 3 \
    -o "$T/sales.csv" >/dev/null 2>&1
P=(--type forecast --dataset "$T/sales.csv" --param date=order_date
   --param value=revenue --param model=naive --quiet)

# ---- parameters are the forecast command's options
expect_exit 0 "" -- "$HORIZON" submit "${P[@]}" --tenant acme --id by2 \
    --param by=region,category --param horizon=3 --param freq=month
expect_exit 2 "params.by: the dataset has no column 'regio'" -- \
    "$HORIZON" submit "${P[@]}" --tenant acme --param by=regio
expect_exit 2 "params.freq: expected minute, hour, day, week, month" -- \
    "$HORIZON" submit "${P[@]}" --tenant acme --param freq=fortnight
expect_exit 2 "params: missing --date COL" -- \
    "$HORIZON" submit --type forecast --dataset "$T/sales.csv" --tenant acme
"$HORIZON" submit --help >"$T/help"
check "submit --help lists forecast parameters" grep -q "forecast: date, value, by" "$T/help"
check "submit --help lists analytics parameters" grep -q "churn, clv, segment, suite: customer" "$T/help"

# ---- tenancy: the same id in two tenants
expect_exit 0 "" -- "$HORIZON" submit "${P[@]}" --tenant acme --id shared
expect_exit 0 "" -- "$HORIZON" submit "${P[@]}" --tenant globex --id shared \
    --param horizon=2
expect_exit 0 "" -- "$HORIZON" run --once --quiet
expect_exit 2 "ambiguous: tenants" -- "$HORIZON" jobs show shared
expect_exit 2 "ambiguous" -- "$HORIZON" jobs results shared
expect_exit 2 "ambiguous" -- "$HORIZON" jobs retry shared
expect_exit 0 "" -- "$HORIZON" jobs show shared --tenant globex
check "show --tenant: that tenant's job" grep -q "tenant:    globex" "$T/out"
HZ_TENANT=acme "$HORIZON" jobs results shared >"$T/acme.csv"
# a closed pipe: exit 1 naming it (until 2026-12-07 'Input/output error')
check "jobs results into a closed pipe: exit 1, Broken pipe" /usr/bin/python3 -c "
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
p = subprocess.run(['$HORIZON', 'jobs', 'results', 'shared', '--tenant', 'acme'],
                   stdout=w, stderr=subprocess.PIPE, text=True)
os.close(w)
print(p.stderr.strip())
sys.exit(0 if p.returncode == 1 and 'Broken pipe' in p.stderr else 1)"
# a misspelt type is refused, not an empty list
expect_exit 2 "--type: expected forecast, churn, clv, segment or suite, got 'forcast'" -- \
    "$HORIZON" jobs list --type forcast
"$HORIZON" jobs results shared --tenant globex >"$T/globex.csv"
check "each tenant its own results (12 vs 6 rows + header)" \
    test "$(wc -l <"$T/acme.csv")" -ne "$(wc -l <"$T/globex.csv")"
check "list --tenant shows one tenant" bash -c \
    "'$HORIZON' jobs list --tenant globex --json | grep -vc globex | grep -qx 0"
expect_exit 3 "no job 'nope'" -- "$HORIZON" jobs show nope

# ---- all or nothing: one bad job in a file stores none
cat > "$T/mixed.json" <<JSON
[{"id":"m1","type":"forecast","customerId":"acme","dataset":"$T/sales.csv","params":{"date":"order_date","value":"revenue"}},
 {"id":"m2","type":"forecast","customerId":"acme","dataset":"$T/sales.csv","params":{"date":"order_date","value":"revenue","horizon":"-1"}},
 {"id":"m3","type":"clv","customerId":"globex","dataset":"$T/sales.csv"}]
JSON
expect_exit 2 "1 of 3 jobs invalid: nothing was stored" -- \
    "$HORIZON" submit --file "$T/mixed.json"
check "m1 and m3 not stored" bash -c "! '$HORIZON' jobs list --json | grep -q '\"m[13]\"'"
# an id that exists makes the whole file fail (nothing new is stored)
cat > "$T/dup.json" <<JSON
[{"id":"d1","type":"forecast","customerId":"acme","dataset":"$T/sales.csv","params":{"date":"order_date","value":"revenue"}},
 {"id":"by2","type":"forecast","customerId":"acme","dataset":"$T/sales.csv","params":{"date":"order_date","value":"revenue"}}]
JSON
expect_exit 1 "already exists (nothing was stored)" -- \
    "$HORIZON" submit --file "$T/dup.json"
check "d1 not stored" bash -c "! '$HORIZON' jobs list --json | grep -q '\"d1\"'"
sed -i 's/"m2"\(.*\)"horizon":"-1"/"m2"\1"horizon":"4"/' "$T/mixed.json"
expect_exit 0 "" -- "$HORIZON" submit --file "$T/mixed.json" --quiet
check "the fixed file stores all three" test \
    "$("$HORIZON" jobs list --json | grep -c '"m[123]"')" -eq 3

# ---- retry, cancel, delete
expect_exit 0 "" -- "$HORIZON" jobs cancel m3 --tenant globex
check "m3 canceled" bash -c "'$HORIZON' jobs show m3 | grep -q 'status:    canceled'"
"$HORIZON" run --once --quiet >/dev/null 2>&1
check "a canceled job is not run" bash -c \
    "'$HORIZON' jobs show m3 | grep -q 'status:    canceled'"
expect_exit 0 "" -- "$HORIZON" submit "${P[@]}" --tenant acme --id q1
expect_exit 2 "is queued: nothing to retry" -- "$HORIZON" jobs retry q1
expect_exit 2 "only a queued or running job" -- "$HORIZON" jobs cancel by2
expect_exit 0 "" -- "$HORIZON" jobs retry by2
check "retry says so" grep -q "queued again" "$T/out"
"$HORIZON" jobs show by2 --json >"$T/by2.json"
check "retry: queued, attempts 0, old results gone" bash -c \
    "grep -q '\"status\":\\s*\"queued\"' '$T/by2.json' &&
     grep -q '\"attempts\":\\s*0' '$T/by2.json' &&
     ! grep -q resultRows '$T/by2.json' &&
     [[ \$('$HORIZON' jobs results by2 2>/dev/null | wc -l) -eq 0 ]]"
"$HORIZON" run --once --quiet >/dev/null 2>&1
check "retried job succeeds again" bash -c \
    "'$HORIZON' jobs show by2 | grep -q 'status:    succeeded'"
expect_exit 0 "" -- "$HORIZON" jobs delete by2
check "deleted: no job, no results" bash -c \
    "! '$HORIZON' jobs show by2 2>/dev/null && [[ \$(/usr/bin/python3 -c \"
import sqlite3; print(sqlite3.connect('$T/store.db').execute(
  \\\"select count(*) from docs where job_id='by2'\\\").fetchone()[0])\") == 0 ]]"
# a running job is stopped by cancel at its next lease renewal
export HZ_TEST_HOOKS=1
expect_exit 0 "" -- "$HORIZON" submit "${P[@]}" --tenant acme --id slow \
    --param debugSleepS=30
"$HORIZON" run --once --lease 1.5 --quiet >"$T/slow.out" 2>"$T/slow.err" &
R=$!
for _ in $(seq 100); do
    "$HORIZON" jobs show slow 2>/dev/null | grep -q 'status:    running' && break
    sleep 0.05
done
t0=$(date +%s)
expect_exit 0 "" -- "$HORIZON" jobs cancel slow
wait $R
check "cancel stopped the running job within seconds" test $(( $(date +%s) - t0 )) -le 5
check "it stays canceled" bash -c "'$HORIZON' jobs show slow | grep -q 'status:    canceled'"
unset HZ_TEST_HOOKS

# ---- results of a job that did not succeed: refused, saying why
"$HORIZON" submit --no-validate --quiet --type forecast --tenant acme \
    --id broken --dataset-id nosuch --param date=order_date \
    --param value=revenue
"$HORIZON" run --once --quiet >/dev/null 2>&1
expect_exit 1 "job broken failed [dataset]: datasetId 'nosuch': no such dataset" -- \
    "$HORIZON" jobs results broken
check "no rows printed for a failed job" test ! -s "$T/out"
expect_exit 0 "" -- "$HORIZON" submit "${P[@]}" --tenant acme --id q2
expect_exit 1 "job q2 is queued: it has no results yet" -- \
    "$HORIZON" jobs results q2
expect_exit 1 "job m3 is canceled: it has no results" -- \
    "$HORIZON" jobs results m3 --tenant globex

# ---- explain: the jobs commands' exit codes (2 ambiguous, 3 none)
unset OPENAI_API_KEY OPENAI_BASE_URL AZURE_OPENAI_ENDPOINT \
      AZURE_OPENAI_API_KEY HZ_LLM_CONFIG
expect_exit 2 "ambiguous" -- "$HORIZON" explain shared
expect_exit 3 "no job 'nope'" -- "$HORIZON" explain nope
# settings: a --config that cannot be read is 3, one that is refused 2
# (as --help and README say)
expect_exit 3 "could not open LLM config $T/nope.ini" -- \
    "$HORIZON" explain shared --tenant acme --config "$T/nope.ini"
printf '[llm]\ntimeout = abc\n' > "$T/bad.ini"
expect_exit 2 "bad.ini:2: 'timeout'" -- \
    "$HORIZON" explain shared --tenant acme --config "$T/bad.ini"
expect_exit 0 "" -- "$HORIZON" explain shared --tenant acme

# ---- JSON output is valid UTF-8 whatever bytes the data had: a series
# named with Latin-1 'Caf\xe9' is U+FFFD in results --json (as in forecast
# --json) and counted on stderr; the CSV copies it as it came
{
    echo "shop,day,v"
    for m in $(seq 1 12); do
        printf 'Caf\xe9,2023-%02d-01,%d\n' "$m" $((100 + m))
        printf 'Bar,2023-%02d-01,%d\n' "$m" $((50 + m))
    done
} >"$T/latin1.csv"
expect_exit 0 "" -- "$HORIZON" submit --tenant acme --id latin --type forecast \
    --dataset "$T/latin1.csv" --param date=day --param value=v \
    --param by=shop --param horizon=2 --quiet
"$HORIZON" run --once --quiet >/dev/null 2>&1
utf8_lines() { /usr/bin/python3 -c '
import sys, json
for line in open(sys.argv[1], "rb"):
    json.loads(line.decode("utf-8"))' "$1"; }
expect_exit 0 "2 stored bytes are not valid UTF-8: JSON output shows them as U+FFFD" -- \
    "$HORIZON" jobs results latin --json
check "jobs results --json: valid UTF-8" utf8_lines "$T/out"
check "jobs results --json: U+FFFD for the byte" grep -q $'"Caf\xef\xbf\xbd"' "$T/out"
cp "$T/out" "$T/latin.json"
expect_exit 0 "" -- "$HORIZON" jobs results latin
check "jobs results (CSV): the bytes as they came" grep -q $'^forecast,Caf\xe9,' "$T/out"
# the JSON's numbers are the CSV's, with 15 significant digits (it
# printed 17 where 15 do not read back exactly)
check "jobs results --json: numbers as the CSV's" /usr/bin/python3 -c '
import csv, json, sys
rows = [json.loads(l.decode("utf-8", "replace")) for l in open(sys.argv[1], "rb")]
with open(sys.argv[2], encoding="latin-1", newline="") as f:
    table = list(csv.DictReader(f))
assert len(rows) == len(table) > 0
for j, c in zip(rows, table):
    for k in ("point", "lo80", "hi80", "lo95", "hi95"):
        if c[k] == "":
            continue
        t = json.dumps(j[k])
        assert t == c[k] or float(t) == float(c[k]) and len(t.replace("-", "").replace(".", "").lstrip("0")) <= 15, (k, t, c[k])
' "$T/latin.json" "$T/out"
expect_exit 0 "" -- "$HORIZON" jobs list --json
check "jobs list --json: valid UTF-8" utf8_lines "$T/out"
expect_exit 0 "" -- "$HORIZON" jobs show latin --json
check "jobs show --json: valid UTF-8" /usr/bin/python3 -c \
    'import sys, json; json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))' "$T/out"

# ---- read-only store: list, show and results work
RO="$T/ro"
mkdir -p "$RO" && cp "$T/store.db" "$RO/store.db"
chmod 0555 "$RO" && chmod 0444 "$RO/store.db"
as_reader() { # a user who cannot write there (root can: run as nobody)
    if [[ $(id -u) -eq 0 ]]; then
        setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
    else
        "$@"
    fi
}
chmod 0755 "$T" 2>/dev/null; chmod o+rx "$(dirname "$T")" 2>/dev/null || true
export HORIZON_STORE="sqlite:$RO/store.db"
as_reader "$HORIZON" jobs list >"$T/ro.list" 2>"$T/ro.err"
check "jobs list on a read-only store ($(cat "$T/ro.err"))" \
    grep -q "shared" "$T/ro.list"
as_reader "$HORIZON" jobs show shared --tenant acme >/dev/null 2>>"$T/ro.err"
check "jobs show on a read-only store" test $? -eq 0
as_reader "$HORIZON" jobs results shared --tenant acme >/dev/null 2>>"$T/ro.err"
check "jobs results on a read-only store" test $? -eq 0
as_reader "$HORIZON" datasets list >/dev/null 2>>"$T/ro.err"
check "datasets list on a read-only store" test $? -eq 0
as_reader "$HORIZON" explain shared --tenant acme >"$T/ro.explain" 2>>"$T/ro.err"
rc=$?
check "explain on a read-only store (exit $rc: $(cat "$T/ro.err"))" test $rc -eq 0
check "explain printed the narrative" test -s "$T/ro.explain"
as_reader "$HORIZON" explain shared --tenant acme --refresh >/dev/null 2>>"$T/ro.err"
check "explain --refresh (template) on a read-only store" test $? -eq 0
as_reader "$HORIZON" jobs cancel q1 >/dev/null 2>"$T/ro.cancel"
check "a write on a read-only store fails (exit 75)" test $? -eq 75
chmod -R u+w "$RO"
finish
