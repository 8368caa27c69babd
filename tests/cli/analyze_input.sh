#!/usr/bin/env bash
# horizon analyze reads its input as the other commands do and refuses
# what it cannot use with the place: the CSV options (--decimal), usage
# errors that always say why, survival rows that are not dropped but
# refused (FILE:LINE:FIELD and the value), collinear Cox covariates
# refused by name, and a k-means k that says when it was reduced.
source "$(dirname "$0")/lib.sh"
H="$HORIZON"

# ---- --decimal, as forecast and inspect take it, for every kind
printf 'customer_id;order_date;revenue\nC1;2024-01-01;10,5\nC1;2024-02-01;20\nC2;2024-01-05;15\n' >"$T/eu.csv"
for d in "--decimal ," "--decimal=,"; do
    # shellcheck disable=SC2086
    expect_exit 0 "" -- "$H" analyze segment "$T/eu.csv" $d -o "$T/eu_segment.csv"
done
check "segment --decimal ,: 10,5 + 20 is 30.5" grep -q '^C1,.*,30\.5,' "$T/eu_segment.csv"
# clv and the suite read it the same way (one repeat buyer: the spend
# model, and so the CLV, cannot be fitted: refused, nothing written)
for k in clv suite; do
    expect_exit 1 "$k not written (no output is): the spend model (spend part) failed: Gamma-Gamma needs at least 2 repeat buyers" -- \
        "$H" analyze $k "$T/eu.csv" --decimal , -o "$T/eu_$k.csv"
    check "$k: no -o file" test ! -e "$T/eu_$k.csv"
done
printf 'customer_id;tenure;churned\nC1;12,5;yes\nC2;3;no\nC3;7,25;yes\n' >"$T/eus.csv"
expect_exit 0 "" -- "$H" analyze survival "$T/eus.csv" --decimal , --summary-only
check "survival --decimal ,: 7,25 is 7.25" grep -q "median 7.25" "$T/out"
expect_exit 2 "--decimal: expected . or , got ';'" -- \
    "$H" analyze segment "$T/eu.csv" --decimal ';'

# ---- every usage error says why (never exit 2 silently)
for args in "segment $T/eu.csv --decimal" "clv $T/eu.csv --delimiter ab" \
            "suite $T/eu.csv --on-error maybe" "survival $T/eu.csv --threads 0" \
            "segment $T/eu.csv --date-window 1:0" "clv $T/eu.csv --k-max 1" \
            "segment $T/eu.csv --nope" "segment" "segment a.csv b.csv"; do
    # shellcheck disable=SC2086
    "$H" analyze $args >/dev/null 2>"$T/err"
    rc=$?
    check "analyze $args: exit 2 ($rc)" test "$rc" -eq 2
    check "analyze $args: a message" grep -q "^horizon analyze: ." "$T/err"
done

# ---- a bad value is named by its place in the file, FILE:LINE:FIELD (the
# line counts the header, blank lines and rows over several lines), as
# the CSV reader names places, with the value; the file named once
printf 'customer_id,order_date,revenue\na,2024-01-01,5\n\nb,2024-01-02,"7"\nb,2024-01-03,-15\n' >"$T/neg.csv"
expect_exit 1 "horizon analyze: $T/neg.csv:5:3: column 'revenue' (amount) is -15, a refund larger than what customer 'b' bought on or before 2024-01-03" -- \
    "$H" analyze clv "$T/neg.csv"
check "the file is named once" test "$(grep -o "neg.csv" "$T/err" | wc -l)" -eq 1
expect_exit 1 "horizon analyze: stdin:5:3: column 'revenue' (amount) is -15" -- \
    "$H" analyze segment - <"$T/neg.csv"
printf 'customer_id,order_date,revenue,note\na,2024-01-01,5,"x\ny"\n,2024-01-02,7,z\n' >"$T/nocust.csv"
expect_exit 1 "$T/nocust.csv:4:1: column 'customer_id' (customer) is empty" -- \
    "$H" analyze suite "$T/nocust.csv"
printf 'customer_id,order_date,revenue\na,20240101,5\nb,20241341,7\n' >"$T/baddate.csv"
expect_exit 1 "$T/baddate.csv:3:2: column 'order_date' (date) is 20241341: not a valid date" -- \
    "$H" analyze clv "$T/baddate.csv"
expect_exit 2 "horizon analyze: no column 'price' in $T/baddate.csv (columns:" -- \
    "$H" analyze clv "$T/baddate.csv" --amount price

