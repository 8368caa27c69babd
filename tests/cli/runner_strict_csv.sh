#!/usr/bin/env bash
# A forecast job reads its dataset as strictly as `horizon forecast`: the
# same reader options (the date and value columns read strictly, the date
# window), so a bad or empty date or value fails the job at ingest with
# the same file:line:field message as the command, and no results are
# stored.  (Jobs used to drop rows with an empty date or value and
# succeed, and failed mixed columns at compute time naming
# /proc/self/fd/N and no line.)  A good file still succeeds.
set -euo pipefail
: "${HORIZON:?}" "${HZ_TEST_TMP:?}"
T="$HZ_TEST_TMP/runner_strict_csv"
rm -rf "$T" && mkdir -p "$T"
export HORIZON_STORE="sqlite:$T/store.db" TMPDIR="$T" HZ_DATASET_ROOTS="$T"
fail() { echo "FAIL: $*" >&2; exit 1; }

{
    echo "date,value"
    for i in $(seq 0 29); do
        printf '%04d-%02d-01,%d\n' $((2022 + i / 12)) $((i % 12 + 1)) $((50 + i))
    done
} > "$T/good.csv"
# name:line-edit pairs: each makes one bad file from good.csv
cases=(
    "value-text:2s/.*/2022-01-01,abc/"
    "value-mixed:2s/.*/2022-01-01,1.5x/;3s/.*/2022-02-01,n\/a/"
    "value-empty:5s/.*/2022-04-01,/"
    "date-text:2s/.*/Jan 2022,50/"
    "date-mixed:2s/.*/2022-01-01 junk,50/;3s/.*/2022-02-30,51/"
    "date-empty:5s/.*/,53/"
    "date-late:10s/.*/2022-13-01,58/"
)
P='"date":"date","value":"value","model":"naive","freq":"month"'
{
    echo "["
    for c in "${cases[@]}"; do
        name=${c%%:*}
        sed "${c#*:}" "$T/good.csv" > "$T/$name.csv"
        echo "{\"id\":\"j-$name\",\"type\":\"forecast\",\"customerId\":\"acme\",\"dataset\":\"$T/$name.csv\",\"params\":{$P}},"
    done
    # the date window is a reader option too (it was ignored by jobs)
    echo "{\"id\":\"j-window\",\"type\":\"forecast\",\"customerId\":\"acme\",\"dataset\":\"$T/good.csv\",\"params\":{$P,\"date-window\":\"2023:2030\"}},"
    echo "{\"id\":\"j-good\",\"type\":\"forecast\",\"customerId\":\"acme\",\"dataset\":\"$T/good.csv\",\"params\":{$P}}"
    echo "]"
} > "$T/jobs.json"
"$HORIZON" submit --no-validate --file "$T/jobs.json" --quiet
rc=0
"$HORIZON" run --once --concurrency 2 --max-attempts 1 --timeout 60 \
    > "$T/run.out" 2> "$T/run.log" || rc=$?
[[ $rc -eq 1 ]] || { cat "$T/run.log" >&2; fail "runner exit $rc, expected 1"; }

# the job's error is the command's, place and all
same_as_cli() { # job-id file [extra CLI options]
    local id=$1 f=$2 s cli want
    shift 2
    cli=$("$HORIZON" forecast "$f" --date date --value value --model naive \
        --freq month "$@" -o "$T/out.csv" 2>&1) && fail "forecast accepted $f"
    [[ ! -e "$T/out.csv" ]] || fail "forecast wrote output for $f"
    want=${cli#horizon forecast: }
    s=$("$HORIZON" jobs show "$id") || fail "jobs show $id"
    grep -q "status:    failed" <<<"$s" || fail "$id did not fail: $s"
    grep -qF "error:     [dataset] $want" <<<"$s" ||
        fail "$id: error differs from the command's ($want): $s"
    [[ -z "$("$HORIZON" jobs results "$id" 2>/dev/null || true)" ]] ||
        fail "$id stored results"
}
for c in "${cases[@]}"; do
    name=${c%%:*}
    same_as_cli "j-$name" "$T/$name.csv"
done
same_as_cli j-window "$T/good.csv" --date-window 2023:2030
grep -q ":10:1: column 'date'" <<<"$("$HORIZON" jobs show j-date-late)" ||
    fail "the message does not name line 10"
"$HORIZON" jobs show j-good | grep -q "status:    succeeded" ||
    fail "the good job did not succeed"
[[ $("$HORIZON" jobs results j-good | wc -l) -gt 12 ]] ||
    fail "the good job has no results"
echo "ok: forecast jobs read their CSV as strictly as horizon forecast"
