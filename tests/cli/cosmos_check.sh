#!/usr/bin/env bash
# `horizon cosmos check` gives up within one overall deadline on a dead
# endpoint (nothing listening) and on one that accepts connections but
# never answers, instead of once per container; exit 75, the key never
# printed; exit 2 when the configuration is missing.
source "$(dirname "$0")/lib.sh"
export COSMOS_KEY="dGVzdC1vbmx5LWtleS1ob3Jpem9uLWNvc21vcy1wZWVyLTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMg=="
export COSMOS_DATABASE=check
unset COSMOS_DEADLINE_S COSMOS_TIMEOUT_S COSMOS_CA_CERT
COSMOS_ENDPOINT="" expect_exit 2 "COSMOS_ENDPOINT" -- "$HORIZON" cosmos check
within() { # seconds, command...
    local lim=$1 t0 t1
    shift
    t0=$(date +%s.%N)
    "$@" >"$T/out" 2>"$T/err"
    local rc=$?
    t1=$(date +%s.%N)
    echo "$rc $(awk -v a="$t1" -v b="$t0" 'BEGIN { printf "%.2f", a - b }')"
}
r=$(COSMOS_ENDPOINT="http://127.0.0.1:1/" within 0 "$HORIZON" cosmos check \
    --deadline 3)
check "dead endpoint: exit 75 within ~3 s ($r)" \
    bash -c "[[ '${r% *}' == 75 ]] && awk 'BEGIN { exit !(${r#* } < 6) }'"
check "dead endpoint: says it gave up" grep -q "gave up after" "$T/err"
# a listener that accepts and never answers
/usr/bin/python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(64)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
' "$T/port" & BH=$!
trap 'kill $BH 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 100); do [[ -s "$T/port" ]] && break; sleep 0.05; done
r=$(COSMOS_ENDPOINT="http://127.0.0.1:$(cat "$T/port")/" within 0 \
    "$HORIZON" cosmos check --deadline 3)
check "silent endpoint: exit 75 within ~3 s, not 5 x 60 s ($r)" \
    bash -c "[[ '${r% *}' == 75 ]] && awk 'BEGIN { exit !(${r#* } < 6) }'"
check "no key in the output" bash -c "! grep -qF -- '$COSMOS_KEY' '$T/err' '$T/out'"
finish