# ---- survival: a row it cannot use is an error with its place and value
# (exit 1, no output), never "rows dropped"
check "gen customers" "$H" gen --kind customers --customers 300 -o "$T/cust.csv"
# gen's usage errors say why in the commands' words (it printed getopt's
# "gen: unrecognized option" and the whole help)
expect_exit 2 "horizon gen: unknown option '--bogus' (see 'horizon gen --help')" -- "$H" gen --bogus
expect_exit 2 "horizon gen: --customers needs a value" -- "$H" gen --kind customers --customers
check "gen: no help dumped on an error" bash -c "! grep -q '^usage' '$T/err'"
# line 3 = the second customer; field 5 = tenure_months, 12 = churned
edit() { awk -F, -v f="$1" -v v="$2" 'BEGIN{OFS=","} NR==3{$f=v} 1' "$T/cust.csv" >"$T/$3"; }
edit 5 -5 neg_tenure.csv
expect_exit 1 "$T/neg_tenure.csv:3:5: column 'tenure_months' (duration) is -5: durations must be non-negative" -- \
    "$H" analyze survival "$T/neg_tenure.csv" --duration tenure_months --event churned -o "$T/sv.csv"
check "no output after the refusal" test ! -e "$T/sv.csv"
check "nothing on stdout after the refusal" test ! -s "$T/out"
edit 5 "" no_tenure.csv
expect_exit 1 "$T/no_tenure.csv:3:5: column 'tenure_months' (duration) is empty" -- \
    "$H" analyze survival "$T/no_tenure.csv" --duration tenure_months --event churned
edit 12 "" no_event.csv
expect_exit 1 "$T/no_event.csv:3:12: column 'churned' (event) is empty" -- \
    "$H" analyze survival "$T/no_event.csv" --duration tenure_months --event churned
edit 6 "" no_fee.csv
expect_exit 1 "$T/no_fee.csv:3:6: column 'monthly_fee' (covariate) is empty" -- \
    "$H" analyze survival "$T/no_fee.csv" --duration tenure_months --event churned --covariates monthly_fee
printf 'id,tenure,churn\na,3,yes\nb,4,2\nc,5,no\n' >"$T/ev.csv"
expect_exit 1 "$T/ev.csv:3:3: column 'churn' (event) is '2': expected yes/no, true/false or 0/1" -- \
    "$H" analyze survival "$T/ev.csv"
printf 'id,tenure,churn\na,3,yes\nb,n/a,no\nc,5,no\n' >"$T/dur.csv"
expect_exit 1 "$T/dur.csv:3:2: column 'tenure' (duration) is 'n/a': durations must be non-negative numbers" -- \
    "$H" analyze survival "$T/dur.csv"
expect_exit 0 "" -- "$H" analyze survival "$T/cust.csv" --duration tenure_months --event churned --summary-only
check "no 'rows dropped' in the summary" bash -c "! grep -q 'dropped' '$T/out'"
check "every customer in the curve" grep -q "^Kaplan-Meier: 300 customers" "$T/out"
# a customer table has no summary, CLV or segment stage to time
check "survival: its own time only" grep -Eq "^analysis: survival, 300 customers \([0-9.]+ s\)$" "$T/out"

# S(t) after the longest duration is unknown, not the last value carried
# on (R's summary.survfit leaves such times out): said in the text, null
# in JSON, empty per customer
expect_exit 0 "" -- "$H" analyze survival "$T/cust.csv" --duration tenure_months --event churned \
    --covariates plan,support_tickets --times 12,500 --summary-only
check "S(500) unknown" grep -Eq "^ +500    unknown: after the longest duration, [0-9]+$" "$T/out"
check "S(12) known" grep -Eq "^ +12    0\.[0-9]{5} " "$T/out"
expect_exit 0 "" -- "$H" analyze survival "$T/cust.csv" --duration tenure_months --event churned \
    --covariates plan,support_tickets --times 12,500 --json
check "S(500) null in JSON" /usr/bin/python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert d['summary']['survival']['at']['500'] is None, d['summary']['survival']['at']
assert all(c['survival_500'] is None and 0 < c['survival_12'] <= 1 for c in d['customers'])
" "$T/out"

# the duration, the event or the customer id is not a covariate (the
# duration "did not converge"; the id became 299 dummies)
for c in tenure_months:duration churned:event customer_id:"customer id"; do
    expect_exit 1 "--covariates: '${c%%:*}' is the ${c#*:} column, not a covariate" -- \
        "$H" analyze survival "$T/cust.csv" --duration tenure_months --event churned --covariates plan,"${c%%:*}"
done

# ---- Cox: plan and monthly_fee determine each other in generated
# customers: refused by name (exit 1, no output), never a coefficient
# with an enormous standard error; a model without the fee is fitted
expect_exit 1 "Cox model: covariates 'plan=Premium', 'plan=Standard' and 'monthly_fee' are collinear" -- \
    "$H" analyze survival "$T/cust.csv" --duration tenure_months --event churned --covariates plan,monthly_fee
check "collinear: leave one out" grep -q "leave one of them out" "$T/err"
check "collinear: nothing on stdout" test ! -s "$T/out"
expect_exit 1 "covariates 'plan=Premium', 'plan=Standard' and 'monthly_fee' are collinear" -- \
    "$H" analyze survival "$T/cust.csv" --duration tenure_months --event churned --covariates plan,support_tickets,monthly_fee
