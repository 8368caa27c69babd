#!/usr/bin/env bash
# horizon inspect / gen: output, exit codes and error messages.
source "$(dirname "$0")/lib.sh"
H=$HORIZON

# help and version on every level
expect_exit 0 "" -- "$H" --help
expect_exit 0 "" -- "$H" --version
check "version printed" grep -q '^horizon [0-9]' "$T/out"
expect_exit 0 "" -- "$H" inspect --help
check "inspect help" grep -q 'usage: horizon inspect' "$T/out"
expect_exit 0 "" -- "$H" gen --help
expect_exit 2 "unknown command 'nope'" -- "$H" nope
expect_exit 2 "missing FILE.csv" -- "$H" inspect
expect_exit 2 "" -- "$H" inspect --bogus x.csv

# a good file: table and JSON
expect_exit 0 "" -- "$H" inspect "$HZ_DATA_DIR/sample_sales.csv"
check "row count in table" grep -q '12000 rows, 10 columns' "$T/out"
check "revenue is float64" grep -Eq '^revenue +float64' "$T/out"
check "order_date is a date" grep -Eq '^order_date +date' "$T/out"
expect_exit 0 "" -- "$H" inspect --json "$HZ_DATA_DIR/sample_customers.csv"
check "json rows" grep -q '"rows":1500' "$T/out"
check "json bool column" grep -q '"name":"churned","type":"bool"' "$T/out"

# gen is deterministic and sized by flags
expect_exit 0 "" -- "$H" gen --rows 500 --customers 50 --seed 7 -o "$T/a.csv"
expect_exit 0 "" -- "$H" gen --rows 500 --customers 50 --seed 7 -o "$T/b.csv"
check "gen deterministic" cmp -s "$T/a.csv" "$T/b.csv"
check "gen rows" test "$(wc -l <"$T/a.csv")" -eq 501
expect_exit 2 "--rows: expected an integer" -- "$H" gen --rows lots
expect_exit 2 "--kind: expected" -- "$H" gen --kind bananas
# an option the kind does not use is refused, not ignored (until
# 2026-12-07 'gen --products 5' wrote the default sales file)
expect_exit 2 "--kind sales does not use --products" -- "$H" gen --products 5
check "nothing written" test ! -s "$T/out"
expect_exit 2 "--kind products does not use --rows" -- \
    "$H" gen --kind products --rows 5
expect_exit 2 "--kind products does not use --customers" -- \
    "$H" gen --kind products --customers 5
expect_exit 0 "" -- "$H" gen --kind products --products 2 --months 1 -o "$T/p.csv"
check "gen products: 2 SKUs" test "$(cut -d, -f4 "$T/p.csv" | sort -u | grep -c SKU)" -eq 2

# bad inputs: message names file:line:field, exit code 1 (3 when missing)
expect_exit 3 "could not open file: No such file" -- "$H" inspect "$T/none.csv"
: >"$T/empty.csv"
expect_exit 1 "empty file" -- "$H" inspect "$T/empty.csv"
printf 'a,b\n' >"$T/header.csv"
expect_exit 1 "header row only" -- "$H" inspect "$T/header.csv"
printf 'a,b\n1,"open\n2,3\n' >"$T/quote.csv"
expect_exit 1 "quote.csv:2:2: unterminated quoted field" -- "$H" inspect "$T/quote.csv"
printf 'a,b,c\n1,2,3\n4,5\n' >"$T/ragged.csv"
expect_exit 1 "ragged.csv:3:2: expected 3 fields, found 2" -- "$H" inspect "$T/ragged.csv"
{ echo "id,revenue"; for i in $(seq 1 30); do echo "$i,$i.5"; done; echo "31,N/A"; } >"$T/na.csv"
expect_exit 1 "na.csv:32:2: column 'revenue': expected a number, got 'N/A'" -- "$H" inspect "$T/na.csv"
check "no partial output on error" test ! -s "$T/out"
{ echo "d"; for i in $(seq 10 28); do echo "2023-02-$i"; done; echo "2023-02-30"; } >"$T/date.csv"
expect_exit 1 "date.csv:21:1: column 'd': expected a valid date" -- "$H" inspect "$T/date.csv"
printf 'a,a\n1,2\n' >"$T/dup.csv"
expect_exit 1 "dup.csv:1:2: duplicate column name 'a'" -- "$H" inspect "$T/dup.csv"
printf 'a,,c\n1,2,3\n' >"$T/emptyname.csv"
expect_exit 1 "emptyname.csv:1:2: empty column name" -- "$H" inspect "$T/emptyname.csv"
head -c 4096 /dev/urandom >"$T/garbage.csv"
printf 'a,b\n' | cat - "$T/garbage.csv" >"$T/garbage2.csv"
"$H" inspect "$T/garbage2.csv" >/dev/null 2>"$T/err"
rc=$?
check "garbage exits 1 (got $rc)" test "$rc" -eq 1
check "garbage message names the file" grep -q 'garbage2.csv' "$T/err"
expect_exit 3 "is a directory" -- "$H" inspect "$T"
if [[ $(id -u) -ne 0 ]]; then
    printf 'a\n1\n' >"$T/noperm.csv"
    chmod 000 "$T/noperm.csv"
    expect_exit 3 "Permission denied" -- "$H" inspect "$T/noperm.csv"
