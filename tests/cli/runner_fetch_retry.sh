#!/usr/bin/env bash
# A dataset URL that answers 429 or 5xx is tried again within the job,
# after the server's Retry-After or 1, 2, 4 s, while the waits end within
# the first half of the job's timeout: a throttled server no longer fails
# the job for good on its first 429, and a 503 no longer uses up the
# job's attempts in milliseconds.  Other 4xx fail at once, as before.
source "$(dirname "$0")/lib.sh"

export HORIZON_STORE="sqlite:$T/store.db" TMPDIR="$T" \
    HZ_DATASET_HOSTS=127.0.0.1 HZ_DATASET_ALLOW_ADDRS=127.0.0.1/32
"$HORIZON" gen --kind sales --rows 300 --customers 30 --months 24 --seed 1 \
    -o "$T/sales.csv" > /dev/null 2>&1
# /CODE_N[_ra].csv answers CODE (with Retry-After: 1 when _ra) N times,
# then the file; every request is logged with its time
cat > "$T/server.py" <<'PY'
import http.server, sys, time
data = open(sys.argv[1], "rb").read()
hits = {}
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def do_GET(self):
        name = self.path.split("?")[0].strip("/").split(".")[0]
        hits[name] = hits.get(name, 0) + 1
        with open(sys.argv[2], "a") as f:
            f.write("%s %.3f\n" % (name, time.time()))
        code, n, *ra = name.split("_")
        if hits[name] <= int(n):
            self.send_response(int(code))
            if ra:
                self.send_header("retry-after", "1")
            self.send_header("content-length", "0")
            self.end_headers()
            return
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
trap 'kill $srv 2>/dev/null; wait 2>/dev/null; [[ -n "${HZ_KEEP_TMP:-}" ]] || rm -rf "$T"' EXIT
port=$(wait_port "$T/port")

submit() { # NAME TIMEOUT
    "$HORIZON" submit --type forecast --tenant acme --id "$1" \
        --dataset "http://127.0.0.1:$port/$1.csv?sig=S3CRET" \
        --param date=order_date --param value=revenue --param freq=month \
        --timeout "$2" --quiet
}
submit 429_1_ra 60
submit 503_2 60
submit 404_1 60
submit 503_99 4
"$HORIZON" run --once --concurrency 4 --quiet > "$T/out" 2> "$T/err"
rc=$?
check "run exit 1: one job failed for good ($rc)" test $rc -eq 1
show() { "$HORIZON" jobs show "$1" --json |
         python3 -c "import json,sys; d=json.load(sys.stdin); print($2)"; }
hits() { grep -c "^$1 " "$T/hits"; }
gap() { # NAME: seconds between its first two requests
    grep "^$1 " "$T/hits" | head -2 |
        awk 'NR==1{a=$2} NR==2{printf "%.2f", $2-a}'
}
check "429 with Retry-After: succeeded" \
    test "$(show 429_1_ra "d['status']")" = succeeded
check "429: in its first attempt" test "$(show 429_1_ra "d['attempts']")" = 1
check "429: Retry-After waited ($(gap 429_1_ra) s)" \
    python3 -c "import sys; sys.exit(not $(gap 429_1_ra) >= 0.9)"
check "503 twice: succeeded" test "$(show 503_2 "d['status']")" = succeeded
check "503 twice: in its first attempt" test "$(show 503_2 "d['attempts']")" = 1
check "503 twice: three requests ($(hits 503_2))" test "$(hits 503_2)" -eq 3
check "404: failed" test "$(show 404_1 "d['status']")" = failed
check "404: one request ($(hits 404_1))" test "$(hits 404_1)" -eq 1
# a 4 s job: waits of 1 s only (1 + 2 would pass half of it), then the
# attempt fails as before and the runner retries it (3 attempts)
check "503 always: failed" test "$(show 503_99 "d['status']")" = failed
check "503 always: for its fetch, not its timeout" \
    test "$(show 503_99 "d['errorReason']")" = fetch
check "503 always: two requests an attempt ($(hits 503_99))" \
    test "$(hits 503_99)" -eq 6
check "no signature in any message" \
    bash -c "! grep -q S3CRET '$T/err' '$T/out'"
finish
