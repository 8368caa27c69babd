#!/usr/bin/env bash
# The dataset sandbox: a job (and `datasets add`, `submit`) reads only
# files inside HZ_DATASET_ROOTS and URLs on hosts in HZ_DATASET_HOSTS, at
# addresses that are not internal unless HZ_DATASET_ALLOW_ADDRS allows
# them, checked on the address actually connected to.  Cases: /etc/passwd,
# a symlink out of a root, a hard link, "../", file://, per-tenant roots, no roots at
# all; hosts not on the list, redirects to 127.0.0.1 and to another host,
# [::1], the decimal and octal forms of 127.0.0.1, a name that resolves
# to loopback; and no file or response content in any error.
source "$(dirname "$0")/lib.sh"
export HORIZON_STORE="sqlite:$T/store.db" TMPDIR="$T" HZ_TEST_HOOKS=0
unset HZ_DATASET_ROOTS HZ_DATASET_HOSTS HZ_DATASET_ALLOW_ADDRS
mkdir -p "$T/root/acme" "$T/root/globex" "$T/outside"
{
    echo "date,value"
    for i in $(seq 0 23); do
        printf '%04d-%02d-01,%d\n' $((2022 + i / 12)) $((i % 12 + 1)) $((50 + i))
    done
} > "$T/root/acme/sales.csv"
cp "$T/root/acme/sales.csv" "$T/root/globex/sales.csv"
echo "date,value" > "$T/outside/secret.csv"
echo "SECRET-FILE-CONTENT,1" >> "$T/outside/secret.csv"
ln -s /etc/passwd "$T/root/acme/passwd.csv"
ln -s "$T/outside/secret.csv" "$T/root/acme/link.csv"
P=(--param date=date --param value=value --param model=naive --param freq=month)
sub() { "$HORIZON" submit --type forecast --tenant acme "${P[@]}" --quiet "$@"; }

# ---- no roots configured: nothing local at all
expect_exit 2 "local datasets are not allowed (set HZ_DATASET_ROOTS" -- \
    sub --dataset "$T/root/acme/sales.csv"
export HZ_DATASET_ROOTS="$T/root"

# ---- local paths at submit (exit 2, the rule named, no content)
expect_exit 0 "" -- sub --dataset "$T/root/acme/sales.csv" --id ok-abs
(cd "$T/root/acme" && "$HORIZON" submit --type forecast --tenant acme \
    "${P[@]}" --quiet --dataset sales.csv --id ok-rel) 2>"$T/err"
check "a relative path is stored absolute" bash -c \
    "'$HORIZON' jobs show ok-rel | grep -qF 'dataset:   $T/root/acme/sales.csv'"
expect_exit 2 "outside the dataset roots" -- sub --dataset /etc/passwd
expect_exit 2 "outside the dataset roots" -- sub --dataset file:///etc/passwd
expect_exit 2 "outside the dataset roots" -- sub --dataset "$T/root/acme/passwd.csv"
expect_exit 2 "outside the dataset roots" -- sub --dataset "$T/root/acme/link.csv"
expect_exit 2 "outside the dataset roots" -- \
    sub --dataset "$T/root/acme/../../outside/secret.csv"
expect_exit 3 "no such file" -- sub --dataset "$T/root/acme/absent.csv"
expect_exit 2 "outside the dataset roots" -- sub --dataset "$T/outside/absent.csv"
expect_exit 2 "outside the dataset roots" -- \
    "$HORIZON" datasets add --tenant acme /etc/passwd
check "datasets list shows no file content" bash -c \
    "! '$HORIZON' datasets list --json | grep -q 'root:'"

# ---- per-tenant roots: acme reads its own directory only
export HZ_DATASET_ROOTS="$T/root/{tenant}"
expect_exit 0 "" -- sub --dataset "$T/root/acme/sales.csv" --id own
expect_exit 2 "outside the dataset roots" -- \
    sub --dataset "$T/root/globex/sales.csv" --id other
expect_exit 2 "outside the dataset roots" -- \
    "$HORIZON" submit --type forecast --tenant .. "${P[@]}" \
    --dataset "$T/root/acme/sales.csv"

# ---- a hard link in acme's directory to globex's file: either name may be
# the file, so it is not read (at submit, datasets add and in the runner)
ln "$T/root/globex/sales.csv" "$T/root/acme/hard.csv"
expect_exit 2 "the file has 2 hard links" -- \
    sub --dataset "$T/root/acme/hard.csv"
expect_exit 2 "the file has 2 hard links" -- \
    "$HORIZON" datasets add --tenant acme "$T/root/acme/hard.csv"

