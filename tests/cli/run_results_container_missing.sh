#!/usr/bin/env bash
# A write-back answered 404 for another reason than the job's deletion
# (here the results container is missing: deleted, or never created on
# this database) is a store error: the job is still there, running, and
# its results were not written.  Until 2026-12-07 the runner took any
# "not found" of its write-back for "deleted while it ran": it said so,
# removed nothing it could, and a --once run exited 0 with the job left
# running and its work not done.
source "$(dirname "$0")/lib.sh"
export TMPDIR="$T" HZ_DATASET_ROOTS="$T"
unset OPENAI_API_KEY OPENAI_BASE_URL AZURE_OPENAI_ENDPOINT || true
tiny_monthly_csv "$T/m.csv"
cosmos_peer_prep
track_pids
run_cosmos_server
export COSMOS_ENDPOINT="https://127.0.0.1:$cport/" COSMOS_KEY="$COSMOS_TEST_KEY" \
    COSMOS_DATABASE=nores COSMOS_CA_CERT="$T/cert.pem" HORIZON_STORE=cosmos
"$HORIZON" cosmos init > /dev/null 2>&1 || { echo "FAIL: cosmos init"; exit 1; }
"$HORIZON" submit --type forecast --tenant acme --id kept \
    --dataset "$T/m.csv" --param date=date --param value=value \
    --param model=naive --quiet
NODE_EXTRA_CA_CERTS="$T/cert.pem" node -e '
const { CosmosClient } = require(process.argv[1] + "/node_modules/@azure/cosmos");
(async () => {
  const c = new CosmosClient({ endpoint: process.env.COSMOS_ENDPOINT,
                               key: process.env.COSMOS_KEY });
  await c.database("nores").container("results").delete();
})().catch((e) => { console.error(e.message); process.exit(1); });
' "$HZ_SRC/tests/peers" || { echo "FAIL: could not delete the container"; exit 1; }

"$HORIZON" run --once --concurrency 1 --lease 30 > "$T/run.out" 2> "$T/run.err"
rc=$?
check "exit 75, the outcome not written ($rc): $(cat "$T/run.err")" test $rc -eq 75
check "not said to be deleted" \
    bash -c "! grep -q 'deleted while it ran' '$T/run.err'"
check "said the results could not be written" \
    grep -q 'job kept: could not write its results' "$T/run.err"
check "the job is still there" \
    bash -c "'$HORIZON' jobs show kept > /dev/null"
finish
