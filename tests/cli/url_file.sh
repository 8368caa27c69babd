#!/usr/bin/env bash
# A signed dataset URL (a SAS token is a credential) given as an argument
# is seen by every local user (ps, /proc/PID/cmdline).  --url-file FILE
# (- for stdin) gives it to `datasets add`, `submit` and `schedule add`
# off the command line: the whole URL is stored and fetched, the
# command's arguments hold no signature, and the messages about a bad
# file never quote it.  There was no such option.
source "$(dirname "$0")/lib.sh"

export HORIZON_STORE="sqlite:$T/store.db" TMPDIR="$T" \
    HZ_DATASET_HOSTS=127.0.0.1 HZ_DATASET_ALLOW_ADDRS=127.0.0.1/32
unset HZ_TENANT HZ_DATASET_ROOTS || true
tiny_monthly_csv "$T/sales.csv"
# serves the CSV at any path, after a pause when the path says /slow/;
# logs every request's path and query
cat > "$T/server.py" <<'PY'
import http.server, sys, time
data = open(sys.argv[1], "rb").read()
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def do_GET(self):
        with open(sys.argv[2], "a") as f:
            f.write(self.path + "\n")
        if "/slow/" in self.path:
            time.sleep(1.5)
        self.send_response(200)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
open(sys.argv[3], "w").write(str(s.server_address[1]))
s.serve_forever()
PY
python3 "$T/server.py" "$T/sales.csv" "$T/hits" "$T/port" &
srv=$!
trap 'kill $srv 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
port=$(wait_port "$T/port")
SIG="sv=2024-05-04&sig=S3CRETSIGNATURE"
URL="http://127.0.0.1:$port/c/sales.csv?$SIG"

# ---- datasets add --url-file -: the signature is nowhere in its arguments
printf '%s\n' "http://127.0.0.1:$port/slow/sales.csv?$SIG" |
    "$HORIZON" datasets add --tenant acme --id ds1 --url-file - \
        >"$T/add.out" 2>"$T/add.err" &
add=$!
cmdline=""
for _ in $(seq 200); do # while it downloads (the server waits 1.5 s)
    grep -q slow "$T/hits" 2>/dev/null && {
        cmdline=$(tr '\0' ' ' <"/proc/$add/cmdline" 2>/dev/null)
        break
    }
    sleep 0.02
done
wait $add
rc=$?
check "datasets add --url-file - exits 0 ($rc: $(cat "$T/add.err"))" test $rc -eq 0
check "its command line was read while it ran ($cmdline)" \
    grep -q -- '--url-file' <<<"$cmdline"
check "its command line holds no signature" \
    bash -c "! grep -q S3CRET <<<'$cmdline'"
check "the download was signed (the whole URL was read)" \
    grep -q "/slow/sales.csv?$SIG" "$T/hits"
check "the dataset's profile was stored (24 rows)" \
    bash -c "'$HORIZON' datasets list --tenant acme | grep -q ' 24 '"

# ---- a file, with CRLF and blank lines after the URL
printf '%s\r\n\r\n\n' "$URL" > "$T/url.txt"
chmod 600 "$T/url.txt"
expect_exit 0 "" -- "$HORIZON" datasets add --tenant acme --id ds2 \
    --no-profile --url-file "$T/url.txt"

# ---- submit --url-file FILE and a job on each dataset: fetched signed
expect_exit 0 "" -- "$HORIZON" submit --type forecast --tenant acme --id j1 \
    --url-file "$T/url.txt" --param date=date --param value=value \
    --param freq=month --param model=naive --quiet
expect_exit 0 "" -- "$HORIZON" submit --type forecast --tenant acme --id j2 \
    --dataset-id ds2 --param date=date --param value=value \
    --param freq=month --param model=naive --quiet
: > "$T/hits"
expect_exit 0 "" -- "$HORIZON" run --once --quiet
check "both jobs fetched the signed URL ($(cat "$T/hits"))" \
    test "$(grep -c "/c/sales.csv?$SIG\$" "$T/hits")" -eq 2
check "jobs show names it without the signature" \
    bash -c "'$HORIZON' jobs show j1 | grep -qF 'sales.csv?...' && ! '$HORIZON' jobs show j1 | grep -q S3CRET"

# ---- schedule add --url-file -: the whole URL is in the schedule's job
printf '%s\n' "$URL" | "$HORIZON" schedule add --tenant acme --id nightly \
    --cron @daily --type forecast --url-file - --param date=date \
    --param value=value >"$T/out" 2>"$T/err"
rc=$?
check "schedule add --url-file - exits 0 ($rc: $(cat "$T/err"))" test $rc -eq 0
check "the stored schedule holds the signed URL" \
    bash -c "sqlite3 '$T/store.db' \"select body from docs where id='nightly'\" | grep -qF '$SIG'"

# ---- refused: nothing stored, exit 2 (3 for a file that cannot be read),
#      and no message quotes the file
printf '%s\n%s\n' "$URL" "$URL" > "$T/two.txt"
: > "$T/empty.txt"
printf '\n  \n' > "$T/blank.txt"
printf 'http://127.0.0.1/a\0%s\n' "$SIG" > "$T/nul.txt"
head -c 5000 /dev/zero | tr '\0' a | sed "s|^|http://127.0.0.1/|" > "$T/long.txt"
for c in "datasets add --tenant acme" \
         "submit --type forecast --tenant acme --param date=date" \
         "schedule add --tenant acme --id s2 --cron @daily --type forecast"; do
    # shellcheck disable=SC2086
    {
        expect_exit 2 "more than one line" -- "$HORIZON" $c --url-file "$T/two.txt"
        check "$c: the message does not quote the file" \
            bash -c "! grep -q S3CRET '$T/err'"
        expect_exit 2 "empty" -- "$HORIZON" $c --url-file "$T/empty.txt"
        expect_exit 2 "empty" -- "$HORIZON" $c --url-file "$T/blank.txt"
        expect_exit 2 "NUL" -- "$HORIZON" $c --url-file "$T/nul.txt"
        check "$c: the NUL message does not quote the file" \
            bash -c "! grep -q S3CRET '$T/err'"
        expect_exit 2 "longer than" -- "$HORIZON" $c --url-file "$T/long.txt"
        expect_exit 3 "no-such.txt" -- "$HORIZON" $c --url-file "$T/no-such.txt"
    }
done
expect_exit 2 "add needs --tenant and one PATH or URL, or --url-file" -- \
    "$HORIZON" datasets add --tenant acme --url-file "$T/url.txt" "$URL"
expect_exit 2 "--dataset and --url-file are exclusive" -- \
    "$HORIZON" submit --type forecast --tenant acme --dataset "$T/sales.csv" \
    --url-file "$T/url.txt" --param date=date
expect_exit 2 "--dataset and --url-file are exclusive" -- \
    "$HORIZON" schedule add --tenant acme --id s3 --cron @daily \
    --type forecast --dataset "$T/sales.csv" --url-file "$T/url.txt"
echo '[]' > "$T/jobs.json"
expect_exit 2 "--file and --url-file are exclusive" -- \
    "$HORIZON" submit --file "$T/jobs.json" --url-file "$T/url.txt"
check "nothing else was stored (2 datasets, 2 jobs, 1 schedule)" \
    test "$(sqlite3 "$T/store.db" 'select count(*) from docs')" -eq \
    "$(( 2 + 2 + 1 + $(sqlite3 "$T/store.db" "select count(*) from docs where container not in ('jobs','datasets','schedules')") ))"
finish
