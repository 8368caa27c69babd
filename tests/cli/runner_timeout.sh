#!/usr/bin/env bash
# Timeouts and shutdown:
#  - a job whose tool overruns the job timeout is failed with that reason
#    while the other jobs finish;
#  - a suite job whose engine call (tool) overruns --tool-timeout fails
#    with that reason;
#  - SIGTERM stops claiming, releases the running job (attempt refunded)
#    after the grace period, and the runner exits cleanly.
# The slow tool is simulated with params.debugSleepS, which the runner
# honours only with HZ_TEST_HOOKS=1.
set -euo pipefail
: "${HORIZON:?}" "${HZ_TEST_TMP:?}" "${HZ_DATA_DIR:?}"
T="$HZ_TEST_TMP/runner_timeout"
rm -rf "$T" && mkdir -p "$T"
export HORIZON_STORE="sqlite:$T/store.db" TMPDIR="$T" HZ_TEST_HOOKS=1 \
    HZ_DATASET_ROOTS="$HZ_DATA_DIR:$T"
fail() { echo "FAIL: $*" >&2; exit 1; }

{
    echo "date,value"
    for i in $(seq 0 23); do
        printf '%04d-%02d-01,%d\n' $((2022 + i / 12)) $((i % 12 + 1)) $((100 + i * 7 % 13))
    done
} > "$T/tiny.csv"
FC=(--type forecast --tenant acme --dataset "$T/tiny.csv" --param dateColumn=date
    --param valueColumn=value --param model=naive --param freq=month)
for i in 1 2 3 4 5; do "$HORIZON" submit "${FC[@]}" --id "ok-$i" --quiet; done
"$HORIZON" submit "${FC[@]}" --id slow --param debugSleepS=60 --timeout 1.5 --quiet
"$HORIZON" submit --type suite --tenant acme --id slowtool \
    --dataset "$HZ_DATA_DIR/sample_sales.csv" --param debugSleepS=60 \
    --param debugSleepTool=suite --timeout 120 --quiet

ms() { echo $(( $(date +%s%N) / 1000000 )); }
start=$(ms)
rc=0
"$HORIZON" run --once --concurrency 3 --timeout 10 --tool-timeout 2 \
    --metrics "$T/m.json" > "$T/run.out" 2> "$T/run.log" || rc=$?
elapsed=$(( $(ms) - start ))
[[ $rc -eq 1 ]] || fail "runner exit status $rc, expected 1 (some jobs failed)"
echo "runner took $elapsed ms"
(( elapsed < 30000 )) || fail "runner took $elapsed ms: wedged?"

for i in 1 2 3 4 5; do
    "$HORIZON" jobs show "ok-$i" | grep -q "status:    succeeded" ||
        fail "ok-$i did not succeed"
done
show=$("$HORIZON" jobs show slow)
grep -q "status:    failed" <<<"$show" || fail "slow job not failed: $show"
grep -q "\[timeout\] job exceeded its timeout of 1.5 s" <<<"$show" ||
    fail "slow job: wrong error: $show"
show=$("$HORIZON" jobs show slowtool)
grep -q "\[tool-timeout\] tool suite exceeded its timeout of 2 s" <<<"$show" ||
    fail "suite job: wrong error: $show"
grep -Eq '"timeout":[[:space:]]*1' "$T/m.json" || fail "metrics: no timeout failure"
grep -Eq '"tool-timeout":[[:space:]]*1' "$T/m.json" || fail "metrics: no tool-timeout"
grep -q "job slow (forecast, tenant acme) failed \[timeout\]" "$T/run.log" ||
    fail "runner log does not name the timeout"

# SIGTERM: the running job is released (attempt refunded), exit is clean
"$HORIZON" submit "${FC[@]}" --id long --param debugSleepS=60 --quiet
"$HORIZON" run --watch --poll-interval 0.2 --grace 1 --timeout 100 \
    > "$T/w.out" 2> "$T/w.log" &
W=$!
for _ in $(seq 1 100); do
    "$HORIZON" jobs show long | grep -q "status:    running" && break
    sleep 0.1
done
kill -TERM "$W"
t0=$(ms)
wrc=0
wait "$W" || wrc=$?
took=$(( $(ms) - t0 ))
(( took < 10000 )) || fail "shutdown took $took ms"
[[ $wrc -eq 0 ]] || fail "runner exit status $wrc after SIGTERM"
grep -q "stopping" "$T/w.log" || fail "no shutdown message"
show=$("$HORIZON" jobs show long)
grep -q "status:    queued" <<<"$show" || fail "long job not released: $show"
grep -q "attempts:  0" <<<"$show" || fail "attempt not refunded: $show"
echo "ok: timeouts fail their job only; SIGTERM released the running job"
