#!/usr/bin/env bash
# A job canceled and deleted (`jobs cancel`, then `jobs delete`) while its
# process runs: when it ends, its outcome has nowhere to go, and the store
# did not fail.  Until 2026-12-07 the runner took the missing document for
# a store error ("could not write its results: ... not found (the job will
# be recovered when its lease expires)"), and a --once run exited 75,
# "store unavailable", for a store that worked; on Cosmos DB, which gets
# the results in requests of their own before the job's final status, the
# deleted job's result documents and report chunks were left in the store
# for good (`jobs delete` had removed those it found).
source "$(dirname "$0")/lib.sh"
export TMPDIR="$T" HZ_DATASET_ROOTS="$T" HZ_TEST_HOOKS=1
unset OPENAI_API_KEY OPENAI_BASE_URL AZURE_OPENAI_ENDPOINT || true
tiny_monthly_csv "$T/m.csv"

# cancel and delete job ID while a --once run runs it (its tool sleeps
# 4 s: time enough); the run's exit status in $T/rc.  With a second
# argument "later", cancel it only, and delete it once the run is over.
delete_while_running() {
    "$HORIZON" submit --type forecast --tenant acme --id "$1" \
        --dataset "$T/m.csv" --param date=date --param value=value \
        --param model=naive --param debugSleepS=4 --quiet
    "$HORIZON" run --once --concurrency 1 > "$T/run.out" 2> "$T/run.err" &
    local R=$!
    for _ in $(seq 100); do
        "$HORIZON" jobs show "$1" 2>/dev/null | grep -q 'status: *running' &&
            break
        sleep 0.1
    done
    "$HORIZON" jobs cancel "$1" > /dev/null
    [[ "${2:-}" == later ]] || "$HORIZON" jobs delete "$1" > /dev/null
    wait $R
    echo $? > "$T/rc"
    # what the store holds of the canceled job before its deletion
    [[ "${2:-}" != later ]] || [[ "$HORIZON_STORE" != cosmos ]] ||
        cosmos_results > "$T/left_canceled"
    [[ "${2:-}" != later ]] || "$HORIZON" jobs delete "$1" > /dev/null
}
# the ids of the documents in the results container of the Cosmos peer
cosmos_results() {
    NODE_EXTRA_CA_CERTS="$T/cert.pem" node -e '
const { CosmosClient } = require(process.argv[1] + "/node_modules/@azure/cosmos");
(async () => {
  const c = new CosmosClient({ endpoint: process.env.COSMOS_ENDPOINT,
                               key: process.env.COSMOS_KEY });
  const r = await c.database("deleted").container("results").items
    .query("SELECT c.id FROM c").fetchAll();
  console.log(r.resources.map((d) => d.id).join(" "));
})().catch((e) => { console.error(e.message); process.exit(1); });
' "$HZ_SRC/tests/peers" 2>&1 | tr -d '\n'
}

# ---- SQLite
export HORIZON_STORE="sqlite:$T/s.db"
delete_while_running gone
check "sqlite: run exit 0, not 75 ($(cat "$T/rc")): $(cat "$T/run.err")" \
    test "$(cat "$T/rc")" -eq 0
check "sqlite: says the job was deleted" \
    grep -q 'job gone: deleted while it ran: its outcome is not kept' "$T/run.err"
check "sqlite: no store error said" \
    bash -c "! grep -q 'store unavailable\|could not write' '$T/run.err'"

# deleted while it ran, then released at a stop (SIGTERM, --grace 1):
# nothing to release, the store did not fail; until 2026-12-07 said at
# ERROR, "could not release: ... not found"
"$HORIZON" submit --type forecast --tenant acme --id rel \
    --dataset "$T/m.csv" --param date=date --param value=value \
    --param model=naive --param debugSleepS=6 --quiet
"$HORIZON" run --watch --grace 1 --concurrency 1 > "$T/rel.out" 2> "$T/rel.err" &
R=$!
for _ in $(seq 100); do
    "$HORIZON" jobs show rel 2>/dev/null | grep -q 'status: *running' && break
    sleep 0.1
