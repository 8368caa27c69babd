#!/usr/bin/env bash
# Results of any size reach Cosmos DB, which refuses (413) a document or a
# transactional batch over 2 MB (the peer enforces it as the service
# does): result documents hold at most 1,000 rows and 1 MB of them, and
# the write-back's batches at most 100 documents and 1.5 MB.  Before, 100
# documents of 1,000 rows went in one batch (a 15,708-row forecast was a
# 4 MB batch; 2,400 rows with long series names, 3.3 MB) and a document
# took 1,000 rows however wide: the write-back failed with 413, the run
# exited 75 and the job was taken over again and again.
source "$(dirname "$0")/lib.sh"

start_cosmos_peer large

# the peer refuses what the service refuses
python3 -c 'import json; print(json.dumps({"id": "x", "customerId": "t", "pad": "y" * 2200000}))' > "$T/huge.json"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$T/cert.pem" \
    -X POST --data-binary @"$T/huge.json" \
    "https://127.0.0.1:$port/dbs/large/colls/results/docs")
check "peer: a 2.2 MB request is refused with 413 ($code)" test "$code" = 413

# many series: 1,309 customers x 12 months, 16 documents
"$HORIZON" gen --kind sales --rows 20000 --customers 1500 --months 24 \
    --seed 5 -o "$T/many.csv" > /dev/null 2>&1
# long series names (the engine keeps 1,023 characters): rows of 1.1 KB,
# 2,400 of them in 3 documents, 3.3 MB in one batch before
python3 - "$T/long.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("date,name,value\n")
    for s in range(200):
        name = ("series-%03d-" % s) + "n" * 3000
        for m in range(24):
            f.write("%04d-%02d-01,%s,%d\n" % (2022 + m // 12, m % 12 + 1,
                                              name, 100 + s + m))
PY
"$HORIZON" submit --type forecast --tenant acme --id many \
    --dataset "$T/many.csv" --param date=order_date --param value=revenue \
    --param freq=month --param by=customer_id --param model=naive --quiet
"$HORIZON" submit --type forecast --tenant acme --id long \
    --dataset "$T/long.csv" --param date=date --param value=value \
    --param freq=month --param by=name --param model=naive --quiet
"$HORIZON" run --once --quiet --concurrency 2 > "$T/run.out" 2> "$T/run.err"
rc=$?
check "run exit 0 ($rc): $(head -c 400 "$T/run.err")" test $rc -eq 0
for id in many long; do
    "$HORIZON" jobs show "$id" --json > "$T/$id.json"
    read -r st rows docs < <(python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(d["status"], d.get("resultRows"), d.get("resultChunks"))' "$T/$id.json")
    check "$id: succeeded ($st)" test "$st" = succeeded
    "$HORIZON" jobs results "$id" > "$T/$id.csv" 2> "$T/$id.err"
    check "$id: results exit 0: $(cat "$T/$id.err")" test $? -eq 0
    got=$(($(wc -l < "$T/$id.csv") - 1))
    check "$id: every row back ($got of $rows, in $docs documents)" \
        test "$got" -eq "$rows"
done
finish