expect_exit 0 "" -- "$H" analyze survival "$T/cust.csv" --duration tenure_months --event churned \
    --covariates plan,support_tickets,autopay --summary-only
check "plan fitted" grep -Eq "^  plan=Premium +coef [-+]0\.[0-9]+ \(SE 0\.[0-9]+\)" "$T/out"

# ---- k-means: the default k = 4 reduced for fewer distinct customers
# says so; a requested k says requested
printf 'customer_id,order_date,revenue\na,2024-01-01,5\nb,2024-01-02,7\nc,2024-01-03,15\n' >"$T/three.csv"
expect_exit 0 "" -- "$H" analyze segment "$T/three.csv" --summary-only
check "k reduced, and why" grep -q "k-means: k = 3 (reduced from the default 4: the customers have only 3 distinct recency-frequency-spend profiles)" "$T/out"
check "k reduced: not 'requested'" bash -c "! grep -q requested '$T/out'"
expect_exit 0 "" -- "$H" analyze segment "$T/three.csv" --json --summary-only
check "k reduced in JSON" grep -q '"k_chosen_by": "default", "k_note": "reduced from the default 4' "$T/out"
expect_exit 0 "" -- "$H" analyze segment "$T/three.csv" --k 3 --summary-only
check "--k 3: requested" grep -q "k-means: k = 3 (requested)" "$T/out"
expect_exit 0 "" -- "$H" analyze segment "$HZ_DATA_DIR/sample_sales.csv" --summary-only
check "k = 4 by default" grep -q "k-means: k = 4 (default)" "$T/out"
# a requested k above the distinct profiles is refused, not fitted with
# empty clusters (until 2026-12-07: 2 of 5 clusters empty, exit 0); k
# auto tries no k above them
{
    echo "customer_id,order_date,revenue"
    for i in $(seq 1 20); do echo "a$i,2024-01-01,10"; echo "b$i,2024-02-01,20"; done
    echo "z,2024-03-01,30"
} >"$T/ident.csv"
expect_exit 1 "k = 5 clusters for 3 distinct recency-frequency-spend profiles (41 customers): ask for at most 3" -- \
    "$H" analyze segment "$T/ident.csv" --k 5 -o "$T/ident_out.csv"
check "--k 5 on 3 profiles: no output" test ! -e "$T/ident_out.csv"
expect_exit 0 "" -- "$H" analyze segment "$T/ident.csv" --k 3 --summary-only
check "--k 3 on 3 profiles: fitted" grep -q "k-means: k = 3 (requested), inertia 0.00" "$T/out"
expect_exit 0 "" -- "$H" analyze segment "$T/ident.csv" --k auto --json --summary-only
check "k auto: silhouettes of k = 2 and 3 only" grep -q '"silhouette": {"2": [0-9.e-]*, "3": [0-9.e-]*}' "$T/out"
# k auto with one profile (or under 3 customers) has no k to choose: said
# so, not "requested"
head -21 "$T/ident.csv" | grep -v '^b' >"$T/onepro.csv"
expect_exit 0 "" -- "$H" analyze segment "$T/onepro.csv" --k auto --summary-only
check "k auto, one profile: said" grep -q "^k-means: k = 1 (k auto, with no k to choose: fewer than 2 distinct recency-frequency-spend profiles or 3 customers)" "$T/out"
expect_exit 0 "" -- "$H" analyze segment "$T/onepro.csv" --k auto --json --summary-only
check "k auto, one profile: JSON note, no silhouettes" grep -q '"k_chosen_by": "silhouette", "k_note": "k auto, with no k to choose: .*"silhouette": {}' "$T/out"

# dates with UTC offsets: read as UTC instants, and said so (JSON too)
printf 'customer_id,order_date,revenue\nC1,2024-01-05T23:30:00-05:00,10\nC1,2024-02-05T10:00:00-05:00,20\nC2,2024-01-07T10:00:00-05:00,15\nC3,2024-01-09T10:00:00-05:00,7\n' >"$T/zoned.csv"
"$H" analyze segment "$T/zoned.csv" -o "$T/zoned_out.csv" 2>"$T/zoned_err" >/dev/null
check "zoned dates: exit 0" test $? -eq 0
check "zoned dates: said" grep -q "the dates carry UTC offsets" "$T/zoned_err"
"$H" analyze segment "$T/zoned.csv" --json 2>/dev/null >"$T/zoned.json"
check "zoned dates: utc_offsets in json" grep -q '"utc_offsets": true' "$T/zoned.json"
"$H" analyze segment "$HZ_DATA_DIR/sample_sales.csv" --json 2>"$T/plain_err" >"$T/plain.json"
check "plain dates: not said" bash -c "! grep -q 'UTC offsets' '$T/plain_err'"
check "plain dates: utc_offsets false" grep -q '"utc_offsets": false' "$T/plain.json"
# no subject with a positive duration: said so, not blamed on a covariate
printf 'id,tenure,churned,score\na,0,yes,1\nb,0,no,2\nc,0,yes,3\n' >"$T/z0.csv"
expect_exit 1 "no events among the 0 subjects with a positive duration" -- \
    "$H" analyze survival "$T/z0.csv" --duration tenure --event churned --covariates score

