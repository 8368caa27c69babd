#!/usr/bin/env bash
# Files as spreadsheets and accounting systems export them, through
# forecast, inspect and analyze: what they write that Horizon reads, and
# what it refuses with the place and a way forward.
source "$HZ_SRC/tests/cli/lib.sh"
H=$HORIZON

# ---- --fitted tells filled periods from observed ones ----
# a month without rows is filled (zero, or interpolated): its 'actual' is
# not data, and the fitted file says so in its 'filled' column
printf 'month,v\n2021-01,100\n2021-02,101\n2021-03,102\n2021-05,104\n2021-06,105\n2021-07,106\n2021-08,107\n2021-09,108\n' >"$T/gap.csv"
for fill in zero interpolate; do
    expect_exit 0 "" -- "$H" forecast "$T/gap.csv" --date month --value v \
        --horizon 1 --model naive --fill "$fill" --quiet \
        --fitted "$T/gap_$fill.fit" -o "$T/gap_$fill.out"
    check "fitted ($fill): a filled column" \
        grep -qx 'series,date,actual,fitted,residual,filled' "$T/gap_$fill.fit"
    check "fitted ($fill): the filled month marked" \
        grep -Eq '^total,2021-04,[^,]*,[^,]*,[^,]*,yes$' "$T/gap_$fill.fit"
    check "fitted ($fill): observed months not" \
        test "$(grep -c ',no$' "$T/gap_$fill.fit")" -eq 8
done
# with --by and reconciliation: a parent's period is filled only when no
# series under it has a row there
printf 'month,region,v\n2021-01,A,1\n2021-01,B,2\n2021-02,A,3\n2021-03,A,2\n2021-03,B,4\n2021-04,B,3\n2021-05,A,2\n2021-05,B,3\n2021-06,A,4\n2021-06,B,2\n' >"$T/gap2.csv"
expect_exit 0 "" -- "$H" forecast "$T/gap2.csv" --date month --value v \
    --by region --reconcile bu --horizon 1 --model naive --quiet \
    --fitted "$T/gap2.fit" -o "$T/gap2.out"
check "fitted by region: filled periods of the series" test \
    "$(grep ',yes$' "$T/gap2.fit" | cut -d, -f1,2 | sort | tr '\n' ' ')" = \
    "A,2021-04 B,2021-02 "

