#!/usr/bin/env bash
# A job process reads nothing of the runner's standard input (it is
# /dev/null) and types nothing into a terminal (ioctl TIOCSTI refused by a
# seccomp filter).  Before, it inherited the runner's standard input: code
# a hostile dataset got to run there read what was piped or typed to the
# runner, and on an operator's terminal it could push input into it with
# TIOCSTI (Landlock does not hold a descriptor opened before it), which
# the operator's shell then ran as commands once the runner ended.
# The test hook params.debugStdin (HZ_TEST_HOOKS=1) makes the job process
# read its standard input and try TIOCSTI on it and on /dev/tty, saying
# what happened on stderr.
source "$(dirname "$0")/lib.sh"
B="${HZ_BUILD:?HZ_BUILD must point to the build directory}"
sqlite_runner_env
submit() {
    "$HORIZON" submit --type forecast --tenant acme --id "$1" --quiet \
        --dataset "$T/data/acme/sales.csv" --param date=date \
        --param value=value --param model=naive --param freq=month \
        --params '{"debugStdin": true}'
}
status() {
    "$HORIZON" jobs show "$1" --json | /usr/bin/python3 -c \
        'import json,sys; print(json.load(sys.stdin)["status"])'
}
# the runner's standard input a file: the job reads none of it
submit piped
echo "TYPED-SECRET" >"$T/in.txt"
"$HORIZON" run --once <"$T/in.txt" >"$T/run.out" 2>"$T/run.err"
said=$(grep -o 'debugStdin: .*' "$T/run.err")
check "the job process reads nothing of the runner's input ($said)" \
    grep -q "debugStdin: read 0 bytes;" <<<"$said"
check "and no secret of it is logged" bash -c "! grep -q TYPED-SECRET '$T/run.err'"
check "the job succeeds ($(status piped))" test "$(status piped)" = succeeded
# the runner on a terminal (script(1) gives it a pseudo-terminal)
if command -v script >/dev/null 2>&1; then
    for iso in require best-effort; do
        submit "tty-$iso"
        timeout 60 script -qec "'$HORIZON' run --once --isolation $iso" \
            /dev/null </dev/null >"$T/tty.out" 2>&1
        said=$(grep -ao 'debugStdin: [^^]*' "$T/tty.out" | tr -d '\r')
        check "$iso: nothing typed into the terminal ($said)" bash -c \
            "grep -q 'TIOCSTI: \(Inappropriate ioctl for device\|Operation not permitted\); /dev/tty: \(Permission denied\|Operation not permitted\)' <<<'$said'"
        check "$iso: the job succeeds ($(status "tty-$iso"))" \
            test "$(status "tty-$iso")" = succeeded
    done
    # without Landlock (tests/support/no_landlock: an old kernel) the job
    # process opens /dev/tty, and the seccomp filter refuses TIOCSTI (not
    # in a sanitizer build: no filter there)
    if grep -qa -e __asan_init -e __tsan_init "$HORIZON"; then
        finish
    fi
    submit tty-none
    timeout 60 script -qec "'$B/no_landlock' '$HORIZON' run --once \
        --isolation best-effort" /dev/null </dev/null >"$T/tty.out" 2>&1
    said=$(grep -ao 'debugStdin: [^^]*' "$T/tty.out" | tr -d '\r')
    check "without Landlock: nothing typed into the terminal ($said)" \
        grep -q '/dev/tty: Operation not permitted' <<<"$said"
    check "without Landlock: the job succeeds ($(status tty-none))" \
        test "$(status tty-none)" = succeeded
fi
finish