# no repeat purchase: BG/NBD cannot be fitted, so churn without a label
# has no risk to give: the command fails (exit 1) and writes nothing (until
# 2026-12-07 it exited 0 with an empty churn_risk column)
{
    echo "customer,day,amount"
    for i in $(seq 1 20); do echo "c$i,2024-0$((i % 9 + 1))-10,10"; done
} >"$T/onetime.csv"
expect_exit 1 "onetime.csv: churn not written (no output is): the purchase model (clv part) failed: no customer made a repeat purchase: BG/NBD cannot be fitted" -- \
    "$H" analyze churn "$T/onetime.csv" -o "$T/onetime_churn.csv"
check "churn without a purchase model: no -o file" test ! -e "$T/onetime_churn.csv"
check "churn without a purchase model: no summary" test ! -s "$T/out"
expect_exit 1 "churn not written" -- "$H" analyze churn "$T/onetime.csv" --json
check "churn --json without a purchase model: no document" test ! -s "$T/out"

# Y/N and T/F are flags wherever a flag is read (the reader's booleans):
# in a column of text, the value at fault is named, not the first 'Y'
printf 'id,tenure,churned\na,3,Y\nb,4,N\nc,5,t\nd,6,F\ne,7,x\n' >"$T/evy.csv"
expect_exit 1 "$T/evy.csv:6:3: column 'churned' (event) is 'x': expected yes/no" -- \
    "$H" analyze survival "$T/evy.csv"
sed '6d' "$T/evy.csv" >"$T/evy2.csv"
expect_exit 0 "" -- "$H" analyze survival "$T/evy2.csv" --summary-only
check "Y/N/t/F events: 2 events" grep -q "^Kaplan-Meier: 4 customers, 2 events" "$T/out"
# the suite's label likewise, and a value that is not a flag is named
printf 'customer_id,order_date,revenue,churned\na,2024-01-01,3,Y\na,2024-02-01,4,Y\nb,2024-01-05,5,N\nb,2024-03-01,6,N\nc,2024-01-02,7,x\nc,2024-02-02,7,N\n' >"$T/sul.csv"
# a suite whose part failed is a failed suite (exit 1, nothing written:
# until 2026-12-07 it exited 0 and wrote the other parts)
echo old >"$T/sul_out.csv"
expect_exit 1 "the churn model (churn part) failed: $T/sul.csv:6:4: column 'churned' (label) is 'x': expected yes/no" -- \
    "$H" analyze suite "$T/sul.csv" --label churned -o "$T/sul_out.csv" --report "$T/sul.html"
check "failed suite: -o file untouched" test "$(cat "$T/sul_out.csv")" = old
check "failed suite: no report" test ! -e "$T/sul.html"
check "failed suite: no summary" test ! -s "$T/out"
# a label column that is not there is a usage error, as in churn (exit 2;
# it was exit 0 with the other parts written)
expect_exit 2 "no column 'nope' in $T/sul.csv" -- \
    "$H" analyze suite "$T/sul.csv" --label nope -o "$T/sul_nope.csv"
check "suite --label nope: no -o file" test ! -e "$T/sul_nope.csv"
# so does a suite job: failed with the parts' reasons, no rows stored
(
    export HORIZON_STORE="sqlite:$T/parts.db" TMPDIR="$T" HZ_DATASET_ROOTS="$T"
    "$H" submit --type suite --tenant acme --id sul --dataset "$T/sul.csv" \
        --param label=churned --quiet
    "$H" run --once --quiet 2>/dev/null
    echo "run $?"
    "$H" jobs show sul --json
) >"$T/sul_job" 2>&1
check "suite job with a failed part: the run exits 1" grep -q '^run 1$' "$T/sul_job"
check "suite job with a failed part: failed, not succeeded" /usr/bin/python3 -c "
import json, sys
t = open(sys.argv[1]).read()
d = json.loads(t[t.index('{'):])
assert d['status'] == 'failed' and d['errorReason'] == 'compute', d
assert \"the churn model (churn part) failed: \" in d['error'], d['error']
assert \"column 'churned' (label) is 'x'\" in d['error'], d['error']
" "$T/sul_job"
# a column of the wrong kind is a usage error (exit 2, as forecast's); an
# amount column of text names its first value that is not a number
printf 'customer_id,order_date,revenue\nA,2024-01-01,12\nA,2024-02-01,$20\nB,2024-01-05,$15\n' >"$T/dollars.csv"
expect_exit 2 "$T/dollars.csv:3:3: column 'revenue' (amount) holds text, not numbers: '\$20' is not a number" -- \
    "$H" analyze segment "$T/dollars.csv"
