#!/usr/bin/env bash
# Terminal tables count a grapheme cluster as the terminal shows it: a
# ZWJ emoji sequence (a family: man ZWJ woman ZWJ girl) is 2 columns, not
# 6; a symbol with variation selector 16 (a red heart) 2, not 1 (a
# letter with it stays 1); a skin
# tone modifier joins its emoji; a flag (two regional indicators) is 2.
# Until 2026-12-07 each character was counted: rows after such a name
# were misaligned.
source "$HZ_SRC/tests/cli/lib.sh"

fam=$'\U0001F468\u200D\U0001F469\u200D\U0001F467'
heart=$'\u2764\uFE0F'
thumb=$'\U0001F44D\U0001F3FD'
flag=$'\U0001F1E9\U0001F1EA'
printf 'a%s,b%s,c%s,d%s,longername12\n1,2,3,4,5\n' "$fam" "$heart" "$thumb" "$flag" >"$T/e.csv"
"$HORIZON" inspect "$T/e.csv" >"$T/ins" 2>&1
# every name takes 3 columns (a letter and a cluster of 2): padded to the
# 14 of 'longername12' and two blanks, its type at the same column
for n in "a$fam" "b$heart" "c$thumb" "d$flag"; do
    check "inspect: '$n' padded as 3 columns ($(grep -F "$n" "$T/ins"))" \
        grep -qF "$n           int64" "$T/ins"
done
check "inspect: the header as wide" grep -q '^column        type' "$T/ins"
# a zero width joiner joins emoji only (a rainbow flag: white flag, VS16,
# ZWJ, rainbow: 2 columns); between letters each stays its own: Sinhala's
# sri (sha, virama, ZWJ, ra, vowel sign ii) is 2 columns, as wcwidth
# counts them (until 2026-12-07 the letter after the ZWJ was swallowed:
# 1 column, and the rows after it misaligned)
sri=$'\u0DC1\u0DCA\u200D\u0DBB\u0DD3'
rainbow=$'\U0001F3F3\uFE0F\u200D\U0001F308'
printf 'e%s,f%s,longername12\n1,2,3\n' "$sri" "$rainbow" >"$T/z.csv"
"$HORIZON" inspect "$T/z.csv" >"$T/ins" 2>&1
for n in "e$sri" "f$rainbow"; do
    check "inspect: '$n' padded as 3 columns ($(grep -F "$n" "$T/ins"))" \
        grep -qF "$n           int64" "$T/ins"
done
# variation selector 16 after a character without an emoji form (a
# letter, a wide ideograph) changes nothing: 'gA' + VS16 is 2 columns,
# 'i' + an ideograph + VS16 is 3 (until 2026-12-08 the letter took 2
# columns and the rows after it were misaligned); a keycap (digit, VS16,
# U+20E3) is an emoji of 2
letter=$'A️'
wide=$'日️'
keycap=$'1️⃣'
printf 'g%s,i%s,k%s,longername12
1,2,3,4
' "$letter" "$wide" "$keycap" >"$T/v.csv"
"$HORIZON" inspect "$T/v.csv" >"$T/ins" 2>&1
check "inspect: 'g$letter' padded as 2 columns ($(grep -F "g$letter" "$T/ins"))" \
    grep -qF "g$letter            int64" "$T/ins"
for n in "i$wide" "k$keycap"; do
    check "inspect: '$n' padded as 3 columns ($(grep -F "$n" "$T/ins"))" \
        grep -qF "$n           int64" "$T/ins"
done
finish
