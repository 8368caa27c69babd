#!/usr/bin/env bash
# A series name longer than a chart's title buffer was cut at a byte
# count that fell inside a UTF-8 character: the chart's heading and SVG
# title showed a U+FFFD.  Names are cut at a character boundary, with
# "...", and the page is valid UTF-8 without a replacement character.
source "$(dirname "$0")/lib.sh"

python3 - "$T/long.csv" <<'PY'
import sys
name = "\u00e9" * 200 + "\u20ac" * 50
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write("date,store,value\n")
    for i in range(36):
        f.write(f"{2020 + i // 12}-{i % 12 + 1:02d}-01,{name},{100 + i}\n")
        f.write(f"{2020 + i // 12}-{i % 12 + 1:02d}-01,{name}x,{50 + i}\n")
PY
"$HORIZON" forecast "$T/long.csv" --date date --value value --by store \
    --horizon 3 --model naive -o "$T/fc.csv" --report "$T/r.html" \
    > "$T/out" 2>&1
rc=$?
check "forecast --report: exit 0 ($(tail -1 "$T/out"))" test $rc -eq 0
check "report: valid UTF-8, no U+FFFD" python3 -c 'import sys
s = open(sys.argv[1], "rb").read().decode("utf-8")
sys.exit("\ufffd" in s)' "$T/r.html"
check "report: a long name cut with ... before the model" \
    grep -q $'\u00e9...: Naive</h3>' "$T/r.html"
finish
