#!/usr/bin/env bash
# `horizon run --once` exit codes a scheduler can act on: 0 drained and
# every job succeeded, 1 a job failed, 130 / 143 stopped by SIGINT /
# SIGTERM before the queue was drained, 75 (EX_TEMPFAIL) when the store is
# unreachable (Cosmos DB endpoint down), unauthorised (401, 403),
# throttled past the deadline (a 429 storm), full (a full disk) or
# damaged (a corrupted SQLite page), with one line saying why; --watch
# keeps going with backoff and reports its health in the heartbeat file.
source "$(dirname "$0")/lib.sh"
export TMPDIR="$T" HZ_DATASET_ROOTS="$T"
unset HORIZON_STORE
{
    echo "date,value"
    for i in $(seq 0 23); do
        printf '%04d-%02d-01,%d\n' $((2022 + i / 12)) $((i % 12 + 1)) $((50 + i))
    done
} > "$T/tiny.csv"
printf 'date,value\n2024-01-01,1\n"unterminated,3\n' > "$T/bad.csv"
P=(--type forecast --tenant acme --param date=date --param value=value
   --param model=naive --param freq=month --quiet)
RUN=(run --once --quiet --claim-retry 1)
one_line() { # the runner's reason line
    grep -c 'horizon run: store unavailable' "$T/err" | grep -qx 1
}

# ---- 0: drained, all succeeded
S="sqlite:$T/ok.db"
"$HORIZON" submit --store "$S" "${P[@]}" --dataset "$T/tiny.csv" --count 3
expect_exit 0 "" -- "$HORIZON" "${RUN[@]}" --store "$S"
expect_exit 0 "" -- "$HORIZON" "${RUN[@]}" --store "$S"   # empty queue
check "--quiet: no narrative notice offline" test ! -s "$T/err"
# --quiet drops the summary, not warnings: LLM settings that are refused
# (the jobs then get template narratives) are said (until 2026-12-07
# --quiet hid them), and so is a bad HZ_LLM_GATHER_MS
printf '[llm]\ntimeout = abc\n' > "$T/bad_llm.ini"
expect_exit 0 "LLM settings refused: $T/bad_llm.ini:2: 'timeout'" -- \
    env HZ_LLM_CONFIG="$T/bad_llm.ini" OPENAI_BASE_URL=http://127.0.0.1:9/v1 \
    "$HORIZON" "${RUN[@]}" --store "$S"
expect_exit 0 "HZ_LLM_GATHER_MS: expected milliseconds in [0, 10000], got '5s'" -- \
    env HZ_LLM_GATHER_MS=5s "$HORIZON" "${RUN[@]}" --store "$S"

# ---- 1: a job failed
S="sqlite:$T/fail.db"
"$HORIZON" submit --store "$S" "${P[@]}" --dataset "$T/tiny.csv" --count 2
"$HORIZON" submit --store "$S" "${P[@]}" --dataset "$T/bad.csv" --id broken
expect_exit 1 "" -- "$HORIZON" "${RUN[@]}" --store "$S"

# ---- 1: an output that cannot be written, refused before any job runs
# (as --metrics at the end did): never exit 0 without the file asked for
S="sqlite:$T/out.db"
"$HORIZON" submit --store "$S" "${P[@]}" --dataset "$T/tiny.csv" --id o1
for opt in --metrics --metrics-file --heartbeat; do
    expect_exit 1 "$opt: could not write $T/nodir/x: cannot create a file in $T/nodir" -- \
        "$HORIZON" "${RUN[@]}" --store "$S" "$opt" "$T/nodir/x"
done
expect_exit 1 "--heartbeat: could not write $T: is a directory" -- \
    "$HORIZON" "${RUN[@]}" --store "$S" --heartbeat "$T"
HZ_LLM_METRICS="$T/nodir/l.json" expect_exit 1 \
    "HZ_LLM_METRICS: could not write $T/nodir/l.json" -- \
    "$HORIZON" "${RUN[@]}" --store "$S"
# files rewritten by renaming a new one over them: a pipe (or a device
# such as /dev/null) would be replaced by a file, so it is refused (2)
mkfifo "$T/fifo"
for opt in --metrics-file --heartbeat; do
    expect_exit 2 "$opt $T/fifo: not a regular file" -- \
        "$HORIZON" "${RUN[@]}" --store "$S" "$opt" "$T/fifo"
    check "$opt: the FIFO is still one" test -p "$T/fifo"
done
check "nothing ran" bash -c \
    "'$HORIZON' jobs show o1 --store '$S' | grep -q 'status:    queued'"
