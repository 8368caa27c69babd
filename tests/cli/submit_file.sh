#!/usr/bin/env bash
# `horizon submit --file`: the file's jobs, checked as a whole, with every
# error naming the file and the job (by id, or as "job #N" counted from 1
# when it has none):
#  - job flags with --file are a usage error naming the flag (they were
#    silently ignored);
#  - --tenant or $HZ_TENANT binds the file: a job of another tenant is
#    refused, a job without customerId takes the tenant;
#  - an escaped NUL (\u0000) in an id is refused (it cut "z\u0000evil"
#    to job "z"), as are raw NUL bytes and control characters;
#  - unknown top-level fields ("timeout" for timeoutS, "bogus") and the
#    runner's fields are refused, but not with --no-validate (tests store
#    runner states that way); a key twice in one object is refused;
#  - two jobs with one id in one tenant are refused, naming both;
#  - JSON syntax errors say FILE:LINE:COLUMN; a directory is a read error
#    (exit 3); a job without an id is "FILE: job #N", not a generated id.
source "$(dirname "$0")/lib.sh"
export HORIZON_STORE="sqlite:$T/store.db" TMPDIR="$T" \
    HZ_DATASET_ROOTS="$T/data/{tenant}"
unset HZ_TENANT HZ_DATASET_HOSTS HZ_DATASET_ALLOW_ADDRS || true
mkdir -p "$T/data/acme" "$T/data/beta"
cp "$HZ_DATA_DIR/sample_sales.csv" "$T/data/acme/sales.csv"
cp "$HZ_DATA_DIR/sample_sales.csv" "$T/data/beta/sales.csv"
PR='"params":{"date":"order_date","value":"revenue"}'
A="\"dataset\":\"$T/data/acme/sales.csv\",$PR"
stored() { "$HORIZON" jobs list --json | grep -c '"id"' || true; }

# ---- job flags with --file
echo "{\"id\":\"tb\",\"type\":\"forecast\",\"customerId\":\"beta\",\"dataset\":\"$T/data/beta/sales.csv\",$PR}" >"$T/tb.json"
expect_exit 2 "--file and --type are exclusive" -- "$HORIZON" submit \
    --tenant acme --type churn --dataset "$T/data/acme/sales.csv" --file "$T/tb.json"
expect_exit 2 "--file and --dataset are exclusive" -- "$HORIZON" submit \
    --dataset "$T/data/acme/sales.csv" --file "$T/tb.json"
expect_exit 2 "--file and --param/--params are exclusive" -- "$HORIZON" submit \
    --param horizon=3 --file "$T/tb.json"
expect_exit 2 "--file and --id are exclusive" -- "$HORIZON" submit \
    --id x --file "$T/tb.json"

# ---- a tenant binds the file
expect_exit 2 "$T/tb.json: job tb: customerId 'beta' is not tenant 'acme'" -- \
    "$HORIZON" submit --tenant acme --file "$T/tb.json"
expect_exit 2 "customerId 'beta' is not tenant 'acme'" -- \
    env HZ_TENANT=acme "$HORIZON" submit --file "$T/tb.json"
check "nothing stored for a tenant's mismatch" test "$(stored)" -eq 0
echo "[{\"id\":\"own\",\"type\":\"forecast\",$A},{\"id\":\"own2\",\"type\":\"forecast\",\"customerId\":\"acme\",$A}]" >"$T/acme.json"
expect_exit 0 "" -- "$HORIZON" submit --tenant acme --quiet --file "$T/acme.json"
check "a job without customerId takes the tenant" bash -c \
    "'$HORIZON' jobs show own --tenant acme | grep -q 'tenant:    acme'"
expect_exit 2 "field 'customerId' is missing" -- \
    "$HORIZON" submit --file - <<<"{\"id\":\"own3\",\"type\":\"forecast\",$A}"
# without a tenant, a file may hold several tenants' jobs, as before
expect_exit 0 "" -- "$HORIZON" submit --quiet --file "$T/tb.json"

# ---- NUL and control characters in ids
printf '{"id":"z\\u0000evil","type":"forecast","customerId":"acme",%s}' "$A" >"$T/nul.json"
expect_exit 2 "$T/nul.json:1:9: field 'id': invalid id: \\u0000" -- \
    "$HORIZON" submit --file "$T/nul.json"
expect_exit 2 "" -- "$HORIZON" submit --no-validate --file "$T/nul.json"
printf '{"id":"z1","type":"forecast","customerId":"ac\\u0000me",%s}' "$A" >"$T/nult.json"
expect_exit 2 "field 'customerId': invalid id" -- \
    "$HORIZON" submit --file "$T/nult.json"
printf '{"id":"z\001x","type":"forecast","customerId":"acme",%s}' "$A" >"$T/ctl.json"
expect_exit 2 "is not a valid id" -- "$HORIZON" submit --file "$T/ctl.json"
printf '{"id":"z2","type":"forecast",\n"customerId":"acme",\000%s}' "$A" >"$T/raw.json"
expect_exit 2 "$T/raw.json:2:21: a NUL byte" -- \
    "$HORIZON" submit --file "$T/raw.json"
