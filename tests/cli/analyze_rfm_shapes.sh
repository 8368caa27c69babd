#!/usr/bin/env bash
# horizon analyze segment on degenerate transactions: the segment names
# must be true of the customers.  Every customer a one-time buyer: F 1
# for all (until 2026-12-07 F 3, named "potential loyalists", "need
# attention" and "at risk"); every customer bought on the last day: R 5
# (was R 3, "about to sleep"); a lone customer who bought on the last day.
source "$(dirname "$0")/lib.sh"
H="$HORIZON"

/usr/bin/python3 - "$T" <<'PY'
import random, sys
random.seed(2)
d = sys.argv[1]
with open(d + "/once.csv", "w") as f:
    f.write("customer_id,order_date,revenue\n")
    for i in range(50):
        f.write("C%d,2024-%02d-%02d,%d\n" % (i, random.randint(1, 6), random.randint(10, 28),
                                             random.randint(5, 100)))
with open(d + "/sameday.csv", "w") as f:
    f.write("customer_id,order_date,revenue\n")
    for i in range(50):
        f.write("C%d,2024-03-05,%d\n" % (i, random.randint(5, 100)))
with open(d + "/lone.csv", "w") as f:
    f.write("customer_id,order_date,revenue\nA,2024-01-01,10\nA,2024-02-01,20\nA,2024-03-01,30\n")
with open(d + "/lone_once.csv", "w") as f:
    f.write("customer_id,order_date,revenue\nA,2024-03-01,30\n")
PY
# the columns: ...,rfm_frequency,r_score,f_score,m_score,rfm_segment,cluster
seg() { tail -n +2 "$1" | awk -F, '{print $(NF-1)}' | sort | uniq -c | awk '{$1=""; print substr($0,2)}' | tr '\n' ';'; }
col() { tail -n +2 "$1" | awk -F, -v c="$2" '{print $(NF-c)}' | sort -u | tr '\n' ' '; }

expect_exit 0 "" -- "$H" analyze segment "$T/once.csv" -o "$T/once_out.csv"
check "one-time buyers: F 1 for all ($(col "$T/once_out.csv" 3))" test "$(col "$T/once_out.csv" 3)" = "1 "
check "one-time buyers: no loyal, attention or at-risk segment ($(seg "$T/once_out.csv"))" \
    bash -c "! grep -qE 'loyal|need attention|at risk|champions|can.t lose' <<<'$(seg "$T/once_out.csv")'"
check "one-time buyers: the last day's buyers are new customers" \
    grep -q ',2024-06-24,2024-06-24,1,.*,5,1,[1-5],new customers,' "$T/once_out.csv"

expect_exit 0 "" -- "$H" analyze segment "$T/sameday.csv" -o "$T/same_out.csv"
check "all on the last day: R 5, F 1, new customers ($(seg "$T/same_out.csv"))" \
    test "$(seg "$T/same_out.csv")" = "new customers;"
check "all on the last day: R 5 ($(col "$T/same_out.csv" 4))" test "$(col "$T/same_out.csv" 4)" = "5 "

expect_exit 0 "" -- "$H" analyze segment "$T/lone.csv" -o "$T/lone_out.csv"
check "lone repeat buyer: R 5 F 3, potential loyalists" \
    grep -q '^A,.*,3,5,3,3,potential loyalists,0$' "$T/lone_out.csv"
expect_exit 0 "" -- "$H" analyze segment "$T/lone_once.csv" -o "$T/lone1_out.csv"
check "lone one-time buyer: new customer" grep -q '^A,.*,1,5,1,3,new customers,0$' "$T/lone1_out.csv"
finish
