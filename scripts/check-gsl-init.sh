#!/usr/bin/env bash
# Part of `make lint`: every engine C file that includes a GSL header calls
# hz__gsl_init() (engine/numeric/gsl_init.c) before its GSL calls, so that
# GSL's default handler (abort on a domain error) is never in place when
# the engine calls GSL, whichever public function a program calls first.
# This checks the file level: a file that uses GSL and never calls it
# fails; where in the file the call goes is for review (and
# tests/engine/numeric/test_gsl_init.c checks the entry points).
set -euo pipefail
cd "$(dirname "$0")/.."
fail=0
while IFS= read -r f; do
    [[ "$f" == engine/numeric/gsl_init.c ]] && continue
    if ! grep -q 'hz__gsl_init()' "$f"; then
        echo "$f: includes a GSL header but never calls hz__gsl_init()" >&2
        fail=1
    fi
done < <(grep -rl --include='*.c' '^#include <gsl/' engine | sort)
if [[ $fail -ne 0 ]]; then
    echo "check-gsl-init: FAILED" >&2
    exit 1
fi
echo "check-gsl-init: ok"