# an escaped backslash followed by "u0000" is text, not a NUL
cat >"$T/text.json" <<'JSON'
{"id":"lit","type":"forecast","customerId":"acme","dataset":"/x.csv","params":{"x":"a\\u0000b"}}
JSON
expect_exit 0 "" -- "$HORIZON" submit --no-validate --quiet --file "$T/text.json"
check "no job z, z1, z2 was stored" bash -c \
    "! '$HORIZON' jobs list --json | grep -q '\"z[0-9]*\"'"

# ---- unknown fields, duplicate keys
cat >"$T/bad.json" <<JSON
[{"id":"u1","type":"forecast","customerId":"acme",$A,"timeout":-5},
 {"id":"u2","type":"forecast","customerId":"acme",$A,"bogus":1},
 {"id":"u3","type":"forecast","customerId":"acme","customerId":"beta",$A},
 {"id":"u4","type":"forecast","customerId":"acme","dataset":"$T/data/acme/sales.csv",
  "params":{"date":"order_date","value":"revenue","date":"x"}},
 {"id":"u6","type":"forecast","customerId":"acme",$A,"leaseOwner":"h:1:x"}]
JSON
expect_exit 2 "$T/bad.json: job u1: unknown field 'timeout'" -- \
    "$HORIZON" submit --file "$T/bad.json"
check "bogus named" grep -qF "$T/bad.json: job u2: unknown field 'bogus'" "$T/err"
check "a key twice" grep -qF "$T/bad.json: job u3: key 'customerId' appears more than once" "$T/err"
check "a params key twice" grep -qF "job u4: field 'params': key 'date' appears more than once" "$T/err"
check "the runner's fields" grep -qF "job u6: field 'leaseOwner' is written by the runner" "$T/err"
check "nothing stored from bad.json" bash -c \
    "! '$HORIZON' jobs list --json | grep -q '\"u[0-9]\"'"
# --no-validate stores runner states (runner tests) but not duplicates
echo "{\"id\":\"nv\",\"type\":\"forecast\",\"customerId\":\"acme\",$A,\"leaseOwner\":\"h:1:x\",\"leaseExpiry\":1}" >"$T/nv.json"
expect_exit 0 "" -- "$HORIZON" submit --no-validate --quiet --file "$T/nv.json"
echo "{\"id\":\"nv2\",\"type\":\"forecast\",\"customerId\":\"acme\",\"customerId\":\"beta\",$A}" >"$T/nv2.json"
expect_exit 2 "key 'customerId' appears more than once" -- \
    "$HORIZON" submit --no-validate --file "$T/nv2.json"

# ---- duplicate ids (within a tenant)
cat >"$T/dupid.json" <<JSON
[{"id":"d1","type":"forecast","customerId":"acme",$A},
 {"id":"d1","type":"forecast","customerId":"beta","dataset":"$T/data/beta/sales.csv",$PR},
 {"id":"d1","type":"forecast","customerId":"acme",$A}]
JSON
expect_exit 2 "$T/dupid.json: job #1 and job #3 both have id 'd1' (tenant acme)" -- \
    "$HORIZON" submit --file "$T/dupid.json"
check "one message for the pair" test "$(grep -c 'both have id' "$T/err")" -eq 1
check "nothing stored from dupid.json" bash -c \
    "! '$HORIZON' jobs list --json | grep -q '\"d1\"'"

# ---- where: FILE:LINE:COLUMN, job #N, directories
printf '[\n {"id":"s1",\n  "type": forecast}\n]\n' >"$T/syntax.json"
expect_exit 2 "$T/syntax.json:3:11: invalid JSON" -- \
    "$HORIZON" submit --file "$T/syntax.json"
printf '[{"type":"forecast","customerId":"acme",%s} x\n' "$A" >"$T/trail.json"
expect_exit 2 "$T/trail.json:1:" -- "$HORIZON" submit --file "$T/trail.json"
echo "[{\"type\":\"forcast\",$A},{\"type\":\"forecast\",\"customerId\":\"acme\",\"dataset\":\"$T/data/acme/none.csv\",$PR}]" >"$T/noid.json"
expect_exit 2 "$T/noid.json: job #1: field 'type': unknown job type 'forcast'" -- \
    "$HORIZON" submit --tenant acme --file "$T/noid.json"
check "job #2 named too" grep -qF "$T/noid.json: job #2: dataset '$T/data/acme/none.csv'" "$T/err"
check "no generated id is named" bash -c "! grep -q 'job j-' '$T/err'"
expect_exit 3 "could not read '$T/data': Is a directory" -- \
    "$HORIZON" submit --file "$T/data"
expect_exit 3 "could not read '$T/absent.json'" -- \
    "$HORIZON" submit --file "$T/absent.json"
expect_exit 2 "<stdin>:1:1: invalid JSON" -- "$HORIZON" submit --file - </dev/null
finish
