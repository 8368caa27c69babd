#!/usr/bin/env bash
# Conformal intervals on intermittent demand: every zero actual under a
# model's lower bound of 0 scores that bound's z (1.96), so many pooled
# held-out scores tie and the 80% quantile is the 95% one: lo80 = lo95 and
# hi80 = hi95, which read as a mistake without a word.  Right for the
# score (the 80% bounds must reach 0 to cover 80% of the outcomes, and
# one quantile scales both sides), so the note says it at those steps;
# not a fallback.
source "$HZ_SRC/tests/cli/lib.sh"
H=$HORIZON

"$H" gen --kind products --products 30 --months 12 -o "$T/p.csv" >/dev/null 2>&1
"$H" forecast "$T/p.csv" --date date --value quantity --by region,product_id \
    --horizon 4 --freq day --model croston --intervals conformal \
    -o "$T/c.csv" 2>"$T/err"
check "conformal: exit 0" test $? -eq 0
# rows whose 80% bounds print as the 95% ones (to 9 digits)
awk -F, 'NR > 1 && sprintf("%.9g %.9g", $4, $5) == sprintf("%.9g %.9g", $6, $7)' \
    "$T/c.csv" >"$T/eq"
check "some 80% bounds are the 95% ones" test -s "$T/eq"
check "each of them says so" bash -c "! grep -v 'conformal: held-out errors tie at' '$T/eq'"
check "the note names the levels" \
    grep -qF "the 80% bounds are the 95% ones there (many errors score the same, such as zero actuals at the model's lower bound 0), covering more than 80%" "$T/eq"
check "not counted as fallbacks" grep -q ' 0 with fallbacks' "$T/err"
# smooth demand: no ties, no note
"$H" forecast "$T/p.csv" --date date --value quantity --horizon 4 \
    --freq month --model naive --intervals conformal -o "$T/s.csv" 2>/dev/null
check "no ties: no note" bash -c "! grep -q 'tie' '$T/s.csv'"
finish
