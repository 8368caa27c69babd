#!/usr/bin/env bash
# An LLM answer holding control characters (an escape sequence that would
# retitle, clear or recolour the terminal of whoever runs `horizon
# explain` or `jobs show`, a carriage return that hides text, DEL, C1
# controls, bytes that are not UTF-8) is refused like any malformed
# answer: the job keeps its template, the refusal is recorded.  Tabs and
# newlines and any other UTF-8 text are taken as they are.
source "$(dirname "$0")/lib.sh"

start_llm_stub
export OPENAI_BASE_URL="http://127.0.0.1:$port/v1" OPENAI_API_KEY=sk-stub
tiny_monthly_csv "$T/tiny.csv"

n=0
try() { # WANT(llm|template) JSON-STRING
    n=$((n + 1))
    curl -s -X POST -d "{\"text\": $2}" "http://127.0.0.1:$port/__config" \
        > /dev/null
    "$HORIZON" submit --type forecast --tenant acme --dataset "$T/tiny.csv" \
        --param date=date --param value=value --param horizon=3 \
        --param model=naive --param freq=month --id "c$n" --quiet
    "$HORIZON" run --once --quiet > /dev/null 2>&1
    "$HORIZON" jobs show "c$n" --json > "$T/c$n.json"
    read -r src err < <(python3 -c 'import json,sys
n = json.load(open(sys.argv[1]))["narrative"]
print(n["source"], n.get("error", "-"))' "$T/c$n.json")
    check "$2: $1 ($src: $err)" test "$src" = "$1"
    if [[ $1 == template ]]; then
        check "$2: refusal recorded" grep -q "narrative refused" <<<"$err"
        "$HORIZON" explain "c$n" > "$T/ex$n" 2>&1
        check "$2: no control character printed" \
            python3 -c 'import sys
b = open(sys.argv[1], "rb").read()
sys.exit(any(c < 32 and c not in (9, 10) or c == 127 for c in b))' "$T/ex$n"
    fi
}
try template '"Sales grew.\u001b]0;pwned\u0007\u001b[2J\u001b[31mred"'
try template '"Sales grew 5%.\rSales fell 50%."'
try template '"Sales grew\u007f."'
try template '"Sales grew\u009b31m."'
try llm '"Sales grew 5%\tin Q1.\nMargins held: ±2 €, 東京 steady."'

# streamed to a terminal (a pty from script(1)): shown as it arrives,
# with no escape sequence let through, then refused (exit 1)
if command -v script > /dev/null 2>&1; then
    curl -s -X POST -d '{"text": "Sales grew.\u001b]0;pwned\u0007\u001b[2Jred"}' \
        "http://127.0.0.1:$port/__config" > /dev/null
    script -qec "'$HORIZON' explain c1 --stream --refresh; echo rc=\$?" \
        /dev/null > "$T/tty.out" 2>&1
    check "stream on a terminal: refused: $(tr -d '\033\007' < "$T/tty.out")" \
        grep -q 'rc=1' "$T/tty.out"
    check "stream on a terminal: no escape sequence let through" \
        python3 -c 'import sys
b = open(sys.argv[1], "rb").read()
sys.exit(27 in b or 7 in b)' "$T/tty.out"
fi
finish
