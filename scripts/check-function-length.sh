#!/usr/bin/env bash
# Fail on any C function longer than MAX lines (default 150) that is not on
# scripts/function-length-allow.txt, on any allowed function that grew past
# the length recorded there, and on allow-list entries that are no longer
# needed (the function is gone or now short enough: remove the line).
#
#   scripts/check-function-length.sh [--list] [--max N]
#
# --list prints every function over the limit as "FILE FUNCTION LINES"
# (the allow-list's format) and exits 0.
#
# A function is measured from the line that starts its declaration to its
# closing brace, both included.  The C files are clang-formatted
# (.clang-format: a function's opening brace alone on a line at column 0),
# which is what lets this check find them without a compiler.
set -euo pipefail
cd "$(dirname "$0")/.."
max=150
list=0
while [[ $# -gt 0 ]]; do
    case "$1" in
    --list) list=1 ;;
    --max) max="$2"; shift ;;
    *) echo "usage: $0 [--list] [--max N]" >&2; exit 2 ;;
    esac
    shift
done
allow=scripts/function-length-allow.txt

measure() {
    git ls-files -- '*.c' | grep -E '^(engine|jobs|tests|bench)/' | while read -r f; do
        awk -v file="$f" '
        # remember where the current top-level declaration began: the first
        # line after a blank line, a closing brace, a ";" or a preprocessor
        # line at column 0
        function start_decl() { decl = NR; sig = "" }
        BEGIN { decl = 1; depth = 0 }
        depth == 0 && /^[ \t]*$/ { decl = NR + 1; next }
        depth == 0 && /^#/ { decl = NR + 1; next }
        depth == 0 && /^\/\*/ { incomment = 1 }
        depth == 0 && incomment { if ($0 ~ /\*\//) { incomment = 0; decl = NR + 1 } ; next }
        depth == 0 && /^\{$/ {
            depth = 1; start = decl
            # the function name: the identifier before the first "(" of
            # the declaration
            name = sig; sub(/\(.*/, "", name); n = split(name, w, /[ \t*]+/)
            name = w[n]
            next
        }
        depth == 0 { if (sig == "") sig = $0; else sig = sig " " $0
                     if ($0 ~ /;[ \t]*(\/\*.*)?$/ || $0 ~ /^\}/) { decl = NR + 1; sig = "" }
                     next }
        depth > 0 && /^\}/ {
            len = NR - start + 1
            printf "%s %s %d\n", file, name, len
            depth = 0; decl = NR + 1; sig = ""
            next
        }
        ' "$f"
    done
}

over=$(measure | awk -v m="$max" '$3 > m')
if [[ $list -eq 1 ]]; then
    echo "$over"
    exit 0
fi

fail=0
# allowed: "FILE FUNCTION LINES" (LINES: the length when listed, a ceiling)
declare -A ceiling
if [[ -f $allow ]]; then
    while read -r f fn n _; do
        [[ -z "${f:-}" || "$f" == \#* ]] && continue
        ceiling["$f $fn"]=$n
    done <"$allow"
fi
declare -A seen
while read -r f fn n; do
    [[ -z "${f:-}" ]] && continue
    key="$f $fn"
    seen["$key"]=1
    if [[ -z "${ceiling[$key]:-}" ]]; then
        echo "$f: $fn() is $n lines (limit $max): split it into named steps" >&2
        fail=1
    elif [[ $n -gt ${ceiling[$key]} ]]; then
        echo "$f: $fn() grew to $n lines (allowed $max, or ${ceiling[$key]} while on $allow)" >&2
        fail=1
    fi
done <<<"$over"
for key in "${!ceiling[@]}"; do
    if [[ -z "${seen[$key]:-}" ]]; then
        echo "$allow: '$key' is no longer over $max lines (or gone): remove the line" >&2
        fail=1
    fi
done
if [[ $fail -eq 0 ]]; then
    echo "function length: ok ($(grep -cvE '^(#|$)' "$allow" 2>/dev/null || echo 0) allowed over $max lines)"
fi
exit $fail
