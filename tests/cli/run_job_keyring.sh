#!/usr/bin/env bash
# A job process neither reads nor adds keys of its user's kernel keyrings
# (a seccomp filter: add_key, keyctl and request_key are EPERM).  Before,
# code a hostile dataset got to run there, Landlock or not, read what the
# runner's user keeps in its user keyring (credentials: a Kerberos ticket
# cache, a mount's key), and left keys of its own there after the job,
# which another tenant's job process could read.
# The test hook params.debugKeyring (HZ_TEST_HOOKS=1) makes the job
# process read the "user" key of that description and add one of its own
# ("DESC-left"), saying what happened on stderr.
source "$(dirname "$0")/lib.sh"
if grep -qa -e __asan_init -e __tsan_init "$HORIZON"; then
    echo "skip: a sanitizer build (its LeakSanitizer clones: no filter)"
    exit 77
fi
if [[ $(uname -m) != x86_64 ]]; then
    echo "skip: the test adds its key with x86-64 system call numbers"
    exit 77
fi
sqlite_runner_env
desc="hz-test-$$-$RANDOM"
# keyctl(2) by number: 248 add_key, 250 keyctl (10 search, 21 invalidate)
keys() { # add DESC VALUE | drop DESC: the key's id, or -1
    /usr/bin/python3 - "$@" <<'PY'
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
if sys.argv[1] == "add":
    v = sys.argv[3].encode()
    print(libc.syscall(ctypes.c_long(248), b"user", sys.argv[2].encode(), v,
                       ctypes.c_long(len(v)), ctypes.c_long(-4)))
else:
    k = libc.syscall(ctypes.c_long(250), ctypes.c_long(10), ctypes.c_long(-4),
                     b"user", sys.argv[2].encode(), ctypes.c_long(0))
    if k >= 0:
        libc.syscall(ctypes.c_long(250), ctypes.c_long(21), ctypes.c_long(k))
    print(k)
PY
}
id=$(keys add "$desc" "KEYRING-SECRET")
if [[ "$id" -lt 0 ]]; then
    echo "skip: no kernel keyring here (add_key: $id)"
    exit 77
fi
trap 'keys drop "$desc" >/dev/null; keys drop "$desc-left" >/dev/null; rm -rf "$T"' EXIT
"$HORIZON" submit --type forecast --tenant acme --id keys --quiet \
    --dataset "$T/data/acme/sales.csv" --param date=date --param value=value \
    --param model=naive --param freq=month --params "{\"debugKeyring\": \"$desc\"}"
"$HORIZON" run --once >"$T/run.out" 2>"$T/run.err"
rc=$?
said=$(grep -o 'debugKeyring: .*' "$T/run.err")
check "the job process cannot read its user's keys ($said)" \
    grep -q "debugKeyring: read: Operation not permitted;" <<<"$said"
check "nor add one ($said)" grep -q "; add: Operation not permitted" <<<"$said"
check "no key of the job is left" test "$(keys drop "$desc-left")" -lt 0
check "the job succeeds (exit $rc)" test $rc -eq 0
finish