done
"$HORIZON" jobs cancel rel > /dev/null
"$HORIZON" jobs delete rel > /dev/null
kill -TERM $R
wait $R
check "sqlite, released at a stop: says nothing was left to release: $(cat "$T/rel.err")" \
    grep -q 'warn horizon run: job rel: deleted while it ran: nothing to release \[shutdown\]' "$T/rel.err"
check "sqlite, released at a stop: no error said" \
    bash -c "! grep -q ' error \|could not release' '$T/rel.err'"

# ---- Cosmos DB: and nothing of the job is left behind
cosmos_peer_prep
track_pids
run_cosmos_server
export COSMOS_ENDPOINT="https://127.0.0.1:$cport/" COSMOS_KEY="$COSMOS_TEST_KEY" \
    COSMOS_DATABASE=deleted COSMOS_CA_CERT="$T/cert.pem" HORIZON_STORE=cosmos
"$HORIZON" cosmos init > /dev/null 2>&1 || { echo "FAIL: cosmos init"; exit 1; }
delete_while_running gone
check "cosmos: run exit 0, not 75 ($(cat "$T/rc")): $(cat "$T/run.err")" \
    test "$(cat "$T/rc")" -eq 0
check "cosmos: says the job was deleted" \
    grep -q 'job gone: deleted while it ran: its outcome is not kept' "$T/run.err"
left=$(cosmos_results)
check "cosmos: no result document or report chunk left: '$left'" \
    test -z "$left"
# canceled only: the runner writes its results and report, then finds
# its lease lost; `jobs delete` afterwards leaves nothing of the job (the
# report chunks are recorded on no job document: until 2026-12-07 they
# stayed)
delete_while_running kept later
check "cosmos, canceled: run exit 0 ($(cat "$T/rc"))" test "$(cat "$T/rc")" -eq 0
check "cosmos, canceled: the runner found it canceled: $(grep -v '^ ' "$T/run.err" | tail -3)" \
    grep -q 'job kept: canceled while it ran: its outcome is not kept' "$T/run.err"
# a canceled job keeps nothing of the run it stopped: until 2026-12-07
# the result documents and report chunks the runner had written before
# it met the cancel stayed until `jobs delete` or `jobs retry`
check "cosmos, canceled: nothing of it left before any delete: '$(cat "$T/left_canceled")'" \
    test ! -s "$T/left_canceled"
left=$(cosmos_results)
check "cosmos, canceled then deleted: nothing left: '$left'" test -z "$left"

# the runner's removals fail (the fault proxy answers its DELETEs of
# result documents 503; `jobs delete` goes to the store directly): each
# is said, with the job and the document, and counted (until 2026-12-07
# the first failure ended the removal, unsaid)
run_fault_proxy --rate 1 --seed 1 --faults "503=1" --method DELETE \
    --path-regex '/colls/results/docs/'
"$HORIZON" submit --type forecast --tenant acme --id orph \
    --dataset "$T/m.csv" --param date=date --param value=value \
    --param model=naive --param debugSleepS=4 --quiet
COSMOS_ENDPOINT="https://127.0.0.1:$pport/" COSMOS_DEADLINE_S=1 \
    "$HORIZON" run --once --concurrency 1 --metrics-file "$T/orph.prom" \
    > "$T/orph.out" 2> "$T/orph.err" &
R=$!
for _ in $(seq 100); do
    "$HORIZON" jobs show orph 2>/dev/null | grep -q 'status: *running' && break
    sleep 0.1
done
"$HORIZON" jobs cancel orph > /dev/null
"$HORIZON" jobs delete orph > /dev/null
wait $R
check "cosmos, removals failing: each said with its document: $(grep -v '^ ' "$T/orph.err" | tail -4)" \
    grep -q 'job orph: deleted while it ran: could not remove its result document orph' "$T/orph.err"
check "cosmos, removals failing: how many said" \
    grep -q 'job orph: deleted while it ran: [1-9][0-9]* removal(s) failed' "$T/orph.err"
check "cosmos, removals failing: counted in the metrics: $(grep store_errors "$T/orph.prom")" \
    grep -q 'horizon_store_errors_total{op="delete"} 2' "$T/orph.prom"
finish
