#!/usr/bin/env bash
# horizon analyze on transactions with refunds (negative amounts), as
# real exports carry returns and credits: a refund is not a purchase (no
# purchase day, no order), and is netted against the customer's latest
# purchases on or before it, so total_spend and the mean spend are net;
# the refunds column has each customer's, the summary counts them.  A
# refund larger than what the customer bought before it is refused with
# its place.  Until 2026-12-07 every negative amount was refused.
source "$(dirname "$0")/lib.sh"
H="$HORIZON"

cat >"$T/ref.csv" <<'CSV'
customer_id,order_date,revenue
C1,2024-01-01,10
C1,2024-01-05,30
C1,2024-01-09,-20
C1,2024-02-01,15
C2,2024-01-02,15
C2,2024-01-02,-5
C2,2024-02-10,25
C3,2024-01-03,30
C3,2024-02-05,12
C3,2024-02-06,(40)
CSV
expect_exit 0 "" -- "$H" analyze segment "$T/ref.csv" -o "$T/out.csv"
# customer_id,first,last,orders,frequency,recency,T,monetary_value,total_spend,refunds,...
# C1: the 20 returned on Jan 9 nets Jan 5's 30 to 10: repeat days 10 and 15
check "C1: refund not a purchase, netted against Jan 5 ($(grep '^C1,' "$T/out.csv"))" \
    grep -q '^C1,2024-01-01,2024-02-01,3,2,31,40,12.5,35,-20,' "$T/out.csv"
# C2: the same-day refund nets that day's purchase
check "C2: same-day refund ($(grep '^C2,' "$T/out.csv"))" \
    grep -q '^C2,2024-01-02,2024-02-10,2,1,39,39,25,35,-5,' "$T/out.csv"
# C3: an accounting negative (40): Feb 5's 12 to 0, then 28 of Jan 3's 30
check "C3: refund across two purchases ($(grep '^C3,' "$T/out.csv"))" \
    grep -q '^C3,2024-01-03,2024-02-05,2,1,33,38,0,2,-40,' "$T/out.csv"
check "the summary counts the refunds" \
    grep -q '^refunds: 3 rows with a negative amount (total -65.00): returns, not purchases' "$T/out"
expect_exit 0 "" -- "$H" analyze segment "$T/ref.csv" --json --summary-only
check "JSON: refund_rows and refund_total" \
    grep -q '"refund_rows": 3, .*"refund_total": -65' "$T/out"

# a refund larger than the customer's purchases before it: its place
sed 's/^C3,2024-02-06,(40)$/C3,2024-02-06,-50/' "$T/ref.csv" >"$T/big.csv"
expect_exit 1 "horizon analyze: $T/big.csv:11:3: column 'revenue' (amount) is -50, a refund larger than what customer 'C3' bought on or before 2024-02-06" -- \
    "$H" analyze segment "$T/big.csv"
check "nothing written for it" test ! -s "$T/out"
# two refunds on one day that add up to more than the purchases: the
# one named is the one that finds too little left (the day's largest
# first), not the first of the day in the file (-5 alone nets fine)
printf 'customer_id,order_date,revenue\nC1,2024-01-01,10\nC3,2024-01-03,30\nC3,2024-02-06,-5\nC3,2024-02-06,-50\n' >"$T/two.csv"
expect_exit 1 "horizon analyze: $T/two.csv:5:3: column 'revenue' (amount) is -50, a refund larger than what customer 'C3' bought on or before 2024-02-06" -- \
    "$H" analyze segment "$T/two.csv"
# the same for the refunds on the purchase's own day
sed 's/2024-02-06/2024-01-03/' "$T/two.csv" >"$T/two_same.csv"
expect_exit 1 "horizon analyze: $T/two_same.csv:5:3: column 'revenue' (amount) is -50, a refund larger than what customer 'C3' bought on or before 2024-01-03" -- \
    "$H" analyze segment "$T/two_same.csv"
