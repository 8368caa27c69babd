#!/usr/bin/env bash
# Result rows written back by the runner are the engine's rows: a suite
# job on the sample sales file through `horizon run` stores, across its
# result documents (1,000 rows each, in order), exactly the customers
# and values of `horizon analyze suite --json` on the same file.  The
# rows travel from the job process to the store as text, never parsed in
# between, so this checks that nothing is lost or reordered on the way.
set -euo pipefail
: "${HORIZON:?}" "${HZ_TEST_TMP:?}" "${HZ_DATA_DIR:?}"
T="$HZ_TEST_TMP/runner_results"
rm -rf "$T" && mkdir -p "$T"
export TMPDIR="$T"
ST="sqlite:$T/store.db"
CSV="$HZ_DATA_DIR/sample_sales.csv"
"$HORIZON" submit --store "$ST" --quiet --type suite --tenant acme \
    --dataset "$CSV" --id suite-1 \
    --params '{"asOf":"2024-12-31","seed":7}'
"$HORIZON" run --store "$ST" --quiet --concurrency 1 --timeout 120
"$HORIZON" analyze suite "$CSV" --as-of 2024-12-31 --seed 7 --json \
    > "$T/direct.json"
/usr/bin/python3 - "$T/store.db" "$T/direct.json" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
job = json.loads(db.execute(
    "select body from docs where container='jobs'").fetchone()[0])
assert job["status"] == "succeeded", job
docs = [json.loads(b) for (b,) in db.execute(
    "select body from docs where container='results'")]
docs = [d for d in docs if "artifactOf" not in d]  # the report's chunks
docs.sort(key=lambda d: d["chunk"])
rows = [r for d in docs for r in d["rows"]]
direct = json.load(open(sys.argv[2]))["customers"]
assert job["resultRows"] == len(rows) == len(direct), (
    job["resultRows"], len(rows), len(direct))
assert job["resultChunks"] == len(docs) == (len(rows) + 999) // 1000
for d in docs:
    assert d["firstRow"] == 1000 * d["chunk"] and d["jobId"] == "suite-1"
for a, b in zip(rows, direct):
    assert a == b, (a, b)
print("ok: %d rows in %d documents equal the direct analysis"
      % (len(rows), len(docs)))
PY
