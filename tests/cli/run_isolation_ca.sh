#!/usr/bin/env bash
# A URL dataset served with a private CA's certificate: the CA named by
# SSL_CERT_FILE, CURL_CA_BUNDLE or SSL_CERT_DIR (OpenSSL's hashed names,
# several directories separated by ':', links to certificates elsewhere)
# is used by the download and readable by the isolated job process.
# Before, libcurl (Debian's names its bundle at build time) ignored the
# variables: every such job failed "SSL certificate problem: self-signed
# certificate", after retries, without a word about the CA; and Landlock
# did not allow what a list in SSL_CERT_DIR or its links named, nor
# OPENSSL_CONF.  A certificate failure is not retried and says which CA
# certificates were used.
source "$(dirname "$0")/lib.sh"
abi=$(/usr/bin/python3 -c 'import ctypes; print(ctypes.CDLL(None).syscall(444, None, 0, 1))')
if [[ "$abi" -le 0 ]]; then
    echo "skip: the kernel has no Landlock (landlock_create_ruleset: $abi)"
    exit 77
fi
mkdir -p "$T/www" "$T/ca/file" "$T/ca/elsewhere" "$T/ca/dir" "$T/ca/empty"
tiny_monthly_csv "$T/www/sales.csv"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$T/key.pem" \
    -out "$T/ca/file/ca.pem" >/dev/null 2>&1
cp "$T/ca/file/ca.pem" "$T/ca/elsewhere/private-ca.pem"
hash=$(openssl x509 -noout -subject_hash -in "$T/ca/file/ca.pem")
ln -s "$T/ca/elsewhere/private-ca.pem" "$T/ca/dir/$hash.0"
printf 'openssl_conf = default\n[default]\n' >"$T/ca/openssl.cnf"
chmod 600 "$T/ca/openssl.cnf"
export HORIZON_STORE="sqlite:$T/store.db" TMPDIR="$T" \
    HZ_DATASET_HOSTS=127.0.0.1 HZ_DATASET_ALLOW_ADDRS=127.0.0.1/32
unset HZ_TENANT HZ_JOB_ISOLATION HZ_DATASET_ROOTS SSL_CERT_FILE SSL_CERT_DIR \
    CURL_CA_BUNDLE OPENSSL_CONF OPENAI_API_KEY OPENAI_BASE_URL \
    AZURE_OPENAI_ENDPOINT HZ_LLM_CONFIG || true
/usr/bin/python3 -c '
import functools, http.server, ssl, sys
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0),
                           functools.partial(Quiet, directory=sys.argv[1]))
c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
c.load_cert_chain(sys.argv[2], sys.argv[3])
s.socket = c.wrap_socket(s.socket, server_side=True)
open(sys.argv[4], "w").write(str(s.server_address[1]))
s.serve_forever()' "$T/www" "$T/ca/file/ca.pem" "$T/key.pem" "$T/port" &
server=$!
trap 'kill $server 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
port=$(wait_port "$T/port")
job() { # ID ENV...: one job on the HTTPS dataset, run isolated
    local id=$1
    shift
    "$HORIZON" submit --type forecast --tenant acme --id "$id" --quiet \
        --dataset "https://127.0.0.1:$port/sales.csv?sig=s3cr3t" \
        --param date=date --param value=value --param model=naive \
        --param freq=month --max-attempts 3
    env "$@" "$HORIZON" run --once >"$T/$id.out" 2>"$T/$id.err"
}

job none
check "without the CA the job fails ($(field none status))" \
    test "$(field none status)" = failed
check "naming the certificate problem and the CA certificates used" \
    grep -qF "self-signed certificate (TLS: the server's certificate is checked against the system's CA certificates; a private CA: set SSL_CERT_FILE" "$T/none.err"
check "at the first attempt (not retried: $(field none attempts))" \
    test "$(field none attempts)" = 1
check "the URL's query stays out of the log" \
    test "$(grep -c s3cr3t "$T/none.err")" = 0

job file "SSL_CERT_FILE=$T/ca/file/ca.pem" "OPENSSL_CONF=$T/ca/openssl.cnf"
check "SSL_CERT_FILE (and OPENSSL_CONF): the job succeeds ($(field file error))" \
    test "$(field file status)" = succeeded
job bundle "CURL_CA_BUNDLE=$T/ca/file/ca.pem"
check "CURL_CA_BUNDLE: the job succeeds ($(field bundle error))" \
    test "$(field bundle status)" = succeeded
job dir "SSL_CERT_DIR=$T/ca/empty:$T/ca/dir"
check "SSL_CERT_DIR, a list, a link to a certificate elsewhere: the job succeeds ($(field dir error))" \
    test "$(field dir status)" = succeeded
job wrong "SSL_CERT_FILE=$T/ca/openssl.cnf"
check "a CA file without the CA: the job fails naming it" \
    grep -qF "checked against the CA file $T/ca/openssl.cnf)" "$T/wrong.err"
finish
