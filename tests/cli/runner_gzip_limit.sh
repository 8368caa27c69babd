#!/usr/bin/env bash
# A gzip dataset is held to the runner's --max-download-mb once inflated,
# as a download is: a job whose few KB of gzip inflate past it fails
# [dataset] with a message naming the dataset and the limit, before the
# data is all written out (it was inflated whole into TMPDIR and read:
# 1.5 MB of gzip took 1.5 GB of disk and more than 1 GB of memory).  A
# gzip dataset within the limit is read as before.
source "$(dirname "$0")/lib.sh"
mkdir -p "$T/data/acme"
export HORIZON_STORE="sqlite:$T/store.db" HZ_DATASET_ROOTS="$T/data/{tenant}" \
    TMPDIR="$T"
unset OPENAI_API_KEY OPENAI_BASE_URL AZURE_OPENAI_ENDPOINT HZ_LLM_CONFIG \
      HZ_TENANT || true
tiny_monthly_csv "$T/small.csv"
gzip -c "$T/small.csv" >"$T/data/acme/small.csv.gz"
# 24 months, then 4 MiB of one long value: 4 KiB of gzip
/usr/bin/python3 - "$T/data/acme/bomb.csv.gz" <<'PY'
import gzip, sys
with gzip.open(sys.argv[1], "wb", compresslevel=9) as f:
    f.write(b"date,value,note\n")
    for i in range(24):
        f.write(b"%04d-%02d-01,%d,\n" % (2022 + i // 12, i % 12 + 1, 100 + i))
    f.write(b"2024-01-01,1," + b"x" * (4 << 20) + b"\n")
PY
for d in small bomb; do
    "$HORIZON" submit --type forecast --tenant acme --id "$d" --quiet \
        --dataset "$T/data/acme/$d.csv.gz" --param date=date \
        --param value=value --param model=naive --param freq=month
done
"$HORIZON" run --once --max-download-mb 1 >"$T/run.out" 2>"$T/run.err"
field() { # field JOB 'python expression on d'
    "$HORIZON" jobs show "$1" --json |
        /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print($2)"
}
check "the small gzip dataset's job succeeded" \
    test "$(field small "d['status']")" = succeeded
check "the job whose gzip inflates past the limit failed [dataset]" \
    test "$(field bomb "d['status'], d['errorReason']")" = "failed dataset"
check "its error names the dataset and the limit" \
    grep -qF "$T/data/acme/bomb.csv.gz: gzip data inflating to more than 1048576 bytes (the limit on decompressed data)" \
    <(field bomb "d['error']")
check "nothing is left in TMPDIR" \
    test -z "$(find "$T" -maxdepth 1 -name 'horizon-*' -print -quit)"
# with a higher limit the same dataset is read (the limit is the cause)
"$HORIZON" jobs retry bomb >/dev/null
"$HORIZON" run --once --max-download-mb 8 >"$T/run2.out" 2>"$T/run2.err"
check "with --max-download-mb 8 the job is not refused for its size" \
    bash -c "! grep -q 'more than' <(\"$HORIZON\" jobs show bomb --json)"
finish
