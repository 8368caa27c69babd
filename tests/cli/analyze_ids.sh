#!/usr/bin/env bash
# horizon analyze reads the customer id as text, as written: 00123, 0123
# and 123 are three customers (a CRM export's ids are codes, not
# numbers), whether the column is named or guessed, in transactions, a
# churn table, survival and the runner's jobs; order ids likewise.  The
# amount is read strictly: a bad value in a small file is an error with
# its place, not a column of text.
source "$(dirname "$0")/lib.sh"
H="$HORIZON"

cat >"$T/ids.csv" <<'EOF'
customer_id,order_date,revenue
00123,2024-01-01,10
00123,2024-02-01,20
123,2024-01-05,15
123,2024-03-05,25
0123,2024-01-09,7
0123,2024-02-19,9
777,2024-01-11,12
EOF
expect_exit 0 "" -- "$H" analyze segment "$T/ids.csv" -o "$T/segment.csv"
check "segment: four customers ($(cut -d, -f1 "$T/segment.csv" | tr '\n' ' '))" \
    test "$(tail -n +2 "$T/segment.csv" | cut -d, -f1 | sort | tr '\n' ' ')" = "00123 0123 123 777 "
check "segment: 00123 spent 30" grep -q '^00123,2024-01-01,2024-02-01,2,1,31,.*,30,' "$T/segment.csv"
# four customers do not identify BG/NBD: the suite refuses, writing nothing
expect_exit 1 "suite not written (no output is): the purchase model (clv part) failed" -- \
    "$H" analyze suite "$T/ids.csv" -o "$T/suite.csv"
check "suite: no -o file" test ! -e "$T/suite.csv"
expect_exit 0 "" -- "$H" analyze segment "$T/ids.csv" --customer customer_id --json
check "named column: 0123 kept in JSON" grep -q '"customer_id": "0123"' "$T/out"
check "named column: four customers" grep -q '"customers": 4,' "$T/out"
# stdin and gzip take the same path
gzip -c "$T/ids.csv" >"$T/ids.csv.gz"
expect_exit 0 "" -- "$H" analyze segment - -o "$T/gz.csv" <"$T/ids.csv.gz"
check "gzip on stdin: four customers" test "$(($(wc -l <"$T/gz.csv") - 1))" -eq 4
# --schema still wins (an explicit int64 merges them, as asked)
expect_exit 0 "" -- "$H" analyze segment "$T/ids.csv" --schema customer_id:int64 -o "$T/i.csv"
check "--schema customer_id:int64 is obeyed" test "$(($(wc -l <"$T/i.csv") - 1))" -eq 2

# an id written with spaces around it beside the same id without is one
# customer written two ways: refused with its place (were two customers)
printf 'customer_id,order_date,revenue\nC1,2024-01-01,10\n"C1 ",2024-02-01,20\nC2,2024-01-05,15\n' >"$T/pad.csv"
expect_exit 1 "$T/pad.csv:3:1: column 'customer_id' (customer) is 'C1 ', which differs from the customer 'C1' only by the spaces around it" -- \
    "$H" analyze segment "$T/pad.csv" -o "$T/pad_out.csv"
check "padded id: no output" test ! -e "$T/pad_out.csv"
# an id padded the same way on every row is that customer's id
printf 'customer_id,order_date,revenue\n" C1",2024-01-01,10\n" C1",2024-02-01,20\nC2,2024-01-05,15\n' >"$T/pad2.csv"
expect_exit 0 "" -- "$H" analyze segment "$T/pad2.csv" -o "$T/pad2_out.csv"
check "padded alike: two customers" test "$(($(wc -l <"$T/pad2_out.csv") - 1))" -eq 2

# order ids: 007 and 7 are two orders
cat >"$T/orders.csv" <<'EOF'
order_id,customer_id,order_date,revenue
007,A,2024-01-01,10
7,A,2024-01-01,20
8,B,2024-01-02,5
EOF
expect_exit 0 "" -- "$H" analyze segment "$T/orders.csv" --frequency orders -o "$T/o.csv"
check "orders 007 and 7 are two" grep -q '^A,2024-01-01,2024-01-01,2,0,.*,2,[0-9],[0-9],[0-9],' "$T/o.csv"