# -20 then -15 against 30: the -20 nets, the -15 finds 10 left
printf 'customer_id,order_date,revenue\nC1,2024-01-01,10\nC3,2024-01-03,30\nC3,2024-02-06,-15\nC3,2024-02-06,-20\n' >"$T/two_b.csv"
expect_exit 1 "$T/two_b.csv:4:3: column 'revenue' (amount) is -15, a refund larger than what customer 'C3' bought on or before 2024-02-06, net of their refunds before it" -- \
    "$H" analyze segment "$T/two_b.csv"
# a refund an export wrote twice is netted twice: when that makes it too
# large, the error names the copy and --dedupe (was the advice to filter
# the refund out or give earlier transactions)
printf 'customer_id,order_date,revenue\nC1,2024-01-01,10\nC3,2024-01-03,30\nC3,2024-02-06,-20\nC3,2024-02-06,-20\n' >"$T/twice.csv"
expect_exit 1 "$T/twice.csv:4:3: column 'revenue' (amount) is -20, a refund larger than what customer 'C3' bought on or before 2024-02-06, net of their refunds before it (a day's largest first): a refund is netted against the customer's purchases before it, and line 5 repeats this row in every column, so the refund is netted twice (if the export wrote it twice, give --dedupe)" -- \
    "$H" analyze segment "$T/twice.csv"
expect_exit 0 "" -- "$H" analyze segment "$T/twice.csv" --dedupe -o "$T/twice_out.csv"
check "--dedupe: the refund netted once ($(grep '^C3,' "$T/twice_out.csv"))" \
    grep -q '^C3,2024-01-03,2024-01-03,1,0,0,34,0,10,-20,' "$T/twice_out.csv"
# a refund by a customer with no purchase before it (the return of a
# purchase before the data starts)
printf 'customer_id,order_date,revenue\nA,2024-01-02,-5\nA,2024-01-05,20\nB,2024-01-03,9\n' >"$T/early.csv"
expect_exit 1 "$T/early.csv:2:3: column 'revenue' (amount) is -5, a refund larger than what customer 'A' bought on or before 2024-01-02" -- \
    "$H" analyze clv "$T/early.csv"

# CLV on realistic data with returns: the fit runs on net spends; a
# repeat buyer whose repeat purchases were all returned has a mean spend
# of 0 and is left out of Gamma-Gamma, which the summary says
"$H" gen --rows 6000 --customers 600 --seed 3 >"$T/sales.csv" 2>/dev/null
/usr/bin/python3 - "$T" <<'PY'
import csv, sys, datetime
d = sys.argv[1]
rows = list(csv.DictReader(open(d + "/sales.csv")))
last = {}
for r in rows:
    last[r["customer_id"]] = r
out = open(d + "/returns.csv", "w")
out.write("customer_id,order_date,revenue\n")
for r in rows:
    out.write("%s,%s,%s\n" % (r["customer_id"], r["order_date"], r["revenue"]))
n = 0
for c, r in sorted(last.items())[:40]:  # the last order of 40 customers returned in full
    day = datetime.date.fromisoformat(r["order_date"])
    out.write("%s,%s,-%s\n" % (c, day.isoformat(), r["revenue"]))
PY
expect_exit 0 "" -- "$H" analyze clv "$T/returns.csv" --summary-only
check "clv with returns: refunds said" grep -q '^refunds: 40 rows with a negative amount' "$T/out"
check "clv with returns: Gamma-Gamma fitted" grep -q '^Gamma-Gamma: p = ' "$T/out"
expect_exit 0 "" -- "$H" analyze clv "$T/returns.csv" --json --summary-only
check "JSON: zero_spend_left_out present" grep -q '"zero_spend_left_out": [0-9]' "$T/out"

