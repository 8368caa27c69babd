#!/usr/bin/env bash
# horizon analyze on transactions with exact duplicate rows (every column
# equal: the same customer, time and amount), as an export that writes
# some rows twice makes them.  They are kept by default (identical rows
# can be real: CDNOW's log has 21, which its published figures count)
# and said, with their count and the first one's place; --dedupe drops
# them, and says so.  Until 2026-12-07 they were summed without a word.
source "$(dirname "$0")/lib.sh"
H="$HORIZON"

cat >"$T/dup.csv" <<'CSV'
customer_id,order_date,revenue,product
C1,2024-01-01,10,P1
C1,2024-01-05,20,P2
C1,2024-01-05,20,P2
C1,2024-01-05,20,P3
C2,2024-01-02,15,P1
C2,2024-02-02,25,P1
C2,2024-02-02,25,P1
C2,2024-02-02,25,P1
C3,2024-03-01,12,P4
CSV
expect_exit 0 "" -- "$H" analyze segment "$T/dup.csv" -o "$T/keep.csv"
check "kept: the warning names the count and the first ($(grep -i dup "$T/out"))" \
    grep -qF "warning: 3 rows repeat an earlier row in every column (first: $T/dup.csv:4, the same as line 3): kept, each counted as a purchase; if the export wrote them twice, give --dedupe to drop them" "$T/out"
# customer_id,first,last,orders,frequency,recency,T,monetary_value,total_spend,...
check "kept: C1 counts both copies ($(grep '^C1,' "$T/keep.csv"))" \
    grep -q '^C1,2024-01-01,2024-01-05,4,1,4,60,60,70,' "$T/keep.csv"
expect_exit 0 "" -- "$H" analyze segment "$T/dup.csv" -o "$T/drop.csv" --dedupe
check "dropped: said ($(grep -i dup "$T/out"))" \
    grep -qF "duplicates: 3 rows that repeat an earlier row in every column dropped (--dedupe; first: $T/dup.csv:4, the same as line 3)" "$T/out"
# the row that differs only in its product stays
check "dropped: C1 keeps one copy and the other product ($(grep '^C1,' "$T/drop.csv"))" \
    grep -q '^C1,2024-01-01,2024-01-05,3,1,4,60,40,50,' "$T/drop.csv"
check "dropped: C2 keeps one of three ($(grep '^C2,' "$T/drop.csv"))" \
    grep -q '^C2,2024-01-02,2024-02-02,2,1,31,59,25,40,' "$T/drop.csv"
expect_exit 0 "" -- "$H" analyze segment "$T/dup.csv" --json --summary-only
check "JSON: duplicate_rows, duplicates_dropped, duplicate_first" \
    grep -qF "\"duplicate_rows\": 3, \"duplicates_dropped\": false, \"duplicate_first\": \"$T/dup.csv:4, the same as line 3\"" "$T/out"
# no duplicates: nothing said
printf 'customer_id,order_date,revenue\nA,2024-01-01,5\nA,2024-01-01,6\n' >"$T/none.csv"
expect_exit 0 "" -- "$H" analyze segment "$T/none.csv" --summary-only
check "no duplicates: no warning" bash -c "! grep -qi 'duplicate\|repeat an earlier' '$T/out'"
# rows after --as-of are left out (and counted as such), not counted as
# duplicates kept "each counted as a purchase" nor as dropped ones
printf 'customer_id,order_date,revenue\nA,2024-01-01,5\nA,2024-02-01,6\nA,2024-02-01,6\nB,2024-01-03,7\nA,2024-06-01,9\nA,2024-06-01,9\nA,2024-06-01,9\n' >"$T/late.csv"
expect_exit 0 "" -- "$H" analyze segment "$T/late.csv" --as-of 2024-03-01 --summary-only
check "as-of: only the duplicate it reads ($(grep 'repeat' "$T/out"))" \
    grep -qF "warning: 1 row repeats an earlier row in every column (first: $T/late.csv:4, the same as line 3)" "$T/out"
expect_exit 0 "" -- "$H" analyze segment "$T/late.csv" --as-of 2024-03-01 --summary-only --dedupe
check "as-of, --dedupe: 1 dropped ($(grep 'dropped' "$T/out"))" \
    grep -qF "duplicates: 1 row that repeats an earlier row in every column dropped (--dedupe; first: $T/late.csv:4, the same as line 3)" "$T/out"
check "as-of, --dedupe: the 3 rows after it said as left out ($(grep '^as of' "$T/out"))" \
    grep -qx "as of 2024-03-01 (given); 3 transactions after it left out" "$T/out"

