#!/usr/bin/env bash
# horizon analyze: counts of one are singular in the summaries and the
# report ("1 customer", "1 event", "1 iteration"; until 2026-12-07 "1
# customers").
source "$(dirname "$0")/lib.sh"
H="$HORIZON"

printf 'customer_id,order_date,revenue\nA,2024-01-01,10\n' >"$T/one.csv"
expect_exit 0 "" -- "$H" analyze segment "$T/one.csv" --summary-only
check "analysis line ($(head -1 "$T/out"))" grep -q '^analysis: segment, 1 customer (' "$T/out"
check "segment line" grep -qE '^  new customers +1 customer, revenue share' "$T/out"
check "cluster line" grep -q '^  cluster 0: 1 customer, centre' "$T/out"
check "k-means iterations" grep -q ', 1 iteration$' "$T/out"
check "no '1 customers' anywhere" bash -c "! grep -q '\b1 customers' '$T/out'"
expect_exit 0 "" -- "$H" analyze segment "$T/one.csv" --report "$T/one.html" --summary-only
check "report: no '1 customers'" bash -c "! grep -q '\b1 customers' '$T/one.html'"
check "report: 1 customer" grep -q '1 customer' "$T/one.html"

printf 'customer_id,tenure,churned\na,3,yes\nb,5,no\nc,7,no\n' >"$T/surv.csv"
expect_exit 0 "" -- "$H" analyze survival "$T/surv.csv" --event churned --summary-only
check "Kaplan-Meier: 1 event ($(grep Kaplan "$T/out"))" \
    grep -q '^Kaplan-Meier: 3 customers, 1 event, median' "$T/out"
# a window of one day, a horizon of one month
"$H" gen --rows 3000 --customers 300 --seed 5 >"$T/sales.csv" 2>/dev/null
expect_exit 0 "" -- "$H" analyze churn "$T/sales.csv" --risk no-purchase --inactive-days 1 --summary-only
check "churn: the next 1 day ($(grep '^churn:' "$T/out" | cut -c1-120))" \
    grep -q 'P(no purchase in the next 1 day) from the .*in the last 1 day are flagged' "$T/out"
expect_exit 0 "" -- "$H" analyze clv "$T/sales.csv" --horizon 1 --report "$T/clv.html" --summary-only
check "report: the next 1 month's" grep -q "the next 1 month's expected" "$T/clv.html"
check "report: CLV over 1 month" bash -c "grep -q 'CLV over 1 month<\|CLV over 1 month\"\|CLV over 1 month ' '$T/clv.html' && ! grep -q 'CLV over 1 months' '$T/clv.html'"
finish
