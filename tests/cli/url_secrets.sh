#!/usr/bin/env bash
# Secrets inside URLs stay out of errors, logs, metrics and the store:
#  - an LLM endpoint with user:password (OPENAI_BASE_URL) is refused,
#    by `run` (template narratives instead) and by `explain` (exit 2),
#    with a message that does not show it; so is a Cosmos DB endpoint;
#  - an LLM endpoint with a key in its query string (OPENAI_BASE_URL
#    ...?key=, AZURE_OPENAI_ENDPOINT ...?sig=) is used, and errors name
#    the request URL with the query shown as "?..." (the stored narrative
#    error, explain's message); where the request goes is checked against
#    a stub in test_llm_requests;
#  - a dataset URL signed with ?sig= (a SAS URL): the runner's log lines
#    (text and JSON), the jobs' stored errors, the metrics files and every
#    stored field but the job's own `dataset` (and a dataset record's
#    `uri`) are free of the signature: a refused connection, a 404 and a
#    data error each name the URL as "http://host/file.csv?...";
#  - `datasets add` names a signed URL's dataset by its file name, and a
#    URL with a password or an odd scheme is refused without showing it;
#  - the printed records (jobs list|show, datasets list, schedule list,
#    with or without --json) show no signature, whatever the case of the
#    URL's scheme.
source "$(dirname "$0")/lib.sh"
export HORIZON_STORE="sqlite:$T/store.db" TMPDIR="$T" HZ_TEST_HOOKS=0 \
    HZ_DATASET_ROOTS="$T/data/{tenant}" HZ_LLM_MAX_ATTEMPTS=1
unset OPENAI_API_KEY OPENAI_BASE_URL AZURE_OPENAI_ENDPOINT AZURE_OPENAI_API_KEY \
      AZURE_OPENAI_DEPLOYMENT HZ_LLM_CONFIG HZ_DATASET_HOSTS \
      HZ_DATASET_ALLOW_ADDRS HZ_TENANT COSMOS_KEY || true
mkdir -p "$T/data/acme" "$T/www"
cp "$HZ_DATA_DIR/sample_sales.csv" "$T/data/acme/sales.csv"
cp "$HZ_DATA_DIR/sample_customers.csv" "$T/www/cust.csv"
cp "$HZ_DATA_DIR/sample_sales.csv" "$T/www/sales.csv"
P=(--param date=order_date --param value=revenue --param model=naive
   --param freq=month)
sub() { "$HORIZON" submit --type forecast --tenant acme "${P[@]}" --quiet "$@"; }
# no_secret DESCRIPTION SECRET FILE...: none of the files holds SECRET
no_secret() {
    local what=$1 secret=$2
    shift 2
    if grep -a -l -F -- "$secret" "$@" 2>/dev/null; then
        echo "FAIL: $what: '$secret' found in the files above"
        fails=$((fails + 1))
    else
        passes=$((passes + 1))
    fi
}
field() { # field JOB 'python expression on d'
    "$HORIZON" jobs show "$1" --json |
        /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print($2)"
}

# ---- LLM endpoint with user:password: refused, never shown
sub --dataset "$T/data/acme/sales.csv" --id l1
OPENAI_BASE_URL='http://bob:URLSECRET1@127.0.0.1:9/v1' OPENAI_API_KEY=sk-x \
HZ_LLM_METRICS="$T/llm1.json" \
    "$HORIZON" run --once --metrics "$T/m1.json" --metrics-file "$T/m1.prom" \
    >"$T/run1.out" 2>"$T/run1.err"
check "run says the endpoint is refused" grep -q \
    "OPENAI_BASE_URL: a user name or password in the URL is not allowed" \
    "$T/run1.err"
check "l1 succeeded with a template narrative" \
    test "$(field l1 "d['status'], d['narrative']['source']")" = "succeeded template"
expect_exit 2 "OPENAI_BASE_URL: a user name or password" -- \
    env OPENAI_BASE_URL='http://bob:URLSECRET1@127.0.0.1:9/v1' \
    OPENAI_API_KEY=sk-x "$HORIZON" explain l1 --refresh
