#!/usr/bin/env bash
# Ingest benchmark (foundation issue): generates the ~50 MB sales file and
# measures, in one run, best of several: Horizon's typed ingest (all cores
# and one thread), a plain libcsv parse (the library's floor) and the I/O
# floors (cat, wc -l); then the peak memory of `horizon inspect` from
# /usr/bin/time -v.
#   bench/ingest.sh [BUILD_DIR] [REPEATS]
set -euo pipefail
BUILD=${1:-build}
REPS=${2:-7}
H=$BUILD/horizon
FILE=$BUILD/bench-data/sales-50mb.csv
mkdir -p "$BUILD/bench-data"
if [[ ! -s $FILE ]]; then
    echo "generating $FILE ..."
    "$H" gen --rows 775000 --customers 60000 --months 36 --seed 1 -o "$FILE"
fi
MB=$(awk -v b="$(stat -c %s "$FILE")" 'BEGIN{printf "%.1f", b/1e6}')
echo "file: $FILE ($MB MB, $(nproc) cores)"

best() {  # best wall time of REPS runs of a command, in seconds
    local b=999 t
    for _ in $(seq "$REPS"); do
        local s e
        s=$(date +%s.%N)
        "$@" >/dev/null
        e=$(date +%s.%N)
        t=$(awk -v s="$s" -v e="$e" 'BEGIN{print e-s}')
        b=$(awk -v a="$b" -v t="$t" 'BEGIN{print (t<a)?t:a}')
    done
    echo "$b"
}
cat_t=$(best cat "$FILE")
wc_t=$(best wc -l "$FILE")
printf '| %-38s | %8.3f |\n' "cat > /dev/null (I/O floor)" "$cat_t"
printf '| %-38s | %8.3f |\n' "wc -l (I/O floor)" "$wc_t"
"$BUILD/bench_ingest" "$FILE" "$REPS"
echo
echo "peak memory of 'horizon inspect' (typed columns + profile):"
if [[ -x /usr/bin/time ]]; then
    /usr/bin/time -v "$H" inspect "$FILE" 2>"$BUILD/bench-data/time.txt" >/dev/null
    rss=$(awk -F': ' '/Maximum resident/{print $2}' "$BUILD/bench-data/time.txt")
    wall=$(awk -F': ' '/Elapsed/{print $2}' "$BUILD/bench-data/time.txt")
    awk -v r="$rss" -v s="$(stat -c %s "$FILE")" -v w="$wall" 'BEGIN{
        printf "  max RSS %.1f MB = %.2fx the file size; wall %s\n",
               r/1024, r*1024/s, w }'
else
    echo "  /usr/bin/time not installed (apt-get install time)"
fi
