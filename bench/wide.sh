#!/usr/bin/env bash
# Wide files: `horizon inspect` on files of 5 rows and 2,000 .. 100,000
# columns (a third of them text), best of REPS runs each; the time per
# column should stay flat (linear in the column count).
#   bench/wide.sh [BUILD_DIR] [REPS]
set -euo pipefail
BUILD=${1:-build}
REPS=${2:-3}
H=$BUILD/horizon
D=$BUILD/bench-data
mkdir -p "$D"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
printf '| %8s | %8s | %10s | %12s |\n' columns MB "best s" "us/column"
for n in 2000 4000 8000 16000 100000; do
    f=$D/wide-$n.csv
    if [[ ! -s $f ]]; then
        awk -v n="$n" 'BEGIN {
            for (j = 0; j < n; j++) printf "%sc%d", (j ? "," : ""), j; print "";
            for (r = 0; r < 5; r++) {
                for (j = 0; j < n; j++)
                    printf "%s%s", (j ? "," : ""), (j % 3 ? (r * j) % 97 : "x" j % 7);
                print "";
            } }' >"$f"
    fi
    best=999
    for _ in $(seq "$REPS"); do
        s=$(date +%s.%N)
        "$H" inspect "$f" >/dev/null
        e=$(date +%s.%N)
        best=$(awk -v a="$best" -v s="$s" -v e="$e" 'BEGIN{t=e-s; print (t<a)?t:a}')
    done
    awk -v n="$n" -v b="$best" -v sz="$(stat -c %s "$f")" 'BEGIN{
        printf "| %8d | %8.1f | %10.3f | %12.2f |\n", n, sz/1e6, b, b/n*1e6 }'
done
