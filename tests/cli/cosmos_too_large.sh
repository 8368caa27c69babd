#!/usr/bin/env bash
# Cosmos DB refuses (413) a document or a batch over 2 MB.  That is the
# request's fault, not the service's: retrying cannot help.  A job whose
# outcome (its document with summary and narrative) crosses the limit
# fails for good with reason `write`, naming the job, and the run exits 1;
# a job document over the limit is refused by `submit` with exit 2.
# Before, both were "store unavailable", exit 75: the runner left the job
# running, to be taken over and computed again after every lease.  A job
# document so close to the limit that its claim or its failure record is
# refused fails for good too, with a lean record (its bulk left out).
source "$(dirname "$0")/lib.sh"

start_cosmos_peer toolarge
tiny_monthly_csv "$T/tiny.csv"

# job documents of a given size (a field of padding; --no-validate keeps it)
mkjob() { # ID BYTES FILE
    python3 - "$T/tiny.csv" "$1" "$2" > "$3" <<'PY'
import json, sys
d = {"id": sys.argv[2], "customerId": "acme", "type": "forecast",
     "dataset": sys.argv[1], "pad": "",
     "params": {"date": "date", "value": "value", "horizon": "3",
                "model": "naive", "freq": "month"}}
d["pad"] = "y" * (int(sys.argv[3]) - len(json.dumps(d, separators=(",", ":"))))
print(json.dumps(d))
PY
}
# 600 bytes below the limit: claimed, but its outcome (summary, narrative,
# metrics: more than 1 KB) is over it
mkjob big $((2 * 1024 * 1024 - 600)) "$T/big.json"
"$HORIZON" submit --file "$T/big.json" --no-validate > /dev/null 2>&1
check "a document just under 2 MB is stored" test $? -eq 0
"$HORIZON" submit --type forecast --tenant acme --dataset "$T/tiny.csv" \
    --param date=date --param value=value --param horizon=3 \
    --param model=naive --param freq=month --id small --quiet

"$HORIZON" run --once --claim-retry 3 > "$T/run.out" 2> "$T/run.err"
rc=$?
check "run exit 1, a job failed, not 75 ($rc): $(grep -v '^ ' "$T/run.err" | head -c 600)" \
    test $rc -eq 1
check "the log names the job and why" \
    grep -q 'job big (forecast, tenant acme) failed \[write\]: .*413' "$T/run.err"
st() { "$HORIZON" jobs show "$1" --json |
           python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["status"], d.get("errorReason", "-"))'; }
check "big failed for good, reason write ($(st big))" \
    test "$(st big)" = "failed write"
check "the other job succeeded ($(st small))" \
    test "$(st small)" = "succeeded -"
"$HORIZON" run --once > /dev/null 2>&1
check "a second run has nothing to do ($?)" test $? -eq 0
check "big stays failed ($(st big))" test "$(st big)" = "failed write"

# job documents closer to the limit: some so close that the claim's own
# fields (status, lease, times) cross it, some whose claim fits and whose
# failure record (an error of some 400 bytes) does not.  Every one must
# end failed with reason write: before, a refused claim was "could not
# claim jobs" at every poll (exit 75, and the queue stuck behind the job),
# and a refused failure record left the job running, to be taken over and
# fail again for ever (exit 75).  Sizes step through the range so that
# the test does not depend on the length of the runner's lease owner
# (its host name)
ids=()
for k in $(seq 120 40 600); do
    mkjob "near$k" $((2 * 1024 * 1024 - k)) "$T/near.json"
    "$HORIZON" submit --file "$T/near.json" --no-validate > /dev/null 2>&1 &&
        ids+=("near$k")
done
check "some near-limit documents stored (${#ids[@]})" test ${#ids[@]} -ge 8
"$HORIZON" run --once --claim-retry 3 > "$T/run.out" 2> "$T/run.err"
rc=$?
check "near the limit: run exit 1, not 75 ($rc): $(grep -v '^ ' "$T/run.err" | tail -2 | head -c 600)" \
    test $rc -eq 1
for id in "${ids[@]}"; do
    check "$id failed for good, reason write ($(st "$id"))" \
        test "$(st "$id")" = "failed write"
done
lean() { "$HORIZON" jobs show "$1" --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(" ".join(d.get("droppedFields", [])), len(d["error"]) <= 2048,
      d["customerId"], d["type"])'; }
refused_claim=0 refused_record=0
for id in "${ids[@]}"; do
    err=$("$HORIZON" jobs show "$id" --json | python3 -c \
        'import json,sys; print(json.load(sys.stdin)["error"])')
    case $err in
    "the store refused to claim the job: "*413*)
        refused_claim=$((refused_claim + 1))
        # failed by the claim itself: reported as any failure (before,
        # nothing was said, and a run that met only such jobs exited 0)
        check "$id: the log says it failed at its claim" grep -q \
            "job $id (forecast, tenant acme) failed \[write\]: the store refused to claim the job: .*413" \
            "$T/run.err" ;;
    "the store refused its outcome: "*413*"left out)") refused_record=$((refused_record + 1)) ;;
    *) continue ;;
    esac
    check "$id: a lean record names what it left out ($(lean "$id"))" \
        test "$(lean "$id")" = "pad params True acme forecast"
done
check "some claims were refused ($refused_claim)" test $refused_claim -ge 1
check "some full failure records were refused ($refused_record)" \
    test $refused_record -ge 1
"$HORIZON" run --once > /dev/null 2>&1
check "a second run has nothing to do ($?)" test $? -eq 0
# a lean record has lost its params: retrying it would fail for want of
# them, so retry refuses it and says why
expect_exit 2 "job ${ids[0]} cannot be retried: its document was too large" -- \
    "$HORIZON" jobs retry "${ids[0]}"

# a document over the limit: refused at submit, as an invalid job
mkjob huge $((2 * 1024 * 1024 + 100)) "$T/huge.json"
expect_exit 2 "413" -- "$HORIZON" submit --file "$T/huge.json" --no-validate
finish