printf 'customer_id,order_date,revenue\nA,soon,12\nA,later,20\n' >"$T/nodates.csv"
expect_exit 2 "$T/nodates.csv:2:2: column 'order_date' (date) is 'soon': not a date" -- \
    "$H" analyze clv "$T/nodates.csv" --date order_date
# dates in two formats in one column (an export that wrote some rows
# as 20240101 and others as 2024-01-05, read as text): both places
# (until 2026-12-07 'expected dates, found string', no place)
printf 'customer_id,order_date,revenue\nA,20240101,5\nA,2024-01-05,6\nB,20240103,7\n' >"$T/mixed_dates.csv"
expect_exit 2 "$T/mixed_dates.csv:3:2: column 'order_date' (date) is '2024-01-05', written another way than '20240101' on line 2: the column mixes date formats" -- \
    "$H" analyze segment "$T/mixed_dates.csv"
# the as-of date is said; a last purchase date standing far after the
# rest (a typo, an order not yet made) is warned of, since it ages every
# customer to it (one row dated 2030 cut the sample's CLV 200-fold)
{ cat "$HZ_DATA_DIR/sample_sales.csv"; echo "999999,2030-01-01,C000001,West,Grocery,P0001,1,10.00,0.00,10.00"; } >"$T/future.csv"
expect_exit 0 "" -- "$H" analyze clv "$T/future.csv" --summary-only
check "as of said" grep -q "^as of 2030-01-01 (the last purchase date)$" "$T/out"
check "future date warned" grep -q "^warning: the last purchase date, 2030-01-01, is 1827 days after the one before it (2024-12-31): every customer is aged to it; if it is a typo or an order not yet made, give --as-of$" "$T/out"
expect_exit 0 "" -- "$H" analyze clv "$T/future.csv" --json --summary-only
check "future date warned in JSON" grep -q '"as_of_warning": "the last purchase date, 2030-01-01' "$T/out"
expect_exit 0 "" -- "$H" analyze clv "$T/future.csv" --as-of 2024-12-31 --summary-only
check "as of given, the row after it said" grep -q "^as of 2024-12-31 (given); 1 transaction after it left out$" "$T/out"
check "no warning with --as-of" bash -c "! grep -q '^warning' '$T/out'"
# an --as-of given years after the data's last date: every customer
# looks lapsed and the CLV near 0, so it is warned of (text on stderr
# with -o, JSON) past 90 days (until 2026-12-07 nothing was said)
expect_exit 0 "" -- "$H" analyze clv "$HZ_DATA_DIR/sample_sales.csv" --as-of 2029-06-30 -o "$T/late_asof.csv"
check "far as-of warned on stderr ($(grep '^warning' "$T/err"))" grep -qF "warning: the as-of date, 2029-06-30, is 1642 days after the data's last date (2024-12-31; the data span 1093 days from 2022-01-03): no customer can have bought in between" "$T/err"
expect_exit 0 "" -- "$H" analyze clv "$HZ_DATA_DIR/sample_sales.csv" --as-of 2029-06-30 --calibration-end 2024-06-30 --json --summary-only
check "far as-of warned in JSON" grep -q '"as_of_warning": "the as-of date, 2029-06-30, is 1642 days after' "$T/out"
expect_exit 0 "" -- "$H" analyze clv "$HZ_DATA_DIR/sample_sales.csv" --as-of 2025-03-31 --summary-only
check "as-of 90 days after the last date: no warning" bash -c "! grep -q '^warning' '$T/out'"
expect_exit 0 "" -- "$H" analyze segment "$HZ_DATA_DIR/sample_sales.csv" --as-of 2024-06-30 --summary-only
check "as of cuts rows: said (was silent but in JSON)" grep -q "^as of 2024-06-30 (given); 3353 transactions after it left out$" "$T/out"
expect_exit 0 "" -- "$H" analyze segment "$HZ_DATA_DIR/sample_sales.csv" --summary-only
check "no warning on the sample" bash -c "! grep -q '^warning' '$T/out'"
# the purchase date guessed by its name before an earlier column of dates
# (a signup_date before the order_date was taken as the purchase date)
printf 'customer_id,signup_date,order_date,revenue\nA,2023-01-01,2024-01-01,10\nA,2023-01-01,2024-02-01,20\nB,2023-05-01,2024-01-05,5\nB,2023-05-01,2024-03-01,7\n' >"$T/signup.csv"
expect_exit 0 "" -- "$H" analyze segment "$T/signup.csv" -o "$T/signup_out.csv"
check "order_date guessed" grep -q "date 'order_date' (guessed)" "$T/out"
check "A bought 2024-01-01 and 2024-02-01" grep -q "^A,2024-01-01,2024-02-01,2,1,31," "$T/signup_out.csv"
# a guessed 'id' that differs on every row is a row or order id: refused,
# not read as the customer (until 2026-12-07 every order was a one-time
# buyer of its own); named, or repeating, it is a customer id
printf 'id,email,order_date,revenue\n1,a@x,2024-01-01,10\n2,b@x,2024-01-02,12\n3,a@x,2024-02-01,8\n4,b@x,2024-03-01,9\n' >"$T/rowid.csv"
expect_exit 1 "$T/rowid.csv: column 'id', guessed as the customer, has a different value on each of its 4 rows: a row or order id" -- \
    "$H" analyze segment "$T/rowid.csv" --summary-only
