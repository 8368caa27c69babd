#!/usr/bin/env bash
# The unit-test runner (tests/support/hz_test.c): TAP plan line, one test
# by name (argument or HZ_TEST), unknown names refused, a loud failure when
# more tests register than it holds, and the data directories found
# without HZ_DATA_DIR / HZ_SHARED_DATA.
source "$HZ_SRC/tests/cli/lib.sh"
B="${HZ_BUILD:?HZ_BUILD must point to the build directory}"

"$B/test_rng" >"$T/all" 2>&1
check "all tests pass" test $? -eq 0
n=$(grep -c '^ok ' "$T/all")
check "plan line 1..$n first" test "$(head -1 "$T/all")" = "1..$n"

"$B/test_rng" xorshift_reference_outputs >"$T/one" 2>&1
check "one test by name" test "$(grep -c '^ok ' "$T/one")" -eq 1
check "plan 1..1" test "$(head -1 "$T/one")" = "1..1"
check "the named test ran" grep -q '^ok 1 - xorshift_reference_outputs$' "$T/one"

HZ_TEST=splitmix64_reference_outputs,entropy_seed_is_never_zero "$B/test_rng" >"$T/env" 2>&1
check "HZ_TEST selects two" test "$(head -1 "$T/env")" = "1..2"

"$B/test_rng" --list >"$T/list"
check "--list lists every test" test "$(wc -l <"$T/list")" -eq "$n"

expect_exit 2 "no test named 'nope'" -- "$B/test_rng" nope

expect_exit 2 "the table holds" -- "$B/hz_test_overflow"

# data found from the executable's location, whatever the current
# directory and without the environment ctest sets
(cd / && env -u HZ_DATA_DIR -u HZ_SHARED_DATA "$B/test_csv" \
    fast_path_libcsv_and_threads_give_identical_tables) >"$T/data" 2>&1
check "test_csv finds data/ without HZ_DATA_DIR: $(tail -3 "$T/data")" \
    grep -q '^ok 1 - ' "$T/data"
if [[ -f "$HZ_SRC/../shared/data/cdnow/cdnow_customers_summary_with_transactions.csv" ]]; then
    (cd / && env -u HZ_DATA_DIR -u HZ_SHARED_DATA "$B/test_bgnbd" \
        cdnow_fit_matches_published) >"$T/shared" 2>&1
    check "test_bgnbd finds ../shared/data without HZ_SHARED_DATA" \
        grep -q '^ok 1 - cdnow_fit_matches_published$' "$T/shared"
fi
finish
