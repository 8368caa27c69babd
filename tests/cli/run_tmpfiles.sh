#!/usr/bin/env bash
# The runner's files for its job processes (the request with the job
# document, a signed dataset URL included; the result rows; the HTML
# report; downloads) live in a directory of the run's own, made with
# mkdtemp (mode 0700) in $TMPDIR and removed at the end, so that in a
# shared /tmp nobody else can:
#  - guess their names and put a link there (the request was written
#    through a symlink: a file of the runner's user was overwritten);
#  - put a result file there first: a job process that cannot write its
#    result (here a directory in the way of its temporary file) left the
#    runner reading the planted file, whose rows became the job's results;
#  - read them while the job runs (they were 0644 with umask 022).
# The heartbeat and the metrics file are rewritten through temporary
# files of names nobody can guess either (they were PATH.tmp.PID).
source "$(dirname "$0")/lib.sh"
mkdir -p "$T/data/acme" "$T/tmp"
chmod 1777 "$T/tmp" # as /tmp
export HORIZON_STORE="sqlite:$T/store.db" HZ_DATASET_ROOTS="$T/data/{tenant}" \
    TMPDIR="$T/tmp" HZ_TEST_HOOKS=1
unset OPENAI_API_KEY OPENAI_BASE_URL AZURE_OPENAI_ENDPOINT HZ_LLM_CONFIG \
      HZ_TENANT || true
tiny_monthly_csv "$T/data/acme/sales.csv"
sub() {
    "$HORIZON" submit --type forecast --tenant acme --quiet \
        --dataset "$T/data/acme/sales.csv" --param date=date \
        --param value=value --param model=naive --param freq=month "$@"
}
field() { # field JOB 'python expression on d'
    "$HORIZON" jobs show "$1" --json |
        /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print($2)"
}
# run_planted PREPARE: a --once run whose pid is known before it starts;
# PREPARE PID plants files where the runner's names used to be
run_planted() {
    rm -f "$T/pid" "$T/go"
    sh -c 'echo $$ > "$1/pid"; while [ ! -e "$1/go" ]; do sleep 0.05; done
           exec "$2" run --once --concurrency 2' sh "$T" "$HORIZON" \
        >"$T/run.out" 2>"$T/run.err" &
    local bg=$!
    for _ in $(seq 200); do [[ -s "$T/pid" ]] && break; sleep 0.05; done
    "$1" "$(cat "$T/pid")"
    touch "$T/go"
    wait "$bg"
}

# ---- a link where the request file went: nothing written through it
echo "precious" > "$T/victim"
plant_links() {
    for w in 0 1; do
        ln -s "$T/victim" "$T/tmp/hz-run-$1-$w-1.json.req"
    done
}
sub --id linked
run_planted plant_links
check "the job behind the planted links succeeded" \
    test "$(field linked "d['status']")" = succeeded
check "the file a planted link points to is unchanged" \
    test "$(cat "$T/victim")" = precious
rm -f "$T"/tmp/hz-run-*

# ---- a planted result file is not taken for the job's result
plant_result() {
    for w in 0 1; do
        local f="$T/tmp/hz-run-$1-$w-1.json"
        printf '#rows 1 "forecast"\n{"kind":"forecast","series":"total","date":"2024-01-01","point":666666}\n#end {"ok":true,"stages":[0,0,0,0,0]}\n' >"$f"
        mkdir "$f.part" # the job process's rename target is in the way
    done
}
sub --id planted
run_planted plant_result
check "the job with a planted result file succeeded" \
    test "$(field planted "d['status']")" = succeeded
"$HORIZON" jobs results planted >"$T/planted.csv" 2>&1
check "its results are its own, not the planted rows" \
    bash -c "! grep -q 666666 '$T/planted.csv' && grep -q '^forecast,total,2024-01-01,' '$T/planted.csv'"
rm -rf "$T"/tmp/hz-run-*

# ---- while a job runs, its files are the runner's alone
sub --id slow --param debugSleepS=2
"$HORIZON" run --once >"$T/run.out" 2>"$T/run.err" &
bg=$!
for _ in $(seq 100); do
    [[ -n "$(find "$T/tmp" -name '*.req' 2>/dev/null)" ]] && break
    sleep 0.05
done
find "$T/tmp" -mindepth 1 -printf '%m %y %P\n' >"$T/listing"
wait "$bg"
check "a request file exists while the job runs" grep -q '\.req$' "$T/listing"
check "the job's files are in a directory of mode 700 inside TMPDIR" \
    bash -c "awk '\$2 == \"d\"' '$T/listing' | grep -qx '700 d horizon-run-[A-Za-z0-9]*' &&
             ! awk '\$2 == \"f\"' '$T/listing' | grep -qv ' horizon-run-[A-Za-z0-9]*/'"
check "the slow job succeeded" test "$(field slow "d['status']")" = succeeded
check "the run leaves nothing in TMPDIR" \
    test -z "$(find "$T/tmp" -mindepth 1 -print -quit)"

# ---- the heartbeat and the metrics file are rewritten through temporary
# files beside them: of names nobody can guess (mkstemp), never
# PATH.tmp.PID, where a planted link was written through every second
mkdir -p "$T/shared"
chmod 1777 "$T/shared"
echo "precious" >"$T/victim"
rm -f "$T/pid" "$T/victim2"
sh -c 'echo $$ > "$1/pid"; while [ ! -e "$1/go" ]; do sleep 0.05; done
       exec "$2" run --watch --poll-interval 0.2 --metrics-interval 0.2 \
           --heartbeat "$1/shared/hb.json" --metrics-file "$1/shared/m.prom"' \
    sh "$T" "$HORIZON" >/dev/null 2>&1 &
bg=$!
for _ in $(seq 200); do [[ -s "$T/pid" ]] && break; sleep 0.05; done
rm -f "$T/go"
ln -s "$T/victim" "$T/shared/hb.json.tmp.$(cat "$T/pid")"
ln -s "$T/victim2" "$T/shared/m.prom.tmp.$(cat "$T/pid")"
touch "$T/go"
for _ in $(seq 100); do [[ -s "$T/shared/hb.json" && -s "$T/shared/m.prom" ]] && break; sleep 0.05; done
sleep 1.5
kill -TERM "$bg"
wait "$bg"
check "the heartbeat was written" grep -q '"state"' "$T/shared/hb.json"
check "the metrics file was written" grep -q '^# EOF' "$T/shared/m.prom"
check "a link planted at the heartbeat's old temporary name is not written through" \
    test "$(cat "$T/victim")" = precious
check "nor one at the metrics file's" test ! -e "$T/victim2"
check "no temporary file is left beside them" \
    test -z "$(find "$T/shared" -name '.*' -print -quit)"

# ---- a TMPDIR where no directory can be made: the run says so, claims nothing
sub --id later
expect_exit 75 "could not create the run's work directory in $T/nowhere" -- \
    env TMPDIR="$T/nowhere" "$HORIZON" run --once
check "the job is still queued" test "$(field later "d['status']")" = queued
finish
