#!/usr/bin/env bash
# Bad job documents fail that job with a clear error and never stop the
# runner: unknown type, missing dataset, dataset file absent, unreadable
# URL (404 and connection refused), bad parameters, unknown datasetId,
# malformed CSV.  Good jobs in the same queue (one from a local HTTP URL,
# one through a registered dataset) succeed.  Also checks that submit
# refuses the same bad documents up front, naming the field.
set -euo pipefail
: "${HORIZON:?}" "${HZ_TEST_TMP:?}" "${HZ_DATA_DIR:?}"
T="$HZ_TEST_TMP/runner_bad_jobs"
rm -rf "$T" && mkdir -p "$T/www"
export HORIZON_STORE="sqlite:$T/store.db" TMPDIR="$T"
# the sandbox: this test's directory, and its own HTTP server on loopback
export HZ_DATASET_ROOTS="$T" HZ_DATASET_HOSTS=127.0.0.1 \
    HZ_DATASET_ALLOW_ADDRS=127.0.0.1/32
fail() { echo "FAIL: $*" >&2; exit 1; }

{
    echo "date,value"
    for i in $(seq 0 23); do
        printf '%04d-%02d-01,%d\n' $((2022 + i / 12)) $((i % 12 + 1)) $((50 + i))
    done
} > "$T/www/tiny.csv"
printf 'date,value\n2024-01-01,1\n2024-02-30,2\n"unterminated,3\n' > "$T/bad.csv"

# a loopback HTTP server for URL datasets
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
/usr/bin/python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$T/www" \
    > "$T/http.log" 2>&1 &
HTTP=$!
trap 'kill $HTTP 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
    curl -sf "http://127.0.0.1:$PORT/tiny.csv" >/dev/null 2>&1 && break
    sleep 0.1
done

P='"params":{"dateColumn":"date","valueColumn":"value","model":"naive","freq":"month"}'
DS=$("$HORIZON" datasets add --tenant acme --name tiny "$T/www/tiny.csv")
"$HORIZON" datasets list --tenant acme | grep -q "tiny" || fail "datasets list"
cat > "$T/jobs.json" <<JSON
[
 {"id":"good-path","type":"forecast","customerId":"acme","dataset":"$T/www/tiny.csv",$P},
 {"id":"good-url","type":"forecast","customerId":"acme","dataset":"http://127.0.0.1:$PORT/tiny.csv",$P},
 {"id":"good-dsid","type":"forecast","customerId":"acme","datasetId":"$DS",$P},
 {"id":"bad-type","type":"forcast","customerId":"acme","dataset":"$T/www/tiny.csv"},
 {"id":"no-dataset","type":"forecast","customerId":"acme",$P},
 {"id":"no-file","type":"forecast","customerId":"acme","dataset":"$T/absent.csv",$P},
 {"id":"url-404","type":"forecast","customerId":"acme","dataset":"http://127.0.0.1:$PORT/absent.csv",$P},
 {"id":"url-refused","type":"forecast","customerId":"acme","dataset":"http://127.0.0.1:1/x.csv",$P},
 {"id":"bad-horizon","type":"forecast","customerId":"acme","dataset":"$T/www/tiny.csv","params":{"horizon":-3}},
 {"id":"bad-param","type":"churn","customerId":"acme","dataset":"$T/www/tiny.csv","params":{"horizn":3}},
 {"id":"bad-dsid","type":"forecast","customerId":"acme","datasetId":"d-nope",$P},
 {"id":"bad-csv","type":"forecast","customerId":"acme","dataset":"$T/bad.csv",$P},
 {"id":"bad-params-type","type":"clv","customerId":"acme","dataset":"$T/www/tiny.csv","params":[1,2]}
]
JSON
# submit validates first ...
out=$("$HORIZON" submit --file "$T/jobs.json" 2>&1) && fail "submit accepted bad jobs"
grep -q "job bad-type: field 'type': unknown job type 'forcast'" <<<"$out" ||
    fail "submit message: $out"
grep -q "params.horizon: expected an integer in \[1, 100000\], got '-3'" <<<"$out" ||
    fail "submit message: $out"
grep -q "13 jobs invalid: nothing was stored" <<<"$out" || fail "submit: $out"
[[ -z "$("$HORIZON" jobs list --json)" ]] || fail "submit stored some jobs"
# ... so store them as they are to test the runner
"$HORIZON" jobs list --json > /dev/null
rm -f "$T"/store.db*
DS2=$("$HORIZON" datasets add --tenant acme --id "$DS" "$T/www/tiny.csv")
[[ "$DS2" == "$DS" ]] || fail "datasets add --id"
"$HORIZON" submit --no-validate --file "$T/jobs.json" --quiet

rc=0
"$HORIZON" run --once --concurrency 4 --max-attempts 2 --timeout 30 \
    > "$T/run.out" 2> "$T/run.log" || rc=$?
[[ $rc -eq 1 ]] || { cat "$T/run.log"; fail "runner exit status $rc, expected 1"; }

check() { # id status reason message-fragment
    local s
    s=$("$HORIZON" jobs show "$1") || fail "jobs show $1"
    grep -q "status:    $2" <<<"$s" || fail "$1: not $2: $s"
    if [[ -n "${3:-}" ]]; then
        grep -qF "error:     [$3]" <<<"$s" || fail "$1: reason not $3: $s"
        grep -qF -- "$4" <<<"$s" || fail "$1: message lacks '$4': $s"
    fi
}
check good-path succeeded
check good-url succeeded
check good-dsid succeeded
check bad-type failed validation "field 'type': unknown job type 'forcast'"
check no-dataset failed validation "field 'dataset' is missing"
check no-file failed dataset "absent.csv': no such file"
check url-404 failed fetch "absent.csv: HTTP 404"
check url-refused failed fetch "could not fetch http://127.0.0.1:1/x.csv"
check bad-horizon failed params "params.horizon: expected an integer"
check bad-param failed params "params.horizn: unknown parameter"
check bad-dsid failed dataset "datasetId 'd-nope': no such dataset"
check bad-csv failed dataset "bad.csv"
check bad-params-type failed validation "field 'params': expected an object"
# a refused connection is transient: retried up to --max-attempts
"$HORIZON" jobs show url-refused | grep -q "attempts:  2" ||
    fail "url-refused was not retried"
"$HORIZON" jobs show url-404 | grep -q "attempts:  1" ||
    fail "url-404 (permanent) was retried"
# results of a good job stream out
n=$("$HORIZON" jobs results good-url | wc -l)
[[ $n -eq 13 ]] || fail "good-url: $n result lines, expected header + 12"
"$HORIZON" jobs results good-url --json | head -1 | grep -q '"point"' ||
    fail "results --json"
echo "ok: 10 bad jobs failed with clear errors, 3 good jobs succeeded"