cp "$T/err" "$T/explain1.err"
no_secret "user:password of the LLM endpoint" URLSECRET1 \
    "$T"/run1.* "$T"/explain1.err "$T"/llm1.json "$T"/m1.* "$T"/store.db*
expect_exit 2 "a user name or password in the URL is not allowed" -- \
    env COSMOS_ENDPOINT='https://bob:COSMOSSECRET4@127.0.0.1:1/' \
    COSMOS_KEY=a2V5 "$HORIZON" cosmos check --deadline 1
no_secret "user:password of the Cosmos DB endpoint" COSMOSSECRET4 "$T/err"

# ---- LLM endpoint with a key in the query string: used, never shown
sub --dataset "$T/data/acme/sales.csv" --id l2
OPENAI_BASE_URL='http://127.0.0.1:9/v1?key=QSECRET2' OPENAI_API_KEY=sk-x \
HZ_LLM_METRICS="$T/llm2.json" \
    "$HORIZON" run --once --log-format json --metrics "$T/m2.json" \
    --metrics-file "$T/m2.prom" >"$T/run2.out" 2>"$T/run2.err"
check "l2's narrative error names the request URL without its query" \
    grep -qF "POST http://127.0.0.1:9/v1/chat/completions?...: " \
    <(field l2 "d['narrative']['error']")
expect_exit 1 "POST http://127.0.0.1:9/v1/chat/completions?...: " -- \
    env OPENAI_BASE_URL='http://127.0.0.1:9/v1?key=QSECRET2' \
    OPENAI_API_KEY=sk-x "$HORIZON" explain l2 --refresh
cp "$T/err" "$T/explain2.err"
expect_exit 1 "POST http://127.0.0.1:9/openai/deployments/dep/chat/completions?...: " -- \
    env AZURE_OPENAI_ENDPOINT='http://127.0.0.1:9/?sig=AZSIGSECRET3' \
    AZURE_OPENAI_API_KEY=k AZURE_OPENAI_DEPLOYMENT=dep \
    "$HORIZON" explain l2 --refresh
cp "$T/err" "$T/explain3.err"
no_secret "a key in the LLM endpoint's query" QSECRET2 \
    "$T"/run2.* "$T"/explain2.err "$T"/llm2.json "$T"/m2.* "$T"/store.db*
no_secret "a signature in the Azure endpoint's query" AZSIGSECRET3 \
    "$T"/explain3.err "$T"/store.db*

# ---- dataset URLs signed with ?sig=
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
/usr/bin/python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$T/www" \
    >"$T/http.log" 2>&1 &
HTTP=$!
trap 'kill $HTTP 2>/dev/null || true; rm -rf "$T"' EXIT
for _ in $(seq 1 50); do
    curl -sf "http://127.0.0.1:$PORT/cust.csv" >/dev/null 2>&1 && break
    sleep 0.1
done
export HZ_DATASET_HOSTS=127.0.0.1 HZ_DATASET_ALLOW_ADDRS=127.0.0.1/32
SIG="sv=2024-01-01&sig=SASSECRET000"
"$HORIZON" submit --type clv --tenant acme --quiet --id s-data \
    --dataset "http://127.0.0.1:$PORT/cust.csv?$SIG"
sub --id s-404 --dataset "http://127.0.0.1:$PORT/absent.csv?$SIG"
sub --id s-refused --dataset "http://127.0.0.1:9/x.csv?$SIG"
sub --id s-ok --dataset "http://127.0.0.1:$PORT/sales.csv?$SIG"
# a scheme in capitals is the same scheme (RFC 3986), as datasets add reads it
sub --id s-upper --dataset "HTTP://127.0.0.1:$PORT/sales.csv?$SIG"
"$HORIZON" run --once --max-attempts 2 --metrics "$T/m3.json" \
    --metrics-file "$T/m3.prom" >"$T/run3.out" 2>"$T/run3.err"
"$HORIZON" jobs retry s-404 >/dev/null
"$HORIZON" run --once --log-format json --max-attempts 1 >"$T/run4.out" \
    2>"$T/run4.err"
check "s-ok succeeded" test "$(field s-ok "d['status']")" = succeeded
check "s-upper (HTTP://) succeeded" \
    test "$(field s-upper "d['status']")" = succeeded