# a repeated refund is netted again, not "counted as a purchase"
printf 'customer_id,order_date,revenue\nA,2024-01-01,50\nA,2024-02-01,6\nA,2024-02-03,-5\nA,2024-02-03,-5\nB,2024-01-03,7\n' >"$T/dupref.csv"
expect_exit 0 "" -- "$H" analyze segment "$T/dupref.csv" --summary-only
check "a repeated refund: said as netted again ($(grep 'repeat' "$T/out"))" \
    grep -qF "warning: 1 row repeats an earlier row in every column (first: $T/dupref.csv:5, the same as line 4): kept, each netted again as a refund;" "$T/out"
echo "B,2024-01-03,7" >>"$T/dupref.csv"
expect_exit 0 "" -- "$H" analyze segment "$T/dupref.csv" --summary-only
check "a repeated refund and purchase ($(grep 'repeat' "$T/out"))" \
    grep -qF "kept, each counted again (1 as purchase, 1 netted again as refund);" "$T/out"
expect_exit 0 "" -- "$H" analyze segment "$T/dupref.csv" --summary-only --json
check "JSON: duplicate_refunds" grep -qF '"duplicate_refunds": 1' "$T/out"

# --dedupe is for transactions
printf 'customer_id,tenure,churned\na,3,yes\nb,5,no\n' >"$T/cust.csv"
expect_exit 2 "--dedupe is for the analyses of transactions: survival would ignore it" -- \
    "$H" analyze survival "$T/cust.csv" --event churned --dedupe

# many rows (several partitions, in parallel): every duplicate found,
# the same for any thread count
/usr/bin/python3 - "$T/many.csv" <<'PY'
import random, sys
random.seed(11)
rows = [("C%d" % random.randint(0, 20000), "2024-%02d-%02d" % (random.randint(1, 12), random.randint(1, 28)),
         "%d.%02d" % (random.randint(1, 500), random.randint(0, 99)), "o%d" % i) for i in range(150000)]
dups = sorted(random.sample(range(150000), 700))
out = list(rows)
for j, i in enumerate(dups):
    out.insert(i + 1 + j, rows[i])
with open(sys.argv[1], "w") as f:
    f.write("customer_id,order_date,revenue,order_id\n")
    for r in out:
        f.write(",".join(r) + "\n")
PY
for th in 1 2; do
    expect_exit 0 "" -- "$H" analyze segment "$T/many.csv" --summary-only --threads "$th"
    check "many rows, $th thread(s): 700 found ($(grep -o 'warning: [0-9]* rows repeat[^)]*' "$T/out"))" \
        grep -qE "^warning: 700 rows repeat an earlier row in every column \(first: $T/many.csv:200, the same as line 199\)" "$T/out"
    grep -o 'first: [^)]*' "$T/out" >"$T/first_$th"
done
check "the same first for 1 and 2 threads ($(cat "$T/first_1"))" cmp -s "$T/first_1" "$T/first_2"

# a job drops them with --param dedupe, as the command
export HORIZON_STORE="sqlite:$T/store.db" TMPDIR="$T" HZ_DATASET_ROOTS="$T"
"$H" submit --type segment --tenant acme --id dd --dataset "$T/dup.csv" --param dedupe --quiet
expect_exit 0 "" -- "$H" run --once --quiet
expect_exit 0 "" -- "$H" jobs results dd --json
check "job --param dedupe: C1 spends 50, C2 40" /usr/bin/python3 -c "
import json, sys
rows = {r['customer_id']: r for r in map(json.loads, open(sys.argv[1]))}
assert rows['C1']['total_spend'] == 50 and rows['C2']['total_spend'] == 40, rows
" "$T/out"

# numbers compare by value: -0 is 0 (1.0 and 1 are one number already);
# until 2026-12-07 -0 beside 0 was not seen as a repeat
printf 'customer_id,order_date,revenue,qty\nA,2024-01-01,5,1\nA,2024-02-01,0,-0\nA,2024-02-01,-0,0.0\nA,2024-02-03,1.50,2\nA,2024-02-03,1.5,2.0\nB,2024-01-03,7,1\n' >"$T/negzero.csv"
expect_exit 0 "" -- "$H" analyze segment "$T/negzero.csv" --summary-only
check "-0 and 0, 1.50 and 1.5: repeats ($(grep 'repeat' "$T/out"))" \
    grep -qF "warning: 2 rows repeat an earlier row in every column (first: $T/negzero.csv:4, the same as line 3)" "$T/out"
finish