# ---- empty columns without a name at the end of the header row ----
# Excel's used range wider than the data: 'month,sales,,,' and rows ending
# in ',,,' (here with CRLF and a BOM, as Excel writes them)
{
    printf '\xef\xbb\xbfmonth,sales,,,\r\n'
    for m in 01 02 03 04 05 06 07 08 09 10 11 12; do
        printf '2024-%s,%d,,,\r\n' "$m" $((100 + 10#$m))
    done
} >"$T/trail.csv"
expect_exit 0 "" -- "$H" inspect "$T/trail.csv"
check "trailing unnamed columns: 2 columns" grep -q '12 rows, 2 columns' "$T/out"
expect_exit 0 "" -- "$H" forecast "$T/trail.csv" --date month --value sales \
    --horizon 1 --model naive --quiet
check "trailing unnamed columns: forecast" grep -q '^total,2025-01,112,' "$T/out"
# a value in such a column is data without a name: refused with its place
sed '5s/,,,\r$/,,note,\r/' "$T/trail.csv" >"$T/trail_note.csv"
expect_exit 1 "trail_note.csv:5:4: column 4 has no name in the header row but holds 'note'" \
    -- "$H" forecast "$T/trail_note.csv" --date month --value sales
check "trailing unnamed column with a value: no output" test ! -s "$T/out"
# an empty name before a named column is still an error
printf 'month,,sales\n2024-01,1,2\n' >"$T/mid.csv"
expect_exit 1 "mid.csv:1:2: empty column name in the header row" -- "$H" inspect "$T/mid.csv"

# ---- accounting negatives: (50) is -50 ----
{
    echo "month,sales"
    for m in 01 02 03 04 05 06 07 08 09 10 11; do echo "2024-$m,$((100 + 10#$m))"; done
    echo '2024-12,"(1234.50)"'
} >"$T/acc.csv"
expect_exit 0 "" -- "$H" inspect "$T/acc.csv" --json
check "accounting negative: read as negative" grep -q '"min":-1234.5,' "$T/out"
expect_exit 0 "" -- "$H" forecast "$T/acc.csv" --date month --value sales \
    --horizon 1 --model naive --quiet --nonnegative off
check "accounting negative: forecast from -1234.5" grep -q '^total,2025-01,-1234.5,' "$T/out"
# thousands separators inside stay refused, and the hint says why
printf 'month,sales\n2024-01,"(1,100)"\n2024-02,"(1,050.25)"\n2024-03,"(1,234.50)"\n' >"$T/acc_thou.csv"
expect_exit 2 "its values, such as '(1,100)', hold a comma" \
    -- "$H" forecast "$T/acc_thou.csv" --date month --value sales
# a sign inside the parentheses is no number
printf 'month,sales\n2024-01,1\n2024-02,2\n2024-03,(-3)\n' >"$T/acc_sign.csv"
expect_exit 1 "acc_sign.csv:4:2: column 'sales': expected an integer, got '(-3)'" \
    -- "$H" forecast "$T/acc_sign.csv" --date month --value sales

# ... and with --decimal . the commas between thousands are read
expect_exit 0 "" -- "$H" inspect "$T/acc_thou.csv" --decimal . --json
check "accounting negative with thousands, --decimal .: -1234.5" \
    grep -q '"min":-1234.5,' "$T/out"

# ---- SAP's trailing minus: 50- is -50, 1.234,50- is -1234.5 ----
{
    echo "Buchungsdatum;Betrag"
    for m in 01 02 03 04 05 06 07 08 09 10 11; do echo "2024-$m-01;$((100 + 10#$m)),00"; done
    echo '2024-12-01;1.234,50-'
} >"$T/sap.csv"
expect_exit 0 "" -- "$H" forecast "$T/sap.csv" --date Buchungsdatum \
    --value Betrag --decimal , --freq month --horizon 1 --model naive \
    --quiet --nonnegative off
check "SAP trailing minus: forecast from -1234.5" grep -q '^total,2025-01-01,-1234.5,' "$T/out"
{ head -1 "$T/sap.csv"; tail -1 "$T/sap.csv"; tail -n +2 "$T/sap.csv"; } >"$T/sap_first.csv"
# without --decimal , the hint names it, the minus after the number aside
expect_exit 2 "its values, such as '1.234,50-', hold a comma: a decimal comma is read with --decimal ," \
    -- "$H" forecast "$T/sap_first.csv" --date Buchungsdatum --value Betrag
printf 'month,sales\n2024-01,1\n2024-02,2\n2024-03,-3-\n' >"$T/sap_sign.csv"
expect_exit 1 "sap_sign.csv:4:2: column 'sales': expected an integer, got '-3-'" \
    -- "$H" forecast "$T/sap_sign.csv" --date month --value sales

# ---- thousands separators: read once --decimal gives the mark ----
# French and Swiss exports: a no-break space (U+00A0) or a narrow one
# (U+202F) between thousands, a decimal comma
printf 'mois;ventes\n2024-01;1\xc2\xa0234,56\n2024-02;2\xe2\x80\xaf345,00\n2024-03;12,5\n' >"$T/fr.csv"
expect_exit 2 "hold a thousands separator: it is read once --decimal , or --decimal . says" \
    -- "$H" forecast "$T/fr.csv" --date mois --value ventes
expect_exit 0 "" -- "$H" inspect "$T/fr.csv" --decimal , --json
check "no-break space thousands, --decimal ,: 1234.56 .. 2345" \
    grep -q '"min":12.5,"max":2345,' "$T/out"
check "no-break space thousands, --decimal ,: their sum" \
    grep -q '"sum":3592.06' "$T/out"
# US exports: "1,234.50", quoted in a comma-separated file
printf 'month,sales\n2024-01,"1,234.50"\n2024-02,"2,000"\n2024-03,999.5\n' >"$T/us.csv"
expect_exit 2 "hold commas between thousands: give --decimal . to read them" \
    -- "$H" forecast "$T/us.csv" --date month --value sales
expect_exit 0 "" -- "$H" inspect "$T/us.csv" --decimal . --json
check "comma thousands, --decimal .: 999.5 .. 2000, sum 4234" \
    grep -q '"min":999.5,"max":2000,.*"sum":4234' "$T/out"
printf 'month,sales\n2024-01,"1,234.50"\n2024-02,"1,23.4"\n' >"$T/us_bad.csv"
expect_exit 1 "us_bad.csv:3:2: column 'sales': expected a number, got '1,23.4'" \
    -- "$H" forecast "$T/us_bad.csv" --date month --value sales --decimal .

# ---- missing-value texts: refused unless --na names them ----
printf 'month,sales,store\n2024-01,100,A\n2024-02,N/A,B\n2024-03,#N/A,N/A\n2024-04,130,C\n2024-05,-,D\n2024-06,150,E\n' >"$T/na.csv"
expect_exit 1 "na.csv:3:2: column 'sales': expected an integer, got 'N/A'" \
    -- "$H" forecast "$T/na.csv" --date month --value sales
expect_exit 0 "" -- "$H" inspect "$T/na.csv" --na 'N/A,#N/A,-' --json
check "--na: the texts are nulls" grep -q '"name":"sales","type":"int64","count":3,"nulls":3' "$T/out"
check "--na: in text columns too" grep -q '"name":"store","type":"string","count":5,"nulls":1' "$T/out"
# in the value column a missing value is an empty one: an error with its
# place, or with --on-error skip a period that --fill decides
expect_exit 1 "na.csv:3:2: column 'sales': empty value or missing-value text (--na)" \
    -- "$H" forecast "$T/na.csv" --date month --value sales --na 'N/A,#N/A,-'
expect_exit 0 "3 periods with no rows interpolated" -- "$H" forecast \
    "$T/na.csv" --date month --value sales --na 'N/A,#N/A,-' \
    --on-error skip --fill interpolate --model naive --horizon 1 \
    --fitted "$T/na.fit" -o "$T/na.out"
check "--na, --fill interpolate: 2024-02 between 100 and 130" \
    grep -q '^total,2024-02,110,' "$T/na.fit"
expect_exit 2 "--na: expected comma-separated texts that mean a missing value, none empty" \
    -- "$H" inspect "$T/na.csv" --na 'N/A,,-'

# ---- US spreadsheet dates: m/d/yyyy with one- and two-digit parts ----
# 1/15/2024 and 12/5/2024 were taken for year-first shapes (a '/' at the
# fifth byte), so the column was text: 'expected dates, found string'
# (the sample orders with their dates so written, at 2:05 PM)
awk -F, 'NR == 1 { print; next } {
    split($2, d, "-"); $2 = (d[2] + 0) "/" (d[3] + 0) "/" d[1] " 2:05 PM"; print
}' OFS=, "$HZ_DATA_DIR/sample_sales.csv" >"$T/us_dates.csv"
expect_exit 0 "" -- "$H" inspect "$T/us_dates.csv"
check "US dates: timestamp, month-first" grep -Eq '^order_date +timestamp:mdy +12000 ' "$T/out"
expect_exit 0 "" -- "$H" analyze clv "$T/us_dates.csv" --summary-only
"$H" analyze clv "$HZ_DATA_DIR/sample_sales.csv" --summary-only >"$T/iso.txt" 2>&1
check "ISO dates: a CLV line" grep -q '^CLV (BG/NBD)' "$T/iso.txt"
check "US dates: the same CLV as from ISO dates" \
    grep -q "$(grep '^CLV' "$T/iso.txt")" "$T/out"
# Shopify's order times: an offset after a blank
printf 'Name,Created at,Total\n#1001,2024-03-11 09:12:45 -0400,10\n#1002,2024-03-12 23:30:00 -0400,12\n' >"$T/shopify.csv"
expect_exit 0 "" -- "$H" inspect "$T/shopify.csv" --json
check "Shopify times: UTC instants" grep -q '"min":"2024-03-11T13:12:45Z","max":"2024-03-13T03:30:00Z"' "$T/out"

# ---- days with the month named, day first (Excel's d-mmm-yyyy) ----
awk -F, 'NR == 1 { print; next } {
    split("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec", mon, " ")
    split($2, d, "-"); $2 = (d[3] + 0) "-" mon[d[2] + 0] "-" d[1]; print
}' OFS=, "$HZ_DATA_DIR/sample_sales.csv" >"$T/dmmm.csv"
expect_exit 0 "" -- "$H" forecast "$T/dmmm.csv" --date order_date --value revenue \
    --freq month --horizon 1 --model naive --quiet