# the last date a refund's (no purchase on it): the analysis runs to it,
# and says it is not a purchase date
printf 'customer_id,order_date,revenue\nC1,2024-01-01,10\nC1,2024-01-05,20\nC1,2024-01-06,-5\nC2,2024-01-03,30\n' >"$T/lastref.csv"
expect_exit 0 "" -- "$H" analyze segment "$T/lastref.csv" --summary-only
check "as of a refund's date: said so ($(grep '^as of' "$T/out"))" \
    grep -qx "as of 2024-01-06 (the last date, a refund's: no purchase on it)" "$T/out"
printf 'customer_id,order_date,revenue\nC1,2024-01-01,10\nC1,2024-01-10,10\nC3,2024-01-03,30\nC3,2030-02-06,-5\n' >"$T/farref.csv"
expect_exit 0 "" -- "$H" analyze segment "$T/farref.csv" --summary-only
check "a far refund date warned as a refund's ($(grep '^warning' "$T/out"))" \
    grep -q "^warning: the last date (a refund's), 2030-02-06, is 2219 days after the one before it (2024-01-10)" "$T/out"
# a purchase on the last day too: a purchase date
printf 'customer_id,order_date,revenue\nC1,2024-01-01,10\nC1,2024-01-06,20\nC1,2024-01-06,-5\nC2,2024-01-03,30\n' >"$T/lastboth.csv"
expect_exit 0 "" -- "$H" analyze segment "$T/lastboth.csv" --summary-only
check "as of a day with a purchase and a refund: a purchase date" \
    grep -qx "as of 2024-01-06 (the last purchase date)" "$T/out"

# a refund after the calibration end leaves the calibration as it stood
printf 'customer_id,order_date,revenue\nA,2024-01-01,10\nA,2024-02-01,20\nA,2024-05-01,5\nB,2024-01-03,9\nB,2024-03-03,4\n' >"$T/hold.csv"
cp "$T/hold.csv" "$T/hold_ref.csv"
echo "A,2024-05-02,-25" >>"$T/hold_ref.csv"
"$H" analyze segment "$T/hold.csv" --calibration-end 2024-03-31 -o "$T/h1.csv" >/dev/null 2>&1
expect_exit 0 "" -- "$H" analyze segment "$T/hold_ref.csv" --calibration-end 2024-03-31 -o "$T/h2.csv"
# A: calibration days Jan 1 (10), Feb 1 (20); holdout May 1 (5), then
# 25 returned: May 1 to 0, Feb 1 to 0 in the holdout's reckoning only
check "holdout refund: calibration unchanged ($(grep '^A,' "$T/h2.csv"))" \
    grep -q '^A,2024-01-01,2024-02-01,2,1,31,90,20,30,0,1,0,' "$T/h2.csv"
check "without it the same calibration ($(grep '^A,' "$T/h1.csv"))" \
    grep -q '^A,2024-01-01,2024-02-01,2,1,31,90,20,30,1,5,' "$T/h1.csv"

# with a calibration end, refund_rows counts the refunds the figures net
# (up to it) and the holdout's are counted apart (until 2026-12-07 the
# count took both, beside a refunds column with the calibration's only)
printf 'customer_id,order_date,revenue\nA,2024-01-01,10\nA,2024-02-01,10\nA,2024-02-05,-3\nA,2024-03-10,-2\nB,2024-01-05,4\nB,2024-02-05,5\nB,2024-03-01,4\nB,2024-03-20,-1\n' >"$T/hr.csv"
expect_exit 0 "" -- "$H" analyze segment "$T/hr.csv" --calibration-end 2024-03-01 --summary-only
check "holdout: the calibration's refunds ($(grep '^refunds' "$T/out"))" \
    grep -qF "refunds: 1 row with a negative amount (total -3.00) up to the calibration end:" "$T/out"
check "holdout: its refunds counted apart ($(grep 'in the holdout:' "$T/out"))" \
    grep -qF "refunds in the holdout: 2 rows after the calibration end (total -3.00): they net the holdout's spend, not the calibration's figures, which stand as at its end" "$T/out"
