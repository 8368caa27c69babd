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

finish