# a customer table: churn with a label, survival
{
    echo "customer_id,tenure,plan,churned"
    for i in $(seq 1 30); do
        printf '%05d,%d,%s,%s\n' "$i" $((i % 13 + 1)) "$([ $((i % 3)) -eq 0 ] && echo Basic || echo Pro)" \
            "$([ $((i % 4)) -eq 0 ] && echo yes || echo no)"
        printf '%d,%d,%s,%s\n' "$i" $((i % 7 + 2)) Pro "$([ $((i % 5)) -eq 0 ] && echo yes || echo no)"
    done
} >"$T/table.csv"
expect_exit 0 "" -- "$H" analyze churn "$T/table.csv" --label churned -o "$T/ch.csv"
check "churn: 60 customers" test "$(($(wc -l <"$T/ch.csv") - 1))" -eq 60
check "churn: 00007 and 7 both scored" bash -c "grep -q '^00007,' '$T/ch.csv' && grep -q '^7,' '$T/ch.csv'"
check "churn: the id is not a feature" bash -c "! grep -q 'customer_id' '$T/out'"
expect_exit 0 "" -- "$H" analyze survival "$T/table.csv" --event churned -o "$T/sv.csv"
check "survival: 60 customers, 00030 kept" bash -c \
    "test \$((\$(wc -l <'$T/sv.csv') - 1)) -eq 60 && grep -q '^00030,' '$T/sv.csv'"

# the amount read strictly: one bad value in four rows is named
printf 'customer_id,order_date,revenue\nA,2024-01-01,12\nA,2024-02-01,20\nB,2024-01-05,N/A\nB,2024-03-01,5\n' >"$T/na.csv"
expect_exit 1 "$T/na.csv:4:3: column 'revenue': expected an integer, got 'N/A'" -- \
    "$H" analyze segment "$T/na.csv"
printf 'customer_id,order_date,amount\nA,2024-01-01,"1,234.50"\nA,2024-02-01,20\nB,2024-01-05,15\n' >"$T/thousands.csv"
expect_exit 1 "$T/thousands.csv:2:3: column 'amount'" -- \
    "$H" analyze clv "$T/thousands.csv"

# an empty id is refused with its place whether the field is bare or a
# quoted "" (a value, not a null, to the CSV reader: until 2026-12-07 every
# "" row became one customer with an empty id, and a customer table's
# empty ids were scored, any number of them, with nothing to join on)
printf 'customer_id,order_date,revenue\nA,2024-01-01,12\nA,2024-02-01,20\n"",2024-01-05,5\n"",2024-03-01,5\n' >"$T/blank.csv"
expect_exit 1 "$T/blank.csv:4:1: column 'customer_id' (customer) is empty" -- \
    "$H" analyze segment "$T/blank.csv"
printf 'order_id,customer_id,order_date,revenue\n1,A,2024-01-01,12\n"",A,2024-02-01,20\n3,B,2024-01-05,5\n' >"$T/blank_order.csv"
expect_exit 1 "$T/blank_order.csv:3:1: column 'order_id' (order id) is empty" -- \
    "$H" analyze segment "$T/blank_order.csv" --frequency orders
for e in '""' ''; do
    sed "4s/^00002,/$e,/" "$T/table.csv" >"$T/blank_table.csv"
    expect_exit 1 "$T/blank_table.csv:4:1: column 'customer_id' (customer) is empty" -- \
        "$H" analyze churn "$T/blank_table.csv" --label churned -o "$T/blank_ch.csv"
    check "churn, empty id ($e): no output" test ! -e "$T/blank_ch.csv"
    expect_exit 1 "$T/blank_table.csv:4:1: column 'customer_id' (customer) is empty" -- \
        "$H" analyze survival "$T/blank_table.csv" --event churned
done

# a job reads its dataset the same way
export HORIZON_STORE="sqlite:$T/store.db" TMPDIR="$T" HZ_DATASET_ROOTS="$T"
"$H" submit --type segment --tenant acme --id ids --dataset "$T/ids.csv" --quiet
expect_exit 0 "" -- "$H" run --once --quiet
expect_exit 0 "" -- "$H" jobs results ids --json
check "job: four customers, 00123 and 0123 apart" /usr/bin/python3 -c "
import json, sys
ids = sorted(json.loads(l)['customer_id'] for l in open(sys.argv[1]))
assert ids == ['00123', '0123', '123', '777'], ids
" "$T/out"
finish