expect_exit 0 "" -- "$H" analyze segment "$T/hr.csv" --calibration-end 2024-03-01 --json --summary-only
check "holdout JSON: refund_rows 1, holdout_refund_rows 2" \
    grep -q '"refund_rows": 1,.*"refund_total": -3, "holdout_refund_rows": 2, "holdout_refund_total": -3' "$T/out"

# the HTML report has the text summary's notes on the data: as-of and
# what it cut, refunds, duplicate rows (until 2026-12-07 it had none)
printf 'customer_id,order_date,revenue\nA,2024-01-01,10\nA,2024-02-01,10\nA,2024-02-05,-3\nA,2024-02-05,-3\nA,2024-03-10,-2\nB,2024-01-05,4\nB,2024-02-05,5\nB,2024-03-01,4\n' >"$T/notes.csv"
expect_exit 0 "" -- "$H" analyze segment "$T/notes.csv" --as-of 2024-03-01 -o /dev/null --report "$T/notes.html"
check "report: the as-of note" \
    grep -qF '<p class="note">as of 2024-03-01 (given); 1 transaction after it left out</p>' "$T/notes.html"
check "report: the refunds note" \
    grep -qF '<p class="note">refunds: 2 rows with a negative amount (total -6.00): returns, not purchases;' "$T/notes.html"
check "report: the duplicate rows warning" \
    grep -qF "<p class=\"warn\">1 row repeats an earlier row in every column (first: $T/notes.csv:5, the same as line 4): kept, each netted again as a refund;" "$T/notes.html"

# refunds in the holdout only: no line of 0 calibration refunds
printf 'customer_id,order_date,revenue\nA,2024-01-01,10\nA,2024-02-01,10\nA,2024-03-10,-2\nB,2024-01-05,4\nB,2024-02-05,5\nB,2024-03-01,4\n' >"$T/hr0.csv"
expect_exit 0 "" -- "$H" analyze segment "$T/hr0.csv" --calibration-end 2024-03-01 --summary-only
check "holdout refunds only: said as such ($(grep -i 'refund' "$T/out" | tr '\n' ' '))" \
    bash -c "grep -qF 'refunds in the holdout: 1 row after the calibration end (total -2.00)' '$T/out' && ! grep -q '^refunds: ' '$T/out'"
# a holdout refund with no holdout purchase (left) to net returns a
# calibration purchase: it changes no figure, and the summary says so
# (until 2026-12-07 only "they net the holdout's spend"): A's -15 all,
# 2 of B's -8 (6 net B's holdout purchase), none of C's -4
printf 'customer_id,order_date,revenue\nA,2024-01-01,20\nA,2024-02-01,30\nA,2024-03-10,-15\nB,2024-01-05,4\nB,2024-02-05,5\nB,2024-03-20,6\nB,2024-03-25,-8\nC,2024-01-02,7\nC,2024-02-02,7\nC,2024-03-05,9\nC,2024-03-06,-4\n' >"$T/hr3.csv"
expect_exit 0 "" -- "$H" analyze segment "$T/hr3.csv" --calibration-end 2024-03-01 --summary-only
check "holdout refunds of calibration purchases said ($(grep 'of calibration' "$T/out"))" \
    grep -qF "refunds in the holdout of calibration purchases: -17.00 of them, from 2 customers with no holdout purchase left to net, change no figure" "$T/out"
expect_exit 0 "" -- "$H" analyze segment "$T/hr3.csv" --calibration-end 2024-03-01 --json --summary-only
check "holdout refunds of calibration purchases in JSON" \
    grep -q '"holdout_refund_calibration_customers": 2, "holdout_refund_calibration_total": -17' "$T/out"
printf 'customer_id,order_date,revenue\nA,2024-01-01,10\nA,2024-02-01,10\nA,2024-03-05,6\nA,2024-03-10,-2\n' >"$T/hr4.csv"
expect_exit 0 "" -- "$H" analyze segment "$T/hr4.csv" --calibration-end 2024-03-01 --summary-only
check "no such line when the holdout nets them all" bash -c "! grep -q 'of calibration purchases' '$T/out'"
finish
