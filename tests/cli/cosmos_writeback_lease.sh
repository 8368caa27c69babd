#!/usr/bin/env bash
# A write-back longer than the lease keeps the lease.  On Cosmos DB a
# job's outcome is written in requests of their own (its report's chunks,
# batches of result documents, then its conditional final status); on a
# throttled or slow store they may take longer than the lease, and until
# 2026-12-07 nothing renewed it meanwhile: another runner (or the same
# one) took the job over while the first was still writing, computed it
# again, and the first then found its lease lost (here: the job computed
# three times, takeovers 2).  Now the write-back renews the lease every
# lease/3 between its requests, as the job process's wait does.
source "$(dirname "$0")/lib.sh"

cosmos_peer_prep
track_pids
run_cosmos_server
# every write of the results container held 3 s (the lease is 6 s)
run_fault_proxy --rate 1 --faults delay=1 --delay-ms 3000 \
    --path-regex 'colls/results/docs$' --method POST

export COSMOS_KEY="$COSMOS_TEST_KEY" COSMOS_DATABASE=wblease \
    COSMOS_CA_CERT="$T/cert.pem" HORIZON_STORE=cosmos HZ_DATASET_ROOTS="$T" \
    TMPDIR="$T"
unset OPENAI_API_KEY OPENAI_BASE_URL AZURE_OPENAI_ENDPOINT || true
direct="https://127.0.0.1:$cport/"
slow="https://127.0.0.1:$pport/"
COSMOS_ENDPOINT=$direct "$HORIZON" cosmos init > /dev/null 2>&1 ||
    { echo "FAIL: cosmos init"; exit 1; }

# 150 series with long names: 1,800 rows of 1.1 KB, result documents of
# up to 1 MB in more than one batch
python3 - "$T/wide.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("date,name,value\n")
    for s in range(150):
        name = ("series-%03d-" % s) + "n" * 1000
        for m in range(24):
            f.write("%04d-%02d-01,%s,%d\n" % (2022 + m // 12, m % 12 + 1,
                                              name, 100 + s + m))
PY
COSMOS_ENDPOINT=$direct "$HORIZON" submit --type forecast --tenant acme \
    --id wide --dataset "$T/wide.csv" --param date=date --param value=value \
    --param freq=month --param by=name --param model=naive --quiet

# runner A writes through the slow proxy; runner B polls the store
# directly all the while, and takes over any job whose lease lapses
COSMOS_ENDPOINT=$slow "$HORIZON" run --once --lease 6 --concurrency 2 \
    > "$T/a.out" 2> "$T/a.err" &
A=$!
pids+=($A)
# B starts once A holds the job (until 2026-12-08 after a fixed 0.5 s: on
# a loaded machine A had not claimed it by then, B took it and wrote it
# directly, A found nothing to do, and there was no slow write-back)
for _ in $(seq 600); do
    st=$(COSMOS_ENDPOINT=$direct field wide status)
    [[ $st != queued ]] && break
    kill -0 $A 2>/dev/null || break
    sleep 0.05
done
check "runner A claimed the job before B started (status: $st)" \
    test "$st" = running
COSMOS_ENDPOINT=$direct "$HORIZON" run --watch --lease 6 \
    --poll-interval 0.2 > "$T/b.out" 2> "$T/b.err" &
B=$!
pids+=($B)
wait $A
rca=$?
sleep 1
kill -TERM $B
wait $B
check "runner A exit 0 ($rca): $(grep -v '^[a-z ]*  ' "$T/a.err" | head -c 600)" \
    test $rca -eq 0
check "the write-back took longer than the lease (it was slow)" \
    grep -q 'write [3-9]\.[0-9]* s\|write [1-9][0-9]\.[0-9]* s' "$T/a.err"
COSMOS_ENDPOINT=$direct "$HORIZON" jobs show wide --json > "$T/wide.json"
read -r st takeovers rows < <(python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(d["status"], d.get("takeovers", 0), d.get("resultRows"))' "$T/wide.json")
check "the job succeeded ($st)" test "$st" = succeeded
check "never taken over ($takeovers takeovers)" test "$takeovers" = 0
done=$(cat "$T/a.err" "$T/b.err" | grep -c 'job wide (forecast, tenant acme) succeeded')
check "computed and written once ($done completions)" test "$done" -eq 1
check "no runner lost the lease: $(grep -h 'lease lost' "$T/a.err" "$T/b.err")" \
    bash -c "! grep -q 'lease lost' '$T/a.err' '$T/b.err'"
COSMOS_ENDPOINT=$direct "$HORIZON" jobs results wide > "$T/wide.csv.out" \
    2> "$T/results.err"
check "results exit 0: $(cat "$T/results.err")" test $? -eq 0
got=$(($(wc -l < "$T/wide.csv.out") - 1))
check "every row back ($got of $rows)" test "$got" -eq "$rows"
finish