# ---- the runner checks again: documents stored without validation
cat > "$T/bad.json" <<JSON
[{"id":"r-passwd","type":"forecast","customerId":"acme","dataset":"/etc/passwd","params":{"date":"date","value":"value"}},
 {"id":"r-file","type":"forecast","customerId":"acme","dataset":"file:///etc/passwd","params":{"date":"date","value":"value"}},
 {"id":"r-link","type":"forecast","customerId":"acme","dataset":"$T/root/acme/link.csv","params":{"date":"date","value":"value"}},
 {"id":"r-dotdot","type":"forecast","customerId":"acme","dataset":"$T/root/acme/../globex/sales.csv","params":{"date":"date","value":"value"}},
 {"id":"r-hard","type":"forecast","customerId":"acme","dataset":"$T/root/acme/hard.csv","params":{"date":"date","value":"value"}},
 {"id":"r-url","type":"forecast","customerId":"acme","dataset":"http://127.0.0.1:1/x.csv","params":{"date":"date","value":"value"}}]
JSON
"$HORIZON" submit --no-validate --file "$T/bad.json" --quiet
"$HORIZON" run --once --concurrency 2 --quiet >"$T/run.out" 2>"$T/run.err"
check "runner exit 1 (jobs failed)" test $? -eq 1
for id in r-passwd r-file r-link r-dotdot; do
    check "$id refused by the runner" bash -c "'$HORIZON' jobs show $id |
        grep -qF '[dataset] dataset' && '$HORIZON' jobs show $id |
        grep -q 'outside the dataset roots'"
done
check "r-hard refused by the runner" bash -c "'$HORIZON' jobs show r-hard |
    grep -qF 'the file has 2 hard links'"
check "r-url refused (no host allowed)" bash -c "'$HORIZON' jobs show r-url |
    grep -q 'not on the allow-list'"
check "own and ok jobs succeeded" bash -c "'$HORIZON' jobs list --status succeeded | grep -c '^own\|^ok-' | grep -qx 3"
check "no file content in the store or logs" bash -c \
    "! grep -aq 'root:x:0\|SECRET-FILE-CONTENT' '$T'/store.db* '$T/run.err'"

# ---- URLs
if ! /usr/bin/python3 -c 1 2>/dev/null; then finish; fi
SRV="$HZ_SRC/tests/cli/sandbox_server.py"
/usr/bin/python3 "$SRV" 127.0.0.1 "$T/p1" & pids=($!)
for _ in $(seq 100); do [[ -s "$T/p1" ]] && break; sleep 0.05; done
P1=$(cat "$T/p1")
/usr/bin/python3 "$SRV" 127.0.0.2 "$T/p2" "$P1" & pids+=($!)
trap 'kill "${pids[@]}" 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 100); do [[ -s "$T/p2" ]] && break; sleep 0.05; done
P2=$(cat "$T/p2")
add() { "$HORIZON" datasets add --tenant acme "$@"; }
export HZ_DATASET_ROOTS="$T/root"
export HZ_DATASET_HOSTS="127.0.0.2, 127.0.0.1, localhost, [::1]"
# no internal address allowed yet: every loopback address is refused
expect_exit 2 "127.0.0.1 is a loopback address" -- add "http://127.0.0.1:$P1/data.csv"
expect_exit 2 "127.0.0.1 is a loopback address" -- add "http://2130706433:$P1/data.csv"
expect_exit 2 "127.0.0.1 is a loopback address" -- add "http://0177.0.0.1:$P1/data.csv"
expect_exit 2 "is a loopback address" -- add "http://localhost:$P1/data.csv"
expect_exit 2 "::1 is a loopback address" -- add "http://[::1]:$P1/data.csv"
expect_exit 2 "host 'example.org' is not on the allow-list" -- \
    add "http://example.org/data.csv"
expect_exit 2 "only http and https" -- add "ftp://127.0.0.2/data.csv"
expect_exit 2 "user name or password" -- add "http://u:p@127.0.0.2:$P2/data.csv"
# malformed URLs are refused (not read as the default port), each message
# naming the URL without its secrets
expect_exit 2 "dataset URL 'http://127.0.0.2/data.csv?...': an empty port" -- \
    add "http://127.0.0.2:/data.csv?sig=SIGSECRET"
expect_exit 2 "dataset URL 'http://127.0.0.2:0/data.csv': port '0' is not a number from 1 to 65535" -- \
    add "http://127.0.0.2:0/data.csv"
expect_exit 2 "port '65536' is not a number from 1 to 65535" -- \
    add "http://127.0.0.2:65536/data.csv?sig=SIGSECRET"
