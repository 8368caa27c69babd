#!/usr/bin/env bash
# `make test-tsan`: the multi-threaded code under ThreadSanitizer.
#
#   scripts/tsan.sh [-j JOBS] [BUILD_DIR]      (default build-tsan)
#
# Builds with clang and HZ_TSAN=ON and runs the runner's CLI tests
# (cli_runner_*: runner threads, job processes, leases), the suite and
# the other OpenMP-heavy unit tests (analytics, CSV ingest, forecasting,
# k-means, BG/NBD, Gamma-Gamma, customer summaries) and the SQLite store's
# concurrency tests.  Any report fails the run.
#
# OpenMP under TSan: clang's OpenMP runtime (LLVM libomp) with its Archer
# tool (OMP_TOOL_LIBRARIES), which tells TSan about OpenMP's barriers,
# locks and tasks; libgomp cannot do that.  OpenBLAS (the OpenMP build)
# needs libgomp.so.1: a symlink to libomp in BUILD_DIR/omp-shim, first on
# LD_LIBRARY_PATH, gives the process one OpenMP runtime (libomp implements
# libgomp's ABI); OPENBLAS_NUM_THREADS=1 keeps BLAS single-threaded.
# ignore_noninstrumented_modules=1 is Archer's documented setting: accesses
# made inside uninstrumented libraries (libomp's own bookkeeping, GSL,
# OpenBLAS, SQLite, libcurl) are not checked; every access of Horizon's
# own code is.  No suppression file is needed.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
if [[ "${1:-}" == "-j" ]]; then
    jobs=$2
    shift 2
fi
build=${1:-build-tsan}
archer=/usr/lib/llvm-14/lib/libarcher.so
libomp=/usr/lib/llvm-14/lib/libomp.so.5
for f in "$archer" "$libomp"; do
    [[ -f "$f" ]] || { echo "tsan: $f missing (libomp-14-dev: scripts/install-deps.sh)" >&2; exit 1; }
done

unit=(test_analytics test_bgnbd test_gammagamma test_kmeans test_customer
      test_csv test_forecast test_combo test_store_sqlite)
cli=(runner_multi runner_results runner_timeout runner_bad_jobs)

if ! grep -q '^HZ_TSAN:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
    CC=clang cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DHZ_TSAN=ON >/dev/null
fi
cmake --build "$build" -j "$jobs" --target horizon "${unit[@]}" >/dev/null

mkdir -p "$build/omp-shim"
ln -sf "$libomp" "$build/omp-shim/libgomp.so.1"
export LD_LIBRARY_PATH="$PWD/$build/omp-shim${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export OMP_TOOL_LIBRARIES="$archer"
export OPENBLAS_NUM_THREADS=1 OMP_WAIT_POLICY=passive
# Reports go to files (log_path), one per process, and are printed below:
# a CLI test sends a runner's stderr to a log of its own, so a report made
# there would otherwise show only as exit status 66 (TSan's exitcode).
reports="$PWD/$build/tsan-reports"
rm -rf "$reports" && mkdir -p "$reports"
export TSAN_OPTIONS="ignore_noninstrumented_modules=1 halt_on_error=1 exitcode=66 second_deadlock_stack=1 die_after_fork=0 log_path=$reports/tsan"

regex="^($(IFS='|'; echo "${unit[*]}")|cli_($(IFS='|'; echo "${cli[*]}")))\$"
cd "$build"
rc=0
ctest --output-on-failure -j "$jobs" -R "$regex" || rc=$?
shopt -s nullglob
found=("$reports"/tsan.*)
if (( ${#found[@]} > 0 )); then
    echo "tsan: ${#found[@]} report(s):" >&2
    for f in "${found[@]}"; do
        echo "==== $f" >&2
        cat "$f" >&2
    done
    (( rc != 0 )) || rc=1
fi
exit "$rc"