# a device is written in place: one that fails at the end (a full disk)
# is exit 1 too, for $HZ_LLM_METRICS as for --metrics (before: exit 0)
S="sqlite:$T/full.db"
"$HORIZON" submit --store "$S" "${P[@]}" --dataset "$T/tiny.csv" --id f1
HZ_LLM_METRICS=/dev/full expect_exit 1 \
    "HZ_LLM_METRICS: could not write /dev/full: No space left on device" -- \
    "$HORIZON" "${RUN[@]}" --store "$S"
"$HORIZON" submit --store "$S" "${P[@]}" --dataset "$T/tiny.csv" --id f2
expect_exit 1 "could not write /dev/full" -- \
    "$HORIZON" "${RUN[@]}" --store "$S" --metrics /dev/full
# a regular file is replaced whole, never written through a link planted
# at its name (before: written in place, into the link's target)
"$HORIZON" submit --store "$S" "${P[@]}" --dataset "$T/tiny.csv" --id f3
echo "victim" > "$T/victim"
ln -s "$T/victim" "$T/llm-metrics.json"
HZ_LLM_METRICS="$T/llm-metrics.json" expect_exit 0 "" -- \
    "$HORIZON" "${RUN[@]}" --store "$S"
check "the link's target is untouched" grep -qx victim "$T/victim"
check "the metrics file is a regular file now" \
    bash -c "test -f '$T/llm-metrics.json' && ! test -L '$T/llm-metrics.json'"
check "the metrics file holds the metrics" grep -q '"jobs"' "$T/llm-metrics.json"

# ---- 130 / 143: --once stopped by SIGINT / SIGTERM before the queue was
# drained (the running job released, the others never claimed): not 0
for sig in INT TERM; do
    S="sqlite:$T/sig$sig.db"
    HZ_TEST_HOOKS=1 "$HORIZON" submit --store "$S" "${P[@]}" \
        --dataset "$T/tiny.csv" --count 3 --param debugSleepS=30
    HZ_TEST_HOOKS=1 "$HORIZON" run --once --store "$S" --concurrency 1 \
        --grace 1 >"$T/sig.out" 2>"$T/sig.err" &
    R=$!
    for _ in $(seq 100); do
        "$HORIZON" jobs list --store "$S" --status running --json 2>/dev/null |
            grep -q . && break
        sleep 0.1
    done
    kill -$sig $R
    wait $R
    rc=$?
    want=$([[ $sig == INT ]] && echo 130 || echo 143)
    check "--once stopped by SIG$sig: exit $want ($rc)" test $rc -eq "$want"
    check "SIG$sig: says the queue was not drained" \
        grep -q "SIG$sig: stopped by a signal before the queue was drained" "$T/sig.err"
    check "SIG$sig: all three jobs queued again" test \
        "$("$HORIZON" jobs list --store "$S" --status queued --json | wc -l)" -eq 3
done

# ---- 75: a corrupted page of the SQLite file
S="$T/corrupt.db"
"$HORIZON" submit --store "sqlite:$S" "${P[@]}" --dataset "$T/tiny.csv" --count 60
pages=$(( $(stat -c %s "$S") / 4096 ))
check "store has pages to damage ($pages)" test "$pages" -ge 4
dd if=/dev/urandom of="$S" bs=4096 seek=2 count=$((pages - 2)) conv=notrunc \
    status=none
expect_exit 75 "store unavailable" -- "$HORIZON" "${RUN[@]}" --store "sqlite:$S"
check "one line says why (corrupt)" one_line
grep -q "malformed\|corrupt\|not a database" "$T/err" ||
    check "the reason names the damage: $(cat "$T/err")" false