expect_exit 2 "dataset URL 'http://127.0.0.2:99999999999999999999/data.csv?...': port" -- \
    add "http://127.0.0.2:99999999999999999999/data.csv?sig=SIGSECRET"
expect_exit 2 "dataset URL 'http://127.0.0.2:$P2/data.csv?...': a user name or password" -- \
    add "http://u:PWSECRET@127.0.0.2:$P2/data.csv?sig=SIGSECRET"
expect_exit 2 "dataset URL 'http://127.0.0.2/data.csv': a user name or password" -- \
    add "http://127.0.0.2:$P2%2f@127.0.0.2/data.csv"
expect_exit 2 "dataset URL 'http://127.0.0.2:$P2/a b.csv?...': not a valid URL" -- \
    add "http://127.0.0.2:$P2/a b.csv?sig=SIGSECRET"
check "no secret of a malformed URL in any message" bash -c \
    "! grep -q -e SIGSECRET -e PWSECRET '$T/err' '$T/out'"
# a password with a '/', '?' or '#' in it (not percent-encoded): libcurl
# reads what precedes it as the host and cannot parse the port; neither
# the URL shown nor the reason shows the user name or the password
# (they were shown: 'http://u:PW/SECRET@...': port 'PW' is not a number)
for pw in "PW/PWSECRET" "PW?PWSECRET" "PW#PWSECRET"; do
    expect_exit 2 "a user name or password in the URL is not allowed" -- \
        add "http://USERSECRET:$pw@127.0.0.2/data.csv?sig=SIGSECRET"
    check "no user name or password of '$pw' in its message ($(cat "$T/err"))" \
        bash -c "! grep -q -e SIGSECRET -e PWSECRET -e USERSECRET -e \"'PW\" '$T/err' '$T/out'"
done
# 127.0.0.2 allowed: it serves; its redirects stay within the rules
export HZ_DATASET_ALLOW_ADDRS="127.0.0.2/32"
expect_exit 0 "" -- add --id d-ok "http://127.0.0.2:$P2/data.csv"
expect_exit 0 "" -- add --id d-redir "http://127.0.0.2:$P2/redir-ok"
expect_exit 2 "could not fetch http://127.0.0.2:$P2/redir-loopback: it redirects (hop 1) to http://127.0.0.1:$P1/secret: 127.0.0.1 is a loopback address" -- \
    add "http://127.0.0.2:$P2/redir-loopback"
expect_exit 2 "is a loopback address" -- add "http://127.0.0.2:$P2/redir-host"
expect_exit 2 "only http and https" -- add "http://127.0.0.2:$P2/redir-file"
# a redirect to a URL with a user name is refused, the message naming the
# URL asked for and the redirect's target, neither with its secrets
expect_exit 2 "could not fetch http://127.0.0.2:$P2/redir-userinfo?...: it redirects (hop 1) to a URL that is refused: dataset URL 'http://127.0.0.2:$P2/data.csv?...': a user name or password" -- \
    add "http://127.0.0.2:$P2/redir-userinfo?sig=ORIGSIG"
check "no secret of the redirect in its message" bash -c \
    "! grep -q -e ORIGSIG -e REDIRSIG -e REDIRPW '$T/err' '$T/out'"
expect_exit 3 "HTTP 404" -- add "http://127.0.0.2:$P2/absent"
expect_exit 3 "HTTP 500" -- add "http://127.0.0.2:$P2/err"
check "no response content in any message" bash -c \
    "! grep -q 'SECRET-INTERNAL' '$T/err' '$T/out'"
# through the runner: the redirect to 127.0.0.1 fails the job, the
# allowed URL succeeds, and the internal service's answer never shows
sub --dataset "http://127.0.0.2:$P2/redir-loopback" --id u-redir
sub --dataset "http://127.0.0.2:$P2/data.csv" --id u-ok
"$HORIZON" run --once --quiet >"$T/run2.out" 2>"$T/run2.err"
check "u-redir refused" bash -c "'$HORIZON' jobs show u-redir |
    grep -q 'status:    failed' && '$HORIZON' jobs show u-redir |
    grep -q '127.0.0.1 is a loopback address'"
check "u-ok succeeded" bash -c "'$HORIZON' jobs show u-ok | grep -q 'status:    succeeded'"
check "no internal answer in the store or logs" bash -c \
    "! grep -aq 'SECRET-INTERNAL' '$T'/store.db* '$T/run2.err'"
# allowing 127.0.0.1 explicitly lets the same URL through
export HZ_DATASET_ALLOW_ADDRS="127.0.0.2/32,127.0.0.1/32"
expect_exit 0 "" -- add "http://127.0.0.1:$P1/data.csv"
finish
