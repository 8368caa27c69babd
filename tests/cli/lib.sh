# Helpers for CLI tests (sourced).  Env from ctest: HORIZON, HZ_SRC,
# HZ_DATA_DIR, HZ_SHARED_DATA, HZ_TEST_TMP.
set -u
: "${HORIZON:?HORIZON must point to the horizon binary}"
T=$(mktemp -d "${HZ_TEST_TMP:-/tmp}/cli.XXXXXX" 2>/dev/null || mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
passes=0

# expect_exit CODE STDERR_SUBSTRING -- command...
# Runs the command, checks its exit code and that stderr contains the text.
expect_exit() {
    local want=$1 msg=$2
    shift 3
    "$@" >"$T/out" 2>"$T/err"
    local rc=$?
    if [[ $rc -ne $want ]]; then
        echo "FAIL: '$*' exited $rc, expected $want; stderr: $(cat "$T/err")"
        fails=$((fails + 1))
        return
    fi
    if [[ -n "$msg" ]] && ! grep -qF -- "$msg" "$T/err"; then
        echo "FAIL: '$*' stderr lacks '$msg'; got: $(cat "$T/err")"
        fails=$((fails + 1))
        return
    fi
    passes=$((passes + 1))
}

# check DESCRIPTION test-expression...
check() {
    local what=$1
    shift
    if "$@"; then
        passes=$((passes + 1))
    else
        echo "FAIL: $what"
        fails=$((fails + 1))
    fi
}

finish() {
    echo "$passes passed, $fails failed"
    [[ $fails -eq 0 ]]
    exit $?
}