expect_exit 0 "" -- "$H" analyze segment "$T/rowid.csv" --customer email --summary-only
check "--customer email: 2 customers" grep -q "^analysis: segment, 2 customers" "$T/out"
expect_exit 0 "" -- "$H" analyze segment "$T/rowid.csv" --customer id --summary-only
check "--customer id: obeyed, 4 customers" grep -q "^analysis: segment, 4 customers" "$T/out"
printf 'id,order_date,revenue\nA,2024-01-01,10\nB,2024-01-02,12\nA,2024-02-01,8\n' >"$T/custid.csv"
expect_exit 0 "" -- "$H" analyze segment "$T/custid.csv" --summary-only
check "a repeating 'id' is the customer" grep -q "^analysis: segment, 2 customers" "$T/out"
# amounts that add up beyond a double (1e308 twice) are refused naming
# the customer (was: segment 'point 1 has a non-finite value', clv an empty
# total_spend and CLV, exit 0)
printf 'customer_id,order_date,revenue\nA,2024-01-01,12\nA,2024-02-01,20\nB,2024-01-05,5\nBIG,2024-02-01,1e308\nBIG,2024-03-01,1e308\nC,2024-03-02,7\n' >"$T/overflow.csv"
for k in segment clv suite; do
    expect_exit 1 "$T/overflow.csv: customer 'BIG': the amounts in column 'revenue' add up beyond the range of a double" -- \
        "$H" analyze $k "$T/overflow.csv" -o "$T/overflow_out.csv"
    check "$k: overflowing spend, no output" test ! -e "$T/overflow_out.csv"
done
# Kaplan-Meier: where S reaches 0 its log band has no upper bound: n/a in
# the text (null in JSON), never 'nan'
printf 'customer_id,tenure,churned\na,5,yes\nb,7,yes\nc,3,yes\n' >"$T/allevents.csv"
expect_exit 0 "" -- "$H" analyze survival "$T/allevents.csv" --event churned --times 5,8 --summary-only
check "S = 0: band n/a" grep -Eq "^ +8 +0\.00000 +0\.00000 +n/a$" "$T/out"
check "S = 0: no nan" bash -c "! grep -q nan '$T/out'"
# --as-of and --calibration-end are days: a time of day is refused (it
# was floored to its day, keeping the purchases made later that day);
# midnight UTC is that day
printf 'customer_id,order_date,revenue\nA,2024-01-01T09:00:00,12\nA,2024-01-10T18:00:00,20\nB,2024-01-05T10:00:00,5\nB,2024-01-12T10:00:00,7\n' >"$T/times.csv"
expect_exit 2 "--as-of: purchases are counted by whole (UTC) days: expected a date like 2024-12-31, not a time of day, got '2024-01-10T12:00'" -- \
    "$H" analyze segment "$T/times.csv" --as-of 2024-01-10T12:00 --summary-only
expect_exit 2 "--calibration-end: purchases are counted by whole (UTC) days" -- \
    "$H" analyze clv "$T/times.csv" --calibration-end 2024-01-08T23:00-05:00 --summary-only
expect_exit 0 "" -- "$H" analyze segment "$T/times.csv" --as-of 2024-01-10T00:00:00Z --summary-only
check "midnight UTC is the day" grep -q "^as of 2024-01-10 (given); 1 transaction after it left out$" "$T/out"
# 'price' beside a quantity is a unit price, not a row's spend: not
# guessed as the amount (it was: 3 x 10 counted as 10); named, it is used
printf 'customer_id,order_date,quantity,price\nA,2024-01-01,3,10\nA,2024-02-01,1,20\nB,2024-01-05,2,5\n' >"$T/unitprice.csv"
expect_exit 1 "$T/unitprice.csv: column 'price', guessed as the amount, is a price per unit beside 'quantity'" -- \
    "$H" analyze segment "$T/unitprice.csv" --summary-only
expect_exit 0 "" -- "$H" analyze segment "$T/unitprice.csv" --amount price --summary-only
check "--amount price: obeyed" grep -q "amount 'price' (given)" "$T/out"
# a Cox covariate near 1e300 is refused as too large, not as one that
# "does not vary" (its squares overflowed the variance test)
{
    echo "customer_id,tenure,churned,big"
    for i in $(seq 1 30); do echo "c$i,$((i % 11 + 1)),$([ $((i % 3)) -eq 0 ] && echo yes || echo no),$((i % 7 + 1))e300"; done
} >"$T/bigcov.csv"
expect_exit 1 "Cox model: covariate 'big' has values too large for its squares to fit in a double" -- \
    "$H" analyze survival "$T/bigcov.csv" --event churned --covariates big --summary-only