fi

# --on-error=skip and --schema
{ echo "id,v"; for i in $(seq 1 30); do echo "$i,$i"; done; echo "31,oops"; echo "32"; } >"$T/skip.csv"
expect_exit 0 "skipped 2 malformed rows" -- "$H" inspect --on-error skip "$T/skip.csv"
check "skip keeps good rows" grep -q '30 rows' "$T/out"
expect_exit 2 "--on-error: expected 'fail' or 'skip'" -- "$H" inspect --on-error maybe "$T/skip.csv"
expect_exit 0 "" -- "$H" inspect --schema id:string --json "$T/skip.csv" --on-error=skip
check "schema override applied" grep -q '"name":"id","type":"string"' "$T/out"
expect_exit 2 "unknown type 'money'" -- "$H" inspect --schema id:money "$T/skip.csv"
expect_exit 2 "no column 'zz'" -- "$H" inspect --schema zz:int "$T/skip.csv"

# text from a file reaches the terminal without its control characters: a
# column named with an escape sequence is shown in caret notation, in the
# table and in an error that lists the columns (never a raw ESC)
printf 'na\033[31mme\033]0;pwned\007,day\n1,2024-01-01\n' >"$T/esc.csv"
expect_exit 0 "" -- "$H" inspect "$T/esc.csv"
check "inspect: no ESC byte in the table" bash -c "! grep -q \$'\\x1b' '$T/out'"
check "inspect: the name in caret notation" grep -qF 'na^[[31mme^[]0;pwned^G' "$T/out"
expect_exit 2 "columns: na^[[31mme^[]0;pwned^G, day" -- \
    "$H" forecast "$T/esc.csv" --date day --value nosuch
check "error: no ESC byte" bash -c "! grep -q \$'\\x1b' '$T/err'"
# the table's columns line up with names in UTF-8 (counted in a
# terminal's columns: é one, 日 two) and long names, cut at 40 columns
# between characters, and with cells wider than their default (until
# 2026-12-07 widths were counted in bytes: names with accents or CJK
# ended short of the column, a cut name could end inside a character,
# and a type such as timestamp:unix_ms pushed the row's cells right)
printf 'name,ünïcödé_çolumn_with_a_very_long_name_indeed,日本語の列,ts,v\nab,2024-01-01,2024-01-02,1704067200123,1\n' >"$T/wide.csv"
expect_exit 0 "" -- "$H" inspect "$T/wide.csv" --schema ts:timestamp:unix_ms
check "table: every row as wide as the header, in characters" python3 - "$T/out" <<'PY'
import sys, unicodedata
rows = open(sys.argv[1], encoding="utf-8").read().splitlines()[1:]
def width(s):
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
head = rows[0]
starts = [i for i in range(len(head)) if head[i] != " " and (i == 0 or head[i - 1] == " ")]
ok = len(rows) == 6
for r in rows[1:]:
    ok &= width(r) == width(head)
    # each cell ends where its header's column does: after the name, the
    # type starts in the header's type column
    col = 0; cells = []
    for i, c in enumerate(r):
        if c != " " and (i == 0 or r[i - 1] == " "):
            cells.append(col)
        col += width(c)
    ok &= cells[:2] == starts[:2]
sys.exit(0 if ok else 1)
PY
check "table: a long name cut at 40 columns" grep -q '^ünïcödé_çolumn_with_a_very_long_name_ind  date ' "$T/out"
check "table: a CJK name padded by its width" grep -q '^日本語の列                                date ' "$T/out"

finish