# ---- 75: a full disk (a small tmpfs when this may mount, else a file
# size limit); submit and run store nothing and say so
full_disk() { # the commands of this part, in a shell with a full disk
    local D=$1
    "$HORIZON" submit --store "sqlite:$D/s.db" "${P[@]}" \
        --dataset "$T/tiny.csv" --id first >/dev/null || return 10
    "$HORIZON" submit --store "sqlite:$D/s.db" "${P[@]}" \
        --dataset "$T/tiny.csv" --count 200 2>"$T/full_submit.err"
    echo "submit=$?"
    "$HORIZON" jobs list --store "sqlite:$D/s.db" --json 2>/dev/null |
        wc -l | sed 's/^/stored=/'
    fill "$D"
    ( [[ -n "${HZ_TMPFS:-}" ]] || ulimit -f 1
      "$HORIZON" run --once --quiet --claim-retry 1 --store "sqlite:$D/s.db" \
          2>"$T/full_run.err" )
    echo "run=$?"
}
fill() { # leave no room on the tmpfs (a file size limit: see full_disk)
    [[ -n "${HZ_TMPFS:-}" ]] &&
        dd if=/dev/zero of="$1/fill" bs=4k status=none 2>/dev/null
    return 0
}
export -f full_disk fill
export HORIZON T
export P_STR="${P[*]}"
out=""
if [[ $(id -u) -eq 0 ]] && unshare -m true 2>/dev/null; then
    out=$(HZ_TMPFS=1 unshare -m bash -c '
        P=($P_STR); mkdir -p "$T/mnt"
        mount -t tmpfs -o size=160k tmpfs "$T/mnt" 2>/dev/null || exit 9
        full_disk "$T/mnt"') || true
    how="tmpfs"
fi
if [[ "$out" != *submit=* ]]; then # no mount here: a file size limit
    mkdir -p "$T/lim"
    out=$(bash -c 'P=($P_STR); trap "" XFSZ; ulimit -f 96; full_disk "$T/lim"') || true
    how="file size limit"
fi
check "full disk ($how): submit --count 200 exit 75 [$out]" grep -q 'submit=75' <<<"$out"
check "full disk ($how): nothing of the 200 stored [$out]" grep -q 'stored=1$' <<<"$out"
check "full disk: submit says why" grep -q "nothing was stored" "$T/full_submit.err"
check "full disk ($how): run exit 75 [$out]" grep -q 'run=75' <<<"$out"
check "full disk: run says why" grep -q "store unavailable\|could not" "$T/full_run.err"

# ---- Cosmos DB: endpoint down (nothing listens), within the deadline
export COSMOS_KEY="dGVzdC1vbmx5LWtleS1ob3Jpem9uLWNvc21vcy1wZWVyLTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMg=="
export COSMOS_DATABASE=exitcodes COSMOS_DEADLINE_S=1.5 COSMOS_TIMEOUT_S=1
t0=$(date +%s)
COSMOS_ENDPOINT="http://127.0.0.1:1/" expect_exit 75 "store unavailable" -- \
    "$HORIZON" "${RUN[@]}" --store cosmos
check "cosmos down: one line says why" one_line
check "cosmos down: gave up within 15 s" test $(( $(date +%s) - t0 )) -le 15
check "no key in the output" bash -c "! grep -qF -- '$COSMOS_KEY' '$T/err' '$T/out'"

# ---- --watch keeps going and reports its health, then stops cleanly
COSMOS_ENDPOINT="http://127.0.0.1:1/" "$HORIZON" run --watch --store cosmos \
    --poll-interval 0.2 --heartbeat "$T/hb.json" --quiet 2>"$T/watch.err" &
W=$!
for _ in $(seq 100); do
    grep -q '"degraded"' "$T/hb.json" 2>/dev/null && break
    sleep 0.1
done
check "watch: heartbeat says degraded" grep -q '"state":[[:space:]]*"degraded"' "$T/hb.json"
check "watch: heartbeat has the last error" grep -q '"lastError"' "$T/hb.json"
check "watch: still running" kill -0 $W
kill -TERM $W; wait $W; rc=$?
check "watch: exit 0 on SIGTERM ($rc)" test $rc -eq 0
check "watch: backs off (few claims)" test "$(grep -c 'could not claim' "$T/watch.err")" -le 12

# ---- Cosmos DB through the fault proxy: 401, 403, a 429 storm
if ! command -v node >/dev/null 2>&1; then
    echo "skip: node is not installed (401/403/429 cases)"
    finish
fi
node "$HZ_SRC/tests/peers/fault_proxy.js" --target http://127.0.0.1:1 \
    --port 0 --port-file "$T/proxy.port" --rate 1 --faults 401=1 \
    --retry-after-ms 50 >"$T/proxy.log" 2>&1 &
PX=$!
trap 'kill $PX 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 200); do [[ -s "$T/proxy.port" ]] && break; sleep 0.05; done
export COSMOS_ENDPOINT="http://127.0.0.1:$(cat "$T/proxy.port")/"
setfaults() {
    curl -s -X POST -d "{\"faults\":\"$1\",\"rate\":1}" \
        "${COSMOS_ENDPOINT}__proxy/config" >/dev/null
}
expect_exit 75 "unauthorized" -- "$HORIZON" "${RUN[@]}" --store cosmos
check "401: one line says why" one_line
setfaults "403=1"
expect_exit 75 "forbidden" -- "$HORIZON" "${RUN[@]}" --store cosmos
setfaults "429=1"
t0=$(date +%s)
expect_exit 75 "throttled (429)" -- "$HORIZON" "${RUN[@]}" --store cosmos
check "429 storm: gave up within 15 s" test $(( $(date +%s) - t0 )) -le 15
check "no key in any output" bash -c "! grep -qF -- '$COSMOS_KEY' '$T/err' '$T/out' '$T/watch.err'"
finish