"$H" forecast "$HZ_DATA_DIR/sample_sales.csv" --date order_date --value revenue \
    --freq month --horizon 1 --model naive --quiet >"$T/iso_fc.csv" 2>/dev/null
check "d-mmm-yyyy: the forecast of the ISO dates" cmp -s "$T/out" "$T/iso_fc.csv"
check "d-mmm-yyyy: a forecast row" grep -q '^total,2025-01-01,74786.89,' "$T/out"

# ---- rows of empty fields only below the data (',,,') are no rows ----
{ cat "$T/trail.csv"; printf ',,,,\r\n,,,,\r\n'; } >"$T/trail_rows.csv"
expect_exit 0 "" -- "$H" forecast "$T/trail_rows.csv" --date month \
    --value sales --horizon 1 --model naive --quiet
check "empty rows below the data: forecast" grep -q '^total,2025-01,112,' "$T/out"
expect_exit 0 "" -- "$H" inspect "$T/trail_rows.csv"
check "empty rows below the data: 12 rows" grep -q '12 rows, 2 columns' "$T/out"

# ---- the header row again (exports joined one after another) ----
{ cat "$T/trail.csv"; sed -n '1p;2,4p' "$T/trail.csv" | sed 's/2024-/2025-/'; } >"$T/joined.csv"
# (here with the second file's BOM: the value shows it, the hint still comes)
expect_exit 1 "month' (the column's name: the header row again, as in files joined one after another? --on-error skip drops such rows)" \
    -- "$H" forecast "$T/joined.csv" --date month --value sales
check "joined exports: the header row's place" \
    grep -q "joined.csv:14:1: column 'month': expected a valid date" "$T/err"
expect_exit 0 "skipped 1 malformed row" -- "$H" forecast "$T/joined.csv" \
    --date month --value sales --horizon 1 --model naive --on-error skip --quiet
check "joined exports, header skipped: forecast" grep -q '^total,2025-04,' "$T/out"

# ---- inspect --json: 15 significant digits, as every output ----
printf 'a\n0.1\n0.2\n0.3\n0.7\n' >"$T/digits.csv"
expect_exit 0 "" -- "$H" inspect "$T/digits.csv" --json
check "inspect --json: stddev with 15 digits (cJSON printed 17)" \
    grep -q '"stddev":0.262995563967658,' "$T/out"

finish
