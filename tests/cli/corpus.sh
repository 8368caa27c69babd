#!/usr/bin/env bash
# The corpus of odd and bad inputs (tests/corpus/cases.tsv): every case's
# exit code, the message on stderr (with its place) and what stdout holds.
source "$(dirname "$0")/lib.sh"
C="$HZ_SRC/tests/corpus"
cd "$C" || exit 1
n=0
while IFS= read -r line; do
    [[ -z "$line" || "$line" == \#* ]] && continue
    n=$((n + 1))
    # cut keeps empty fields (read with IFS=tab would merge them)
    cmd=$(cut -f1 <<<"$line")
    want=$(cut -f2 <<<"$line")
    err=$(cut -f3 <<<"$line")
    out=$(cut -f4 <<<"$line")
    read -r -a args <<<"$cmd"
    input=/dev/null
    k=${#args[@]}
    if [[ $k -ge 2 && "${args[k - 2]}" == "<" ]]; then
        input="${args[k - 1]}"
        args=("${args[@]:0:k-2}")
    fi
    "$HORIZON" "${args[@]}" <"$input" >"$T/out" 2>"$T/err"
    rc=$?
    what="case $n ($cmd)"
    check "$what: exit $rc, expected $want; stderr: $(head -c 300 "$T/err")" \
        test "$rc" -eq "$want"
    if [[ -n "$err" ]]; then
        check "$what: stderr lacks '$err'; got: $(head -c 300 "$T/err")" \
            grep -qF -- "$err" "$T/err"
    fi
    if [[ -n "$out" ]]; then
        check "$what: stdout lacks '$out'" grep -qF -- "$out" "$T/out"
    fi
    if [[ "$want" -ne 0 ]]; then
        check "$what: no output on failure" test ! -s "$T/out"
    fi
done <"$C/cases.tsv"
check "corpus has cases ($n)" test "$n" -gt 50
finish