# a column the analysis does not read whose type changes after the rows
# sampled (10,000) is read as text, not an error: until 2026-12-07
# 'column 'store': expected an integer, got 'S0'' failed the analysis
awk 'BEGIN { print "customer_id,order_date,revenue,store";
    for (i = 0; i < 10600; i++)
        printf "C%d,2024-%02d-%02d,%d.5,%s\n", i % 300, 1 + i % 12, 1 + i % 28,
            10 + i % 50, (i < 10500 ? i % 7 : "S" i % 7) }' >"$T/late_type.csv"
expect_exit 0 "" -- "$H" analyze segment "$T/late_type.csv" -o "$T/late_type_out.csv"
check "an unused column turning text: all 300 customers ($(wc -l <"$T/late_type_out.csv") lines)" \
    test "$(wc -l <"$T/late_type_out.csv")" -eq 301
# the columns it reads stay strict: a bad amount after the sample fails
awk 'BEGIN { print "customer_id,order_date,revenue,store";
    for (i = 0; i < 10600; i++)
        printf "C%d,2024-%02d-%02d,%s,%d\n", i % 300, 1 + i % 12, 1 + i % 28,
            (i == 10550 ? "x1" : "3"), i % 7 }' >"$T/late_amount.csv"
expect_exit 1 "late_amount.csv:10552:3: column 'revenue'" -- \
    "$H" analyze segment "$T/late_amount.csv" -o "$T/late_amount_out.csv"
# nor can its dates that could be month- or day-first, or months with
# two-digit years that could be days: it is read as text, as written
# (until 2026-12-07 refused until --schema named its format); the date
# the analysis reads stays refused
printf 'customer_id,order_date,revenue,signup,period\nA,2024-01-01,10,01/02/2023,Jan-01\nA,2024-02-01,5,01/02/2023,Jan-05\nB,2024-01-02,5,03/04/2023,Jan-09\nB,2024-03-02,7,03/04/2023,Jan-20\n' >"$T/amb_unused.csv"
expect_exit 0 "" -- "$H" analyze segment "$T/amb_unused.csv" -o "$T/amb_unused_out.csv"
check "ambiguous dates in an unused column: both customers" test "$(wc -l <"$T/amb_unused_out.csv")" -eq 3
printf 'customer_id,order_date,revenue\nA,01/02/2024,10\nA,03/02/2024,5\nB,01/03/2024,5\n' >"$T/amb_used.csv"
expect_exit 1 "amb_used.csv:2:2: column 'order_date': dates such as '01/02/2024' could be month-first or day-first" -- \
    "$H" analyze segment "$T/amb_used.csv" --summary-only
# --decimal , in a comma-separated file: decimal commas quoted ("1,50"),
# as spreadsheets in such locales export them, are read (until
# 2026-12-07 'malformed quoting' at the first row)
printf 'customer,date,amount\nC1,2024-01-01,"1,50"\nC1,2024-02-01,"2,50"\nC2,2024-01-05,"1.003,00"\nC2,2024-03-01,4\n' >"$T/dc_comma.csv"
expect_exit 0 "" -- "$H" analyze segment "$T/dc_comma.csv" --decimal , -o "$T/dc_comma_out.csv"
check "quoted decimal commas: C1 spends 4, C2 1007 ($(cat "$T/dc_comma_out.csv" | tr '\n' ' '))" \
    bash -c "grep -q '^C1,2024-01-01,2024-02-01,2,1,31,60,2.5,4,' '$T/dc_comma_out.csv' && grep -q '^C2,.*,4,1007,' '$T/dc_comma_out.csv'"
printf 'customer,date,amount\nC1,2024-01-01,"1,50"\nC1,2024-02-01,2,50\n' >"$T/dc_unq.csv"
expect_exit 1 "dc_unq.csv:3:4: expected 3 fields, found 4 (with --decimal , and ',' between fields, a number with a decimal comma must be quoted" -- \
    "$H" analyze segment "$T/dc_unq.csv" --decimal ,

# an --as-of (or --calibration-end) before the first purchase: said with
# both dates and the option (until 2026-12-07 "the calibration end" even
# for an --as-of alone, and no date)
printf 'customer_id,order_date,revenue\nA,2024-01-01,10\nA,2024-02-01,5\nB,2024-01-02,5\n' >"$T/early.csv"
expect_exit 1 "early.csv: no customer has a purchase on or before the as-of date 2023-12-31: the first purchase is on 2024-01-01 (give a later --as-of)" -- \
    "$H" analyze segment "$T/early.csv" --as-of 2023-12-31 --summary-only
expect_exit 1 "early.csv: no customer has a purchase on or before the calibration end 2023-12-01: the first purchase is on 2024-01-01 (give a later --calibration-end)" -- \
    "$H" analyze segment "$T/early.csv" --calibration-end 2023-12-01 --summary-only

