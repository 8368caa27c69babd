#!/usr/bin/env bash
# `make lint`: every static check, zero findings allowed.
#
#   scripts/lint.sh [BUILD_DIR]     (default: build; configured if needed)
#
#   1. clang-tidy over every C file of BUILD_DIR/compile_commands.json
#      (checks and their reasons: .clang-tidy, and the per-folder
#      .clang-tidy files that add exceptions)
#   2. cppcheck over the same files (warning, performance, portability;
#      false positives in scripts/lint/cppcheck-suppressions.txt)
#   3. scripts/check-function-length.sh (150 lines, with an allow-list)
#   4. scripts/check-layers.sh (no include from a lower layer to a
#      higher one)
#   5. scripts/check-gsl-init.sh (engine files that use GSL set its
#      error handler first)
# LINT_JOBS sets the parallelism (default: the number of CPUs).
set -uo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
jobs="${LINT_JOBS:-$(nproc 2>/dev/null || echo 2)}"
root="$(pwd)"
fail=0

if [[ ! -f "$build/compile_commands.json" ]]; then
    cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null || exit 1
fi
tidy=$(command -v run-clang-tidy-14 || command -v run-clang-tidy || true)
if [[ -z "$tidy" ]] || ! command -v cppcheck >/dev/null; then
    echo "lint: clang-tidy and cppcheck are needed (scripts/install-deps.sh)" >&2
    exit 1
fi

# the project's own C files (not generated ones, not third-party code)
files_re="^$root/(engine|jobs|tests|bench)/"

echo "lint: clang-tidy ($jobs jobs)"
out=$(mktemp)
"$tidy" -p "$build" -j "$jobs" -quiet "$files_re" >"$out" 2>/dev/null
rc=$?
# strip colours; keep the diagnostics (and their notes) only
sed 's/\x1b\[[0-9;]*m//g' "$out" | grep -E '^/.*: (warning|error): ' |
    sed "s|^$root/||" | sort -u >"$out.diag"
if [[ -s "$out.diag" || $rc -ne 0 ]]; then
    cat "$out.diag" >&2
    [[ -s "$out.diag" ]] || sed 's/\x1b\[[0-9;]*m//g' "$out" | tail -20 >&2
    echo "lint: clang-tidy: $(wc -l <"$out.diag") finding(s)" >&2
    fail=1
else
    echo "lint: clang-tidy: no findings"
fi
rm -f "$out" "$out.diag"

echo "lint: cppcheck"
# only the project's files from the compilation database
python3 - "$build/compile_commands.json" "$files_re" >"$build/lint-cppcheck.json" <<'PY'
import json, re, sys
db = json.load(open(sys.argv[1]))
pat = re.compile(sys.argv[2])
json.dump([e for e in db if pat.search(e["file"])], sys.stdout)
PY
if ! cppcheck --project="$build/lint-cppcheck.json" -j "$jobs" --quiet \
        --enable=warning,performance,portability \
        --library=scripts/lint/cjson.cfg \
        --suppressions-list=scripts/lint/cppcheck-suppressions.txt \
        --inline-suppr --error-exitcode=1 \
        --template='{file}:{line}:{column}: {severity}: {message} [{id}]'; then
    echo "lint: cppcheck: findings above" >&2
    fail=1
else
    echo "lint: cppcheck: no findings"
fi

scripts/check-function-length.sh || fail=1
scripts/check-layers.sh || fail=1
scripts/check-gsl-init.sh || fail=1
if [[ $fail -ne 0 ]]; then
    echo "lint: FAILED" >&2
    exit 1
fi
echo "lint: ok"
