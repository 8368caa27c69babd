#!/usr/bin/env bash
# Threads on a shared machine: the default thread count (affinity mask,
# cgroup quota) with idle OpenMP threads that sleep (OMP_WAIT_POLICY=
# passive, set by the horizon binary before its OpenMP runtime starts)
# against --threads 1 and against the previous default (all cores, the
# runtime's spinning wait: HZ_REEXEC=0), on
#   - analyze clv on a generated file of about 25,000 customers,
#   - forecast --model auto of the 1,428 M3 monthly series (shared data),
# once with two busy processes on the machine (`yes > /dev/null` twice)
# and once without.  Prints wall times (median of REPS runs) and the
# ratios the aim is about: loaded default / loaded --threads 1 (aim
# <= 1.5) and idle default / idle previous default (aim <= 1.0, "as fast
# as before").  The load average is printed with each part: when it is
# above ~2 without our busy loops, the machine is shared ("loaded").
#   usage: bench/threads.sh [BUILD_DIR] [SHARED_DATA_DIR] [REPS]
set -u
B="${1:-build}"
D="${2:-$(dirname "$0")/../../shared/data}"
REPS="${3:-5}"
H="$B/horizon"
[[ -x "$H" ]] || { echo "bench/threads.sh: build $B first" >&2; exit 2; }
W=$(mktemp -d "${TMPDIR:-/tmp}/hz-threads.XXXXXX")
busy=()
cleanup() {
    for p in "${busy[@]}"; do kill "$p" 2>/dev/null; done
    rm -rf "$W"
}
trap cleanup EXIT
"$H" gen --kind sales --rows 200000 --customers 33000 --months 36 --seed 5 \
    -o "$W/sales.csv" >/dev/null 2>&1
ncust=$(tail -n +2 "$W/sales.csv" | cut -d, -f3 | sort -u | wc -l)
M3="$D/m3/m3_monthly_train.csv"

median() { sort -n | awk '{a[NR] = $1} END { print a[int((NR + 1) / 2)] }'; }
# wall seconds of one run of "$@" (output discarded)
wall() {
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >/dev/null 2>&1
    t1=$(date +%s.%N)
    awk -v a="$t1" -v b="$t0" 'BEGIN { printf "%.3f\n", a - b }'
}
# mode: default | one | old
run_mode() { # mode reps workload...
    local mode=$1 reps=$2
    shift 2
    for _ in $(seq "$reps"); do
        case $mode in
        default) wall env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT \
                     -u OMP_NUM_THREADS "$@" ;;
        one) wall env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT \
                 -u OMP_NUM_THREADS "$@" --threads 1 ;;
        old) wall env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT \
                 -u OMP_NUM_THREADS HZ_REEXEC=0 "$@" ;;
        esac
    done | median
}
CLV=("$H" analyze clv "$W/sales.csv" -o /dev/null)
FC=("$H" forecast "$M3" --long --by series_id --date period --value value
    --horizon 18 --model auto -o /dev/null --quiet)

part() { # label
    local label=$1 load
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    printf '\n%s (load average before: %s; %d CPUs)\n' "$label" "$load" \
        "$(nproc)"
    printf '%-34s %9s %9s %9s %9s %9s\n' "workload" "default" "threads1" \
        "previous" "def/th1" "def/prev"
    local name reps d o p
    for name in clv fc; do
        if [[ $name == fc && ! -r "$M3" ]]; then
            echo "forecast: SKIP (no $M3)"
            continue
        fi
        reps=$REPS
        [[ $name == fc ]] && reps=$(( (REPS + 1) / 2 ))
        local -n cmd=$( [[ $name == clv ]] && echo CLV || echo FC )
        d=$(run_mode default "$reps" "${cmd[@]}")
        o=$(run_mode one "$reps" "${cmd[@]}")
        p=$(run_mode old "$reps" "${cmd[@]}")
        printf '%-34s %8ss %8ss %8ss %9.2f %9.2f\n' \
            "$( [[ $name == clv ]] && echo "analyze clv ($ncust customers)" \
                || echo "forecast auto (1,428 M3 series)")" \
            "$d" "$o" "$p" "$(awk -v a="$d" -v b="$o" 'BEGIN{print a/b}')" \
            "$(awk -v a="$d" -v b="$p" 'BEGIN{print a/b}')"
    done
}

part "idle (nothing of ours running beside)"
yes > /dev/null & busy+=($!)
yes > /dev/null & busy+=($!)
sleep 1
part "loaded: two busy processes (yes > /dev/null) beside"
echo
echo "aims: loaded def/th1 <= 1.5; idle def/prev <= 1.0 (same speed as the previous default)"
