#!/usr/bin/env bash
# What a runner that died leaves in TMPDIR: its work directory
# (horizon-run-XXXXXX) with each running job's directory and request, the
# job's dataset location included (a signed URL is a secret).  A runner
# killed by SIGKILL (or stopped at once by a second SIGTERM) left it on
# disk for good.  Now a runner holds a lock in its directory while it
# lives, and one that starts removes the directories of runners that are
# gone: only those (a live runner's is left, and so is a directory
# without the lock file, which a runner may be making or an older one
# left).
source "$(dirname "$0")/lib.sh"
mkdir -p "$T/data/acme" "$T/tmp"
chmod 1777 "$T/tmp"
tiny_monthly_csv "$T/data/acme/sales.csv"
export HORIZON_STORE="sqlite:$T/store.db" HZ_DATASET_ROOTS="$T/data/{tenant}" \
    TMPDIR="$T/tmp" HZ_TEST_HOOKS=1
unset HZ_TENANT OPENAI_API_KEY OPENAI_BASE_URL AZURE_OPENAI_ENDPOINT \
    HZ_LLM_CONFIG || true
submit() {
    "$HORIZON" submit --type forecast --tenant acme --id "$1" --quiet \
        --dataset "$T/data/acme/sales.csv" --param date=date \
        --param value=value --param model=naive --param freq=month "${@:2}"
}
# wait_req: the path of a request file in a new work directory (10 s)
wait_req() {
    for _ in $(seq 200); do
        for f in "$T"/tmp/horizon-run-*/job-*/result.json.req; do
            [[ -e "$f" && "$f" != "$1"* ]] && { echo "$f"; return; }
        done
        sleep 0.05
    done
}

# a runner killed while its job runs leaves its directory
submit k1 --param debugSleepS=30
"$HORIZON" run --once >/dev/null 2>&1 &
victim=$!
req=$(wait_req none)
kill -9 "$victim"
wait "$victim" 2>/dev/null
dead=${req%/job-*}
check "the killed runner left its directory and the request ($req)" \
    test -f "$req"
# deeper content in its job's directory (what a job process without
# Landlock may make) and symbolic links pointing out of it: removed to the
# bottom, the links never followed (their targets stay)
jd=${req%/result.json.req}
mkdir -p "$jd/a/b/c/d" "$T/outside/dir"
echo keep >"$T/outside/keep.txt"
echo keep >"$T/outside/dir/inner.txt"
echo deep >"$jd/a/b/c/d/deep.txt"
ln -s "$T/outside/keep.txt" "$jd/a/b/link-file"
ln -s "$T/outside/dir" "$jd/a/b/c/link-dir"
ln -s "$T/outside" "$dead/link-top"
# the next runner (its job asleep: alive while a third one starts) and a
# directory without a lock file
submit k2 --param debugSleepS=30
"$HORIZON" run --once --lease 60 >/dev/null 2>"$T/live.err" &
live_pid=$!
req2=$(wait_req "$dead")
live=${req2%/job-*}
mkdir -m 700 "$T/tmp/horizon-run-Legacy" "$T/tmp/horizon-run-Legacy/job-0-1"
echo '{}' >"$T/tmp/horizon-run-Legacy/job-0-1/result.json.req"
check "the live runner's directory is there ($live)" test -d "$live"

submit k3
"$HORIZON" run --once --concurrency 1 >"$T/run.out" 2>"$T/run.err"
check "the next runner removed the dead runner's directory" test ! -e "$dead"
check "the links' targets survive" test -f "$T/outside/keep.txt" -a \
    -f "$T/outside/dir/inner.txt" -a -d "$T/outside/dir"
check "and said so" grep -qF "removed 1 work directory of runners that are gone ($dead)" "$T/live.err"
check "the live runner's directory is left" test -f "$req2"
check "a directory without a lock is left" \
    test -f "$T/tmp/horizon-run-Legacy/job-0-1/result.json.req"
check "the new runner's job ran" test "$("$HORIZON" jobs show k3 --json |
    /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')" = succeeded
kill -9 "$live_pid"
wait "$live_pid" 2>/dev/null
check "nothing more was removed" \
    test "$(grep -c removed "$T/run.err")" = 0
check "the last runner removed its own directory" \
    test "$(ls -d "$T"/tmp/horizon-run-* | grep -vc -e Legacy -e "$live")" = 0
finish
