#!/usr/bin/env bash
# tests/peers/fault_proxy.js: forwards to its target, faults a seeded,
# deterministic share of requests (same seed -> same sequence), sends
# 429 with x-ms-retry-after-ms / retry-after-ms / Retry-After, cuts
# connections, damages bodies, and is reconfigured at run time through
# POST /__proxy/config.  (Reused by the LLM tests for OpenAI traffic.)
source "$(dirname "$0")/lib.sh"

if ! command -v node >/dev/null 2>&1; then
    echo "skip: node is not installed (install nodejs/npm)"
    exit 77
fi
# a tiny upstream: echoes the path as JSON
cat > "$T/up.js" <<'JS'
const http = require("http");
const s = http.createServer((q, r) => {
  const b = JSON.stringify({ path: q.url, ok: true });
  r.writeHead(200, { "content-type": "application/json",
    "content-length": Buffer.byteLength(b) });
  r.end(b);
});
s.listen(0, "127.0.0.1", () => {
  require("fs").writeFileSync(process.argv[2], String(s.address().port));
});
JS
node "$T/up.js" "$T/up.port" & up=$!
pids=($up)
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 200); do [[ -s "$T/up.port" ]] && break; sleep 0.05; done
upport=$(cat "$T/up.port")

start_proxy() { # NAME ARGS... (not in a subshell: pids must be kept)
    local name=$1; shift
    node "$HZ_SRC/tests/peers/fault_proxy.js" --target \
        "http://127.0.0.1:$upport" --port 0 --port-file "$T/$name.port" \
        "$@" >"$T/$name.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 200); do [[ -s "$T/$name.port" ]] && break; sleep 0.05; done
}
statuses() { # PORT N -> one status per line (000 = connection cut)
    curl -s -m 2 -H 'Connection: close' -w '%{http_code}\n' -o /dev/null \
        "http://127.0.0.1:$1/r/[1-$2]" || true
}

faults="429=2,503=1,500=1,drop=1,malformed=1"
start_proxy a --seed 42 --rate 0.5 --faults "$faults" --retry-after-ms 250
start_proxy b --seed 42 --rate 0.5 --faults "$faults" --retry-after-ms 250
start_proxy c --seed 43 --rate 0.5 --faults "$faults" --retry-after-ms 250
p1=$(cat "$T/a.port") p2=$(cat "$T/b.port") p3=$(cat "$T/c.port")
statuses "$p1" 40 > "$T/s1"
statuses "$p2" 40 > "$T/s2"
statuses "$p3" 40 > "$T/s3"
check "same seed, same fault sequence" cmp -s "$T/s1" "$T/s2"
check "another seed, another sequence" bash -c "! cmp -s '$T/s1' '$T/s3'"
n200=$(grep -c '^200$' "$T/s1")
check "about half forwarded ($n200/40)" test "$n200" -ge 10 -a "$n200" -le 30
check "some 429" grep -q '^429$' "$T/s1"
check "some 503 or 500" grep -qE '^50[03]$' "$T/s1"
check "some cut connections" grep -q '^000$' "$T/s1"

# the 429 headers
curl -s -D "$T/h" -o /dev/null -X POST -d '{"rate":1,"faults":"429=1"}' \
    "http://127.0.0.1:$p1/__proxy/config"
curl -s -D "$T/h" -o "$T/b" "http://127.0.0.1:$p1/x"
check "429 status" grep -q '^HTTP/1.1 429' "$T/h"
check "x-ms-retry-after-ms" grep -qi '^x-ms-retry-after-ms: 250' "$T/h"
check "retry-after-ms" grep -qi '^retry-after-ms: 250' "$T/h"
check "Retry-After seconds" grep -qi '^retry-after: 1' "$T/h"
# malformed body: upstream status, damaged JSON
curl -s -X POST -d '{"faults":"malformed=1"}' \
    "http://127.0.0.1:$p1/__proxy/config" >/dev/null
code=$(curl -s -o "$T/b" -w '%{http_code}' "http://127.0.0.1:$p1/y")
check "malformed keeps the status" test "$code" = 200
check "malformed body is not JSON" \
    bash -c "! node -e 'JSON.parse(require(\"fs\").readFileSync(\"$T/b\",\"utf8\"))' 2>/dev/null"
# delay: a client timeout shorter than the delay gives up
curl -s -X POST -d '{"faults":"delay=1","delayMs":1500}' \
    "http://127.0.0.1:$p1/__proxy/config" >/dev/null
code=$(curl -s -o /dev/null -m 0.5 -w '%{http_code}' "http://127.0.0.1:$p1/z" || true)
check "delay past the client timeout" test "$code" = 000
# rate 0: everything forwarded
curl -s -X POST -d '{"rate":0}' "http://127.0.0.1:$p1/__proxy/config" >/dev/null
statuses "$p1" 10 > "$T/s4"
check "rate 0 forwards all" test "$(grep -c '^200$' "$T/s4")" -eq 10
curl -s "http://127.0.0.1:$p1/__proxy/stats" > "$T/stats"
check "stats count faults" node -e '
  const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  process.exit(s.requests >= 53 && s.faults["429"] >= 2 ? 0 : 1);' "$T/stats"
check "bad config refused" test "$(curl -s -o /dev/null -w '%{http_code}' \
    -X POST -d '{bad' "http://127.0.0.1:$p1/__proxy/config")" = 400
finish