check "s-data: a data error naming the URL without its query" grep -qF \
    "dataset http://127.0.0.1:$PORT/cust.csv?...: no amount column found" \
    <(field s-data "d['errorReason'], d['error']")
check "s-404: 'could not fetch' names the URL without its query" test \
    "$(field s-404 "d['error']")" = \
    "could not fetch http://127.0.0.1:$PORT/absent.csv?...: HTTP 404"
check "s-refused: retried, its log lines name the URL without its query" \
    grep -qF "job s-refused: will be retried [fetch]: could not fetch http://127.0.0.1:9/x.csv?...: " \
    "$T/run3.err"
check "the JSON log names it too" grep -qF "absent.csv?...: HTTP 404" "$T/run4.err"
# every stored field but the job's own dataset (and a dataset's uri)
"$HORIZON" datasets add --tenant acme "http://127.0.0.1:$PORT/cust.csv?$SIG" \
    >/dev/null
check "datasets add: the name is the file name" bash -c \
    "'$HORIZON' datasets list --json | grep -qF '\"name\":\"cust.csv\"'"
/usr/bin/python3 - "$T/store.db" >"$T/stored.txt" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for (body,) in db.execute("select body from docs"):
    try:
        d = json.loads(body)
    except ValueError:
        print(body)
        continue
    d.pop("dataset", None)
    d.pop("uri", None)
    print(json.dumps(d))
PY
check "the store was read" test -s "$T/stored.txt"
no_secret "a dataset URL's signature" SASSECRET000 \
    "$T"/run3.* "$T"/run4.* "$T"/m3.* "$T"/stored.txt
# a scheme in capitals is a URL too (it was shown whole by datasets list);
# a schedule's job keeps its dataset (schedule list --json showed it whole)
"$HORIZON" datasets add --tenant acme --no-profile \
    "HTTP://127.0.0.1:$PORT/cust.csv?$SIG" >/dev/null
"$HORIZON" schedule add --tenant acme --id nightly --cron @daily \
    --type forecast --dataset "http://127.0.0.1:$PORT/sales.csv?$SIG" \
    "${P[@]}" >/dev/null
"$HORIZON" schedule list >"$T/sl.txt"
"$HORIZON" schedule list --json >"$T/sl.json"
check "schedule list --json: the job's dataset without its query" grep -qF \
    "\"dataset\":\"http://127.0.0.1:$PORT/sales.csv?...\"" "$T/sl.json"
# the commands that print records show the URLs without their query
"$HORIZON" jobs show s-ok >"$T/show.txt"
"$HORIZON" jobs show s-ok --json >"$T/show.json"
"$HORIZON" jobs list --json >"$T/list.json"
"$HORIZON" datasets list >"$T/dl.txt"
"$HORIZON" datasets list --json >"$T/dl.json"
check "jobs show: the dataset without its query" grep -qF \
    "dataset:   http://127.0.0.1:$PORT/sales.csv?..." "$T/show.txt"
check "datasets list: the uri without its query" grep -qF \
    "http://127.0.0.1:$PORT/cust.csv?..." "$T/dl.txt"
no_secret "printed records" SASSECRET000 "$T/show.txt" "$T/show.json" \
    "$T/list.json" "$T/dl.txt" "$T/dl.json" "$T/sl.txt" "$T/sl.json"
# refused at submit, without showing the secret
expect_exit 2 "a user name or password in the URL is not allowed" -- \
    sub --dataset "http://bob:PWSECRET5@127.0.0.1:$PORT/sales.csv"
expect_exit 2 "unsupported URL scheme in 'ftp://127.0.0.1/sales.csv?...'" -- \
    sub --dataset "ftp://bob:PWSECRET5@127.0.0.1/sales.csv?$SIG"
cp "$T/err" "$T/submit.err"
expect_exit 2 "unsupported URL scheme in 'gopher://127.0.0.1/x?...'" -- \
    "$HORIZON" submit --file - <<<'{"type":"forecast","customerId":"acme","dataset":"gopher://u:PWSECRET5@127.0.0.1/x?sig=SASSECRET000"}'
no_secret "a refused dataset URL" PWSECRET5 "$T/err" "$T/submit.err"
finish
