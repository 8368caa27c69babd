#!/usr/bin/env bash
# Run the fuzz targets of tests/fuzz with libFuzzer.
#
#   scripts/fuzz.sh [-j JOBS] BUILD_DIR SECONDS [TARGET...]
#
# Configures BUILD_DIR with clang and HZ_FUZZ=ON (ASan + UBSan + libFuzzer
# coverage) when needed, builds the targets (default: all of them: csv,
# job, llm_config, sse) and runs each for SECONDS, starting from its
# committed seed corpus tests/fuzz/corpus/NAME.  New interesting inputs go to
# BUILD_DIR/fuzz-corpus/NAME (not the committed corpus); a finding is
# saved as BUILD_DIR/fuzz-artifacts/NAME-crash-... and fails the run.
# After fixing it, copy the input into tests/fuzz/corpus/NAME so that
# ctest replays it in every build (fuzz_replay_NAME).  FUZZ_SEED=N fixes
# libFuzzer's random seed (the CI smoke run uses 1).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
if [[ "${1:-}" == "-j" ]]; then
    jobs=$2
    shift 2
fi
build=${1:?usage: scripts/fuzz.sh [-j JOBS] BUILD_DIR SECONDS [TARGET...]}
secs=${2:?usage: scripts/fuzz.sh [-j JOBS] BUILD_DIR SECONDS [TARGET...]}
shift 2
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(csv job llm_config sse)

if ! grep -q '^HZ_FUZZ:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
    CC=clang cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DHZ_FUZZ=ON >/dev/null
fi
names=()
for t in "${targets[@]}"; do names+=("fuzz_$t"); done
cmake --build "$build" -j "$jobs" --target "${names[@]}" >/dev/null

mkdir -p "$build/fuzz-artifacts"
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=2 OMP_WAIT_POLICY=passive
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
fail=0
for t in "${targets[@]}"; do
    work="$build/fuzz-corpus/$t"
    mkdir -p "$work"
    log="$build/fuzz-artifacts/$t.log"
    echo "fuzz: $t for ${secs}s"
    if ! "$build/fuzz_$t" -max_total_time="$secs" -max_len=8192 \
            -timeout=20 -rss_limit_mb=4096 -print_final_stats=1 \
            ${FUZZ_SEED:+-seed="$FUZZ_SEED"} \
            -artifact_prefix="$build/fuzz-artifacts/$t-" \
            "$work" "tests/fuzz/corpus/$t" >"$log" 2>&1; then
        echo "fuzz: $t FOUND A PROBLEM (log: $log):" >&2
        grep -E 'property failed|ERROR:|SUMMARY|runtime error|artifact' -A3 \
            "$log" | head -30 >&2
        fail=1
    else
        grep -E '^stat::number_of_executed_units|^stat::new_units_added' "$log" |
            tr '\n' ' ' | sed "s/^/fuzz: $t: /"
        echo
    fi
done
exit $fail
