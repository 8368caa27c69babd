#!/usr/bin/env bash
# A job process may allocate --max-memory-mb (default: the machine's
# memory, or its cgroup's limit, / concurrency): a hostile or huge
# dataset fails its own job with reason "memory", once (not retried),
# with the limit named, instead of exhausting the machine.  There was no
# limit at all.  Under the limit a job either succeeds with all its rows
# or fails "memory": result rows or summary fields that could not be
# allocated are never dropped silently (cJSON drops an item it cannot
# allocate: a forecast "succeeded" with 22,683 of its 58,620 rows), and a
# library that exits when it cannot start a thread (libgomp) is a
# "memory" failure, not a crash retried as an outage.
source "$(dirname "$0")/lib.sh"
mkdir -p "$T/data/acme"
export HORIZON_STORE="sqlite:$T/store.db" HZ_DATASET_ROOTS="$T/data/{tenant}" \
    TMPDIR="$T"
unset HZ_TENANT OPENAI_API_KEY OPENAI_BASE_URL AZURE_OPENAI_ENDPOINT HZ_LLM_CONFIG || true
"$HORIZON" gen --kind sales --rows 400000 --customers 5000 --months 24 --seed 1 \
    -o "$T/data/acme/big.csv" >/dev/null 2>&1
DS="$T/data/acme/big.csv"
fc() { # ID: a forecast of every customer (5,000 series)
    "$HORIZON" submit --type forecast --tenant acme --id "$1" --quiet \
        --dataset "$DS" --param date=order_date --param value=revenue \
        --param by=customer_id --param model=naive --param freq=month
}

# ---- the option
expect_exit 2 "max-memory-mb" -- "$HORIZON" run --once --max-memory-mb -1
expect_exit 2 "max-memory-mb" -- "$HORIZON" run --once --max-memory-mb lots
check "run --help names --max-memory-mb" \
    bash -c "'$HORIZON' run --help | grep -q -- --max-memory-mb"

# ---- the rows of the whole forecast, with no limit, and by default
fc full
fc default
"$HORIZON" run --once --max-memory-mb 0 --max-jobs 1 --quiet 2>"$T/err0"
"$HORIZON" run --once --quiet 2>>"$T/err0"
check "without a limit the forecast succeeds ($(cat "$T/err0"))" \
    test "$(field full status)" = succeeded
check "with the default limit it succeeds" test "$(field default status)" = succeeded
ROWS=$(field full resultRows)
check "all its rows ($ROWS): one per customer and month" test "$ROWS" -gt 50000
check "the default limit gives the same rows" test "$(field default resultRows)" = "$ROWS"

# ---- a segmentation job over its limit: failed [memory] at once
"$HORIZON" submit --type segment --tenant acme --id seg --quiet --dataset "$DS"
"$HORIZON" run --once --max-memory-mb 40 --quiet 2>"$T/err1"
rc=$?
check "run exits 1 (a job failed: $rc)" test $rc -eq 1
check "the job failed" test "$(field seg status)" = failed
check "... with reason memory ($(field seg errorReason))" \
    test "$(field seg errorReason)" = memory
check "... naming the limit ($(field seg error))" \
    grep -q "memory limit of 40 MiB: horizon run --max-memory-mb" <<<"$(field seg error)"
check "... on its first attempt, not retried" test "$(field seg attempts)" = 1

# ---- at any limit, a forecast has all its rows or fails [memory]
failed=0
for mb in 60 130; do
    fc "fc$mb"
    "$HORIZON" run --once --max-memory-mb "$mb" --quiet 2>"$T/err$mb"
    st=$(field "fc$mb" status)
    if [[ $st == failed ]]; then
        failed=$((failed + 1))
        check "$mb MiB: failed with reason memory ($(field "fc$mb" errorReason): $(field "fc$mb" error))" \
            test "$(field "fc$mb" errorReason)" = memory
        check "$mb MiB: not retried" test "$(field "fc$mb" attempts)" = 1
    else
        check "$mb MiB: succeeded with all the rows ($(field "fc$mb" resultRows) of $ROWS)" \
            test "$st" = succeeded -a "$(field "fc$mb" resultRows)" = "$ROWS"
    fi
done
check "the limits were tight enough for some forecast to fail ($failed)" \
    test $failed -ge 1

# ---- a lower hard RLIMIT_DATA the runner has (ulimit -d, LimitDATA=)
# stays the limit: raising it is not permitted, and every job failed
# [memory] "could not set the job process's memory limit"
fc hard
(ulimit -d 4194304 && "$HORIZON" run --once --max-memory-mb 65536 --quiet) \
    2>"$T/errhard"
check "under ulimit -d the job succeeds ($(field hard errorReason): $(field hard error))" \
    test "$(field hard status)" = succeeded
check "... with all its rows" test "$(field hard resultRows)" = "$ROWS"
finish