# a ';'-separated file whose amounts with a point all have three digits
# after it ('1.234' beside '999'): thousands or decimals, refused until
# --decimal says which, as for a forecast's --value (until 2026-12-07 the
# amount was read as 1.234)
printf 'customer_id;order_date;revenue\nA;2024-01-01;999\nA;2024-02-01;1.234\nB;2024-01-05;1.500\nB;2024-03-01;12\n' >"$T/thou.csv"
expect_exit 1 "thou.csv:3:3: column 'revenue': numbers such as '1.234' in a file separated by ';' could be read with a decimal point or as thousands" -- \
    "$H" analyze segment "$T/thou.csv" -o "$T/thou_out.csv"
expect_exit 0 "" -- "$H" analyze segment "$T/thou.csv" --decimal , -o "$T/thou_out.csv"
check "--decimal , reads '1.234' as 1234 ($(grep '^A,' "$T/thou_out.csv"))" \
    grep -q '^A,2024-01-01,2024-02-01,2,1,31,60,1234,2233,' "$T/thou_out.csv"
# the same in a file separated by tabs or '|', as exports with a decimal
# comma write them too (until 2026-12-07 ';' only: a tab-separated file's
# '1.234' beside '999' was read as 1.234); ',' between fields is not one
tr ';' '\t' <"$T/thou.csv" >"$T/thou_tab.tsv"
expect_exit 1 "thou_tab.tsv:3:3: column 'revenue': numbers such as '1.234' in a file separated by tabs could be read" -- \
    "$H" analyze segment "$T/thou_tab.tsv" -o "$T/thou_tab_out.csv"
check "tab-separated thousands point: no output" test ! -e "$T/thou_tab_out.csv"
expect_exit 0 "" -- "$H" analyze segment "$T/thou_tab.tsv" --decimal , -o "$T/thou_tab_out.csv"
check "tab-separated, --decimal , reads '1.234' as 1234" \
    grep -q '^A,2024-01-01,2024-02-01,2,1,31,60,1234,2233,' "$T/thou_tab_out.csv"
tr ';' '|' <"$T/thou.csv" >"$T/thou_pipe.csv"
expect_exit 1 "thou_pipe.csv:3:3: column 'revenue': numbers such as '1.234' in a file separated by '|' could be read" -- \
    "$H" analyze segment "$T/thou_pipe.csv" -o "$T/thou_pipe_out.csv"
printf 'month\tunits\n2024-01\t999\n2024-02\t1.234\n2024-03\t870\n' >"$T/thou_fc.tsv"
expect_exit 1 "thou_fc.tsv:3:2: column 'units': numbers such as '1.234' in a file separated by tabs" -- \
    "$H" forecast "$T/thou_fc.tsv" --date month --value units --model naive --horizon 1 -o "$T/thou_fc.out"
tr ';' ',' <"$T/thou.csv" >"$T/thou_comma.csv"
expect_exit 0 "" -- "$H" analyze segment "$T/thou_comma.csv" -o "$T/thou_comma_out.csv"
check "comma-separated: '1.234' is a decimal point's" \
    grep -q '^A,2024-01-01,2024-02-01,2,1,31,60,1.234,1000.234,' "$T/thou_comma_out.csv"
# whole amounts in the first 10,000 rows (the sample) and a '1.234'
# after them: the whole file decides, as the sample does (until
# 2026-12-08 read as 1.234 once past the sample); a '12.5' anywhere
# shows a decimal point
awk 'BEGIN { print "customer_id;order_date;revenue";
    for (i = 0; i < 10500; i++)
        printf "C%d;2024-%02d-%02d;%d\n", i % 300, 1 + i % 12, 1 + i % 28, 10 + i % 50;
    print "B;2024-06-01;1.234" }' >"$T/thou_late.csv"
expect_exit 1 "thou_late.csv:10502:3: column 'revenue': numbers such as '1.234' in a file separated by ';' could be read with a decimal point or as thousands with a point between them, as exports with a decimal comma write them (the first rows hold whole numbers" -- \
    "$H" analyze segment "$T/thou_late.csv" -o "$T/thou_late_out.csv"
check "thousands point after the sample: no output" test ! -e "$T/thou_late_out.csv"
expect_exit 0 "" -- "$H" analyze segment "$T/thou_late.csv" --decimal , -o "$T/thou_late_out.csv"
check "after the sample, --decimal , reads '1.234' as 1234" \
    grep -q '^B,2024-06-01,2024-06-01,1,0,0,[0-9]*,0,1234,' "$T/thou_late_out.csv"
{ cat "$T/thou_late.csv"; echo 'D;2024-07-01;12.5'; } >"$T/point_late.csv"
expect_exit 0 "" -- "$H" analyze segment "$T/point_late.csv" -o "$T/point_late_out.csv"
check "after the sample, a '12.5' shows a decimal point: '1.234' is 1.234" \
    grep -q '^B,2024-06-01,2024-06-01,1,0,0,[0-9]*,0,1.234,' "$T/point_late_out.csv"
finish
