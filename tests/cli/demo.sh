#!/usr/bin/env bash
# `make demo` (README, "Two commands") works as written: scripts/demo.sh
# exits 0 and writes the three reports whose paths it prints.  The binary
# is linked into the scratch directory so that the demo's store and
# reports (written beside the binary) stay there.
source "$(dirname "$0")/lib.sh"
: "${HZ_SRC:?}"
ln -s "$HORIZON" "$T/horizon"
expect_exit 0 "" -- bash "$HZ_SRC/scripts/demo.sh" "$T/horizon"
for r in acme-revenue-by-region acme-suite acme-churn-model; do
    check "demo prints the $r report" grep -q "$T/demo/$r.html" "$T/out"
    check "demo wrote the $r report" test -s "$T/demo/$r.html"
done
check "demo shows the forecast's first rows" grep -q '^forecast,Central,2025-01-01,' "$T/out"
finish
