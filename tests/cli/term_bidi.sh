#!/usr/bin/env bash
# Text from a file or a store shown on a terminal (errors, inspect's and
# datasets list's tables, jobs show, explain): a bidi override (U+202E)
# in a name reversed what an operator reads after it, as the HTML report
# already prevents; it is shown as "[U+202E]" there too, next to ESC as
# "^[", and a table's column is cut between characters, not inside one.
source "$(dirname "$0")/lib.sh"

rlo=$'\u202e'
# none of the raw characters on a terminal: U+202E, ESC, U+009B
raw_free() {
    python3 -c 'import sys
b = open(sys.argv[1], "rb").read()
bad = [x for x in (b"\xe2\x80\xae", b"\x1b", b"\xc2\x9b") if x in b]
sys.exit(bool(bad) or b.decode("utf-8", "strict") is None)' "$1"
}

# an error naming a file
"$HORIZON" inspect "$T/no${rlo}such.csv" > /dev/null 2> "$T/err1"
check "error: the override shown ($(cat "$T/err1"))" \
    grep -qF 'no[U+202E]such.csv' "$T/err1"
check "error: no raw override" raw_free "$T/err1"

# inspect's table: a column name
printf 'date,st%sore\x1b[2J\xc2\x9b,value\n2024-01-01,a,1\n' "$rlo" > "$T/c.csv"
"$HORIZON" inspect "$T/c.csv" > "$T/ins" 2>&1
check "inspect: the name shown ($(sed -n 3,4p "$T/ins"))" \
    grep -qF 'st[U+202E]ore^[[2J[U+009B]' "$T/ins"
check "inspect: no raw control" raw_free "$T/ins"

# datasets list: a name with an override, a long multi-byte one cut
# between characters at 24 of them
export HORIZON_STORE="sqlite:$T/store.db" HZ_DATASET_ROOTS="$T" TMPDIR="$T"
unset OPENAI_API_KEY OPENAI_BASE_URL AZURE_OPENAI_ENDPOINT HZ_LLM_CONFIG || true
tiny_monthly_csv "$T/m.csv"
"$HORIZON" datasets add --tenant acme --name "sales${rlo}evil"$'\e[31m' \
    "$T/m.csv" > /dev/null
"$HORIZON" datasets add --tenant acme --name "$(printf '\u20ac%.0s' $(seq 30))" \
    "$T/m.csv" > /dev/null
# a name in CJK (two terminal columns a character) padded and cut to the
# same 24 columns as the others, so the columns after it line up
"$HORIZON" datasets add --tenant acme --name "$(printf '\u58f2%.0s' $(seq 15))" \
    "$T/m.csv" > /dev/null
# emoji of U+1F680 .. U+1F6FF (the rocket) and U+1FA70 .. U+1FAFF (ballet
# shoes) take two columns too: until 2026-12-07 counted one, their rows
# misaligned
"$HORIZON" datasets add --tenant acme --name "$(printf '\U0001F680%.0s' $(seq 15))" \
    "$T/m.csv" > /dev/null
"$HORIZON" datasets add --tenant acme --name "x$(printf '\U0001FA70%.0s' $(seq 15))" \
    "$T/m.csv" > /dev/null
"$HORIZON" datasets list > "$T/ds" 2>&1
check "datasets list: the name shown ($(cat "$T/ds"))" \
    grep -qF 'sales[U+202E]evil^[[31m' "$T/ds"
check "datasets list: no raw control, valid UTF-8" raw_free "$T/ds"
check "datasets list: a long name cut at 24 characters" \
    grep -qF " $(printf '\u20ac%.0s' $(seq 24)) " "$T/ds"
# the size column (after the name) starts at the same terminal column on
# every row: the CJK name cut at 12 characters (24 columns), not 24, the
# rockets at 12, the ballet shoes at 11 after the x (23 columns, a space)
check "datasets list: CJK and emoji names cut and padded in terminal columns ($(cat "$T/ds"))" \
    python3 -c 'import sys, unicodedata
rows = [l for l in open(sys.argv[1], encoding="utf-8").read().splitlines()[1:] if l.strip()]
def col(l):  # the terminal column where the size (a number) starts
    w = 0
    for i, ch in enumerate(l):
        if i > 0 and l[i - 1] == " " and ch.isdigit() and w > 45:
            return w
        w += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return -1
cols = {col(l) for l in rows}
text = open(sys.argv[1], encoding="utf-8").read()
sys.exit(not (len(rows) == 5 and len(cols) == 1 and -1 not in cols
              and "\u58f2" * 12 + " " in text
              and " " + "\U0001F680" * 12 + " " in text
              and " x" + "\U0001FA70" * 11 + "  " in text))' "$T/ds"

# jobs show and explain: a dataset path and a narrative
cp "$T/m.csv" "$T/m${rlo}x.csv"
"$HORIZON" submit --type forecast --tenant acme --dataset "$T/m${rlo}x.csv" \
    --param date=date --param value=value --param horizon=3 \
    --param model=naive --param freq=month --id j1 --quiet
"$HORIZON" run --once --quiet > /dev/null 2>&1
"$HORIZON" jobs show j1 > "$T/show" 2>&1
check "jobs show: the path shown ($(grep dataset: "$T/show"))" \
    grep -qF "m[U+202E]x.csv" "$T/show"
check "jobs show: no raw override" raw_free "$T/show"
finish
