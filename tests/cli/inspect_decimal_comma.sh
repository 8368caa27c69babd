#!/usr/bin/env bash
# --decimal , in a comma-separated file: a two-column file whose every
# row is digits, a comma, digits ('1,50') reads as two whole numbers or
# as one number with a decimal comma, which the text does not tell:
# refused, naming --delimiter (until 2026-12-07 'Betrag, EUR' over 1,50
# was split into Betrag=1 and EUR=50 silently).
source "$(dirname "$0")/lib.sh"
H="$HORIZON"

printf 'Betrag, EUR\n1,50\n2,25\n' >"$T/betrag.csv"
expect_exit 1 "$T/betrag.csv:2: with --decimal , and ',' as the delimiter every row (2 read) is digits, a comma, digits: two whole numbers or one number with a decimal comma, which the text does not tell: give --delimiter , for two columns ('Betrag' and 'EUR'), or --delimiter ';' (one the file does not use) for one column of decimal numbers" -- \
    "$H" inspect "$T/betrag.csv" --decimal ,
# either reading, when said
expect_exit 0 "" -- "$H" inspect "$T/betrag.csv" --decimal , --delimiter ,
check "--delimiter , : two columns" grep -q "2 rows, 2 columns" "$T/out"
expect_exit 0 "" -- "$H" inspect "$T/betrag.csv" --decimal , --delimiter ';'
check "--delimiter ';' : one column of decimals" grep -qE "^Betrag, EUR +float64 +2 +0 +1\.5 +2\.25" "$T/out"
# a row that is not digits, a comma, digits settles it: two columns
printf 'a,b\n1,50\n2,x\n' >"$T/mixed.csv"
expect_exit 0 "" -- "$H" inspect "$T/mixed.csv" --decimal ,
check "a text field: two columns, no refusal" grep -q "2 rows, 2 columns" "$T/out"
# without --decimal , nothing changes
expect_exit 0 "" -- "$H" inspect "$T/betrag.csv"
check "no --decimal: two columns" grep -q "2 rows, 2 columns" "$T/out"
finish
