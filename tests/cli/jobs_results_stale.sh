#!/usr/bin/env bash
# `horizon jobs results` prints what the job's record counts: result
# documents past its resultChunks (left by a run that lost the job, e.g.
# a runner killed on Cosmos DB between its results and its final status)
# are not the job's and are skipped; rows that do not add up to the
# recorded resultRows (written over by such a run) are refused with exit
# 1 and a message saying what to do, never printed as the job's with
# exit 0.  The leftovers are planted in the SQLite file here, as a killed
# Cosmos DB runner leaves them.
source "$(dirname "$0")/lib.sh"

export HORIZON_STORE="sqlite:$T/store.db" TMPDIR="$T" HZ_DATASET_ROOTS="$T"
unset OPENAI_API_KEY OPENAI_BASE_URL AZURE_OPENAI_ENDPOINT || true
tiny_monthly_csv "$T/tiny.csv"
"$HORIZON" submit --type forecast --tenant acme --dataset "$T/tiny.csv" \
    --param date=date --param value=value --param horizon=3 \
    --param model=naive --param freq=month --id j --quiet
"$HORIZON" run --once --quiet > /dev/null 2>&1 || { echo "FAIL: run"; exit 1; }
"$HORIZON" jobs results j > "$T/before.csv"
check "3 rows before" test "$(($(wc -l < "$T/before.csv") - 1))" -eq 3

plant() { # ID CHUNK NROWS: a result document of job j
    python3 - "$T/store.db" "$@" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rid, chunk, n = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rows = [{"series": "stale", "date": "2030-01-%02d" % (i + 1), "point": 1,
         "model": "stale", "note": ""} for i in range(n)]
body = {"id": rid, "customerId": "acme", "jobId": "j", "chunk": chunk,
        "kind": "forecast", "firstRow": chunk * 1000, "rows": rows}
db.execute("insert or replace into docs (container, pk, id, etag, ts, job_id,"
           " body) values ('results', 'acme', ?, '\"0\"', 0, 'j', ?)",
           (rid, json.dumps(body)))
db.commit()
PY
}
# a document past the job's one: skipped
plant j-r00001 1 5
"$HORIZON" jobs results j > "$T/after.csv" 2> "$T/after.err"
rc=$?
check "leftover document: exit 0 ($rc): $(cat "$T/after.err")" test $rc -eq 0
check "leftover document: the job's rows only" cmp -s "$T/before.csv" "$T/after.csv"
"$HORIZON" jobs results j --json > "$T/after.json" 2> /dev/null
check "leftover document: --json too ($(wc -l < "$T/after.json") lines)" \
    test "$(wc -l < "$T/after.json")" -eq 3
# the job's own document written over with other rows: refused
plant j-r00000 0 7
"$HORIZON" jobs results j > "$T/over.csv" 2> "$T/over.err"
rc=$?
check "written over: exit 1 ($rc)" test $rc -eq 1
check "written over: says so: $(cat "$T/over.err")" \
    grep -q "7 result rows stored for the 3 it recorded" "$T/over.err"
check "written over: says what to do" grep -q "horizon jobs retry j" "$T/over.err"
finish
