#!/usr/bin/env bash
# What `horizon submit` refuses up front, with a message and a documented
# exit code, before anything is stored: a bad --timeout (nan, 0, -1: exit
# 2, never dropped silently), a --dataset-id that is not a dataset
# registered for the tenant (3; bad syntax 2), and a --dataset that is a
# directory or a FIFO (3, without hanging) or an empty file (1, as
# `horizon inspect` says: no header).
source "$(dirname "$0")/lib.sh"
export HORIZON_STORE="sqlite:$T/store.db" TMPDIR="$T" \
    HZ_DATASET_ROOTS="$T/data/{tenant}"
unset HZ_TENANT
mkdir -p "$T/data/acme" "$T/data/globex"
"$HORIZON" gen --kind sales --rows 300 --customers 30 --months 12 --seed 5 \
    -o "$T/data/acme/sales.csv" >/dev/null 2>&1
cp "$T/data/acme/sales.csv" "$T/data/globex/sales.csv"
B=(--type forecast --tenant acme --param date=order_date --param value=revenue
   --quiet)
stored() { "$HORIZON" jobs list --json 2>/dev/null | wc -l; }

# ---- --timeout: a positive number of seconds, else exit 2 with a message
for bad in nan 0 -1 inf 1e9 ten; do
    expect_exit 2 "--timeout: expected a positive number of seconds" -- \
        "$HORIZON" submit "${B[@]}" --dataset "$T/data/acme/sales.csv" \
        --timeout "$bad"
done
expect_exit 0 "" -- "$HORIZON" submit "${B[@]}" --id t1 \
    --dataset "$T/data/acme/sales.csv" --timeout 2.5
check "the timeout is stored" bash -c \
    "'$HORIZON' jobs show t1 --json | grep -q '\"timeoutS\":[[:space:]]*2.5'"
for bad in nan 0; do
    expect_exit 2 "--timeout: expected a positive number of seconds" -- \
        "$HORIZON" schedule add --tenant acme --id s1 --cron @daily \
        --type forecast --dataset "$T/data/acme/sales.csv" \
        --param date=order_date --param value=revenue --timeout "$bad"
done
check "nothing else stored" test "$(stored)" -eq 1

# ---- --dataset-id: registered for this tenant, else exit 3 (2: bad id)
"$HORIZON" datasets add --tenant acme --id acme-sales \
    "$T/data/acme/sales.csv" >/dev/null
"$HORIZON" datasets add --tenant globex --id globex-sales \
    "$T/data/globex/sales.csv" >/dev/null
expect_exit 3 "no dataset 'nosuch' registered for tenant 'acme'" -- \
    "$HORIZON" submit "${B[@]}" --dataset-id nosuch
expect_exit 3 "no dataset 'globex-sales' registered for tenant 'acme'" -- \
    "$HORIZON" submit "${B[@]}" --dataset-id globex-sales
expect_exit 2 "--dataset-id: '../dsa' is not a valid dataset id" -- \
    "$HORIZON" submit "${B[@]}" --dataset-id ../dsa
expect_exit 0 "" -- "$HORIZON" submit "${B[@]}" --dataset-id acme-sales
check "only the registered one stored" test "$(stored)" -eq 2
# the registered file itself is checked too
: > "$T/data/acme/later.csv"
"$HORIZON" datasets add --tenant acme --id acme-later --no-profile \
    "$T/data/acme/later.csv" >/dev/null
expect_exit 1 "empty file: expected a header row" -- \
    "$HORIZON" submit "${B[@]}" --dataset-id acme-later
# a dataset without a profile has no row count: '-', not 'nan'
"$HORIZON" datasets list --tenant acme >"$T/dsl" 2>&1
check "datasets list: no profile shows '-' rows" \
    grep -Eq '^acme-later +acme +later.csv +0 +- ' "$T/dsl"
check "datasets list: no nan" bash -c "! grep -qiw nan '$T/dsl'"

# ---- --dataset: a regular file with a header
expect_exit 3 "dataset '$T/data/acme': not a regular file (a directory)" -- \
    "$HORIZON" submit "${B[@]}" --dataset "$T/data/acme"
: > "$T/data/acme/empty.csv"
expect_exit 1 "dataset '$T/data/acme/empty.csv': empty file: expected a header row" -- \
    "$HORIZON" submit "${B[@]}" --dataset "$T/data/acme/empty.csv"
mkfifo "$T/data/acme/fifo.csv"
expect_exit 3 "not a regular file (a FIFO)" -- \
    timeout 10 "$HORIZON" submit "${B[@]}" --dataset "$T/data/acme/fifo.csv"
expect_exit 3 "not a regular file (a FIFO)" -- \
    timeout 10 "$HORIZON" datasets add --tenant acme "$T/data/acme/fifo.csv"
expect_exit 3 "not a regular file (a FIFO)" -- \
    timeout 10 "$HORIZON" schedule add --tenant acme --id s2 --cron @daily \
    --type forecast --dataset "$T/data/acme/fifo.csv" \
    --param date=order_date --param value=revenue
# a job file: the same refusals (an invalid job: exit 2 or 3, none stored)
cat > "$T/jobs.json" <<JSON
[{"type":"forecast","customerId":"acme","dataset":"$T/data/acme/empty.csv","params":{"date":"order_date","value":"revenue"}},
 {"type":"forecast","customerId":"acme","dataset":"$T/data/acme/fifo.csv","params":{"date":"order_date","value":"revenue"}}]
JSON
expect_exit 2 "2 of 2 jobs invalid" -- timeout 10 "$HORIZON" submit --file "$T/jobs.json"
check "empty file named" grep -q "empty.csv': empty file" "$T/err"
check "still two jobs stored" test "$(stored)" -eq 2

# ---- the runner: a FIFO dataset fails its job at once, never hangs
"$HORIZON" submit --no-validate --quiet --id fifo-job "${B[@]}" \
    --dataset "$T/data/acme/fifo.csv"
"$HORIZON" jobs cancel t1 >/dev/null
timeout 20 "$HORIZON" run --once --quiet --tenant acme >/dev/null 2>"$T/run.err"
check "run --once with a FIFO dataset finished" test $? -ne 124
"$HORIZON" jobs show fifo-job >"$T/show"
check "the FIFO job failed: not a regular file" \
    grep -q "not a regular file (a FIFO)" "$T/show"

finish
