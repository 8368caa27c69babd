#!/usr/bin/env bash
# Outputs whole or absent: every command's -o file is written to a
# temporary file and renamed; a command's outputs (-o, side files,
# --report, standard output) are committed all or none; on a full disk, a file size limit, a
# missing or read-only directory, the old file stays and no new or
# temporary file is left; standard output to /dev/full or a closed pipe
# exits non-zero; JSON output stays valid UTF-8.
source "$(dirname "$0")/lib.sh"
H=$HORIZON
S="$HZ_DATA_DIR/sample_sales.csv"
C="$HZ_SRC/tests/corpus"
[[ -r "$S" ]] || { echo "SKIP: $S missing"; exit 77; }
F=("$H" forecast "$S" --date order_date --value revenue --by region --quiet)

# a full device, for -o and for standard output
expect_exit 1 "could not write /dev/full: No space left on device" -- "${F[@]}" -o /dev/full
expect_exit 1 "could not write /dev/full" -- "$H" gen --rows 100 -o /dev/full
expect_exit 1 "could not write /dev/full" -- "$H" analyze segment "$S" -o /dev/full
expect_exit 1 "could not write /dev/full" -- "$H" backtest "$S" --date order_date --value revenue --models naive -o /dev/full
for cmd in "inspect $S" "inspect --json $S" "gen --rows 100" "backtest $S --date order_date --value revenue --models naive"; do
    # shellcheck disable=SC2086
    "$H" $cmd >/dev/full 2>"$T/err"
    rc=$?
    check "'$cmd > /dev/full' exits 1 (got $rc)" test "$rc" -eq 1
    check "'$cmd > /dev/full' says why" grep -q "No space left on device" "$T/err"
done
"${F[@]}" >/dev/full 2>"$T/err"
check "forecast > /dev/full exits 1" test $? -eq 1

# a closed pipe: the reader is gone before anything is written
{ sleep 0.5; "$H" gen --rows 50000 2>"$T/err"; echo $? >"$T/rc"; } | true
check "gen into a closed pipe exits 1 (got $(cat "$T/rc"))" test "$(cat "$T/rc")" -eq 1
check "closed pipe reported" grep -q "Broken pipe" "$T/err"
{ sleep 0.5; "${F[@]}" 2>"$T/err"; echo $? >"$T/rc"; } | true
check "forecast into a closed pipe exits 1" test "$(cat "$T/rc")" -eq 1

# a directory that does not exist: nothing is created
expect_exit 1 "cannot create a file in $T/nodir" -- "${F[@]}" -o "$T/nodir/f.csv"
check "no directory made" test ! -e "$T/nodir"

# an existing file stays untouched when the new output fails half way
# (a file size limit: the write fails with EFBIG, SIGXFSZ ignored)
printf 'old contents\n' >"$T/keep.csv"
(trap '' XFSZ; ulimit -f 4; "$H" gen --rows 20000 -o "$T/keep.csv") 2>"$T/err"
rc=$?
check "size limit: exit 1 (got $rc)" test "$rc" -eq 1
check "size limit: says why" grep -q "could not write $T/keep.csv" "$T/err"
check "size limit: old file untouched" test "$(cat "$T/keep.csv")" = "old contents"
check "no temporary file left" test -z "$(find "$T" -name '.keep.csv.tmp-*')"
(trap '' XFSZ; ulimit -f 4; "${F[@]}" --diagnostics "$T/d.csv" -o "$T/keep.csv" --horizon 1000) 2>"$T/err"
check "size limit on forecast: exit 1" test $? -eq 1
check "size limit on forecast: old output untouched" test "$(cat "$T/keep.csv")" = "old contents"
check "size limit on forecast: no diagnostics either" test ! -e "$T/d.csv"

# a read-only directory (root may write anyway: then skipped)
mkdir -p "$T/ro" && printf 'old\n' >"$T/ro/out.csv" && chmod 555 "$T/ro"
if [[ ! -w "$T/ro" ]]; then
    expect_exit 1 "cannot create a file in $T/ro" -- "${F[@]}" -o "$T/ro/out.csv"
    check "read-only: old file untouched" test "$(cat "$T/ro/out.csv")" = "old"
else
    echo "note: running as root, the read-only directory case is skipped"
fi
chmod 755 "$T/ro"

# every output of a command is committed together: a --report that
# cannot be written leaves no -o file (nor the side files), an existing
# -o file stays as it was; standard output that fails leaves no file new
B=(--date order_date --value revenue --models naive --horizon 3)
for cmd in forecast backtest analyze; do
    case $cmd in
    forecast) A=("${F[@]}") side=--diagnostics ;;
    backtest) A=("$H" backtest "$S" "${B[@]}") side=--per-series ;;
    analyze) A=("$H" analyze clv "$S") side=--save-model ;;
    esac
    expect_exit 1 "could not write $T/nodir/r.html" -- "${A[@]}" \
        -o "$T/set_$cmd.csv" "$side" "$T/side_$cmd" --report "$T/nodir/r.html"
    check "$cmd: a failed --report leaves no -o file" test ! -e "$T/set_$cmd.csv"
    check "$cmd: a failed --report leaves no $side file" test ! -e "$T/side_$cmd"
    printf 'old\n' >"$T/set_$cmd.csv"
    "${A[@]}" -o "$T/set_$cmd.csv" --report "$T/nodir/r.html" >/dev/null 2>&1
    check "$cmd: a failed --report leaves the old -o file" \
        test "$(cat "$T/set_$cmd.csv")" = old
    rm -f "$T/set_$cmd.csv"
done
# standard output is part of the result: analyze -o writes its summary
# there, forecast and backtest their table without -o
for A in "${F[*]} --fitted $T/full_f.csv" \
    "$H backtest $S ${B[*]} --per-series $T/full_b.csv" \
    "$H analyze clv $S -o $T/full_a.csv --save-model $T/full_m.json"; do
    # shellcheck disable=SC2086
    $A >/dev/full 2>"$T/err"
    rc=$?
    check "'$A >/dev/full' exits 1 (got $rc)" test "$rc" -eq 1
    check "'$A >/dev/full' says why" grep -q "could not write standard output: No space left on device" "$T/err"
done
check "stdout failed: no file left" test -z "$(find "$T" -name 'full_*')"
"$H" analyze clv "$S" -o "$T/ok_a.csv" --save-model "$T/ok_m.json" \
    --report "$T/ok_a.html" >"$T/ok_a.txt" 2>"$T/err"
check "analyze: every output committed" test -s "$T/ok_a.csv" -a -s "$T/ok_m.json" -a -s "$T/ok_a.html" -a -s "$T/ok_a.txt"

# an output that names the input (by path, another spelling of it, or a
# link to it) is refused before anything is read: the data stay
cp "$S" "$T/in.csv"
ln -s in.csv "$T/in_link.csv"
IN=(--date order_date --value revenue --horizon 2)
for a in "forecast|-o|$T/in.csv" "forecast|--fitted|$T/./in.csv" \
    "forecast|--diagnostics|$T/in_link.csv" "forecast|--report|$T/in.csv" \
    "backtest|--per-series|$T/in.csv" "backtest|-o|$T/in.csv"; do
    IFS='|' read -r cmd opt path <<<"$a"
    expect_exit 2 "$opt $path names the input file $T/in.csv" -- \
        "$H" "$cmd" "$T/in.csv" "${IN[@]}" "$opt" "$path"
done
expect_exit 2 "--save-model $T/in.csv names the input file" -- \
    "$H" analyze clv "$T/in.csv" --save-model "$T/in.csv" -o "$T/an.csv"
expect_exit 2 "-o $T/in.csv names the input file" -- \
    "$H" analyze segment "$T/in.csv" -o "$T/in.csv"
check "the input is left as it was" cmp -s "$S" "$T/in.csv"
check "nothing else written" test ! -e "$T/an.csv"
mkdir -p "$T/sub"
expect_exit 2 "-o $T/two.csv and --fitted $T/sub/../two.csv name the same file" -- \
    "${F[@]}" -o "$T/two.csv" --fitted "$T/sub/../two.csv"
check "two outputs of one name: none written" test ! -e "$T/two.csv"

# success: the file appears whole, with the usual permissions, nothing else
"${F[@]}" -o "$T/ok.csv" --diagnostics "$T/ok-diag.csv" --fitted "$T/ok-fit.csv"
check "forecast -o exit 0" test $? -eq 0
check "forecast file whole" test "$(wc -l <"$T/ok.csv")" -eq 61
check "diagnostics: one row per series" test "$(wc -l <"$T/ok-diag.csv")" -eq 6
check "fitted: one row per history period" test "$(wc -l <"$T/ok-fit.csv")" -eq 181
check "no temporary files" test -z "$(find "$T" -name '.*.tmp-*')"
check "mode follows the umask" test "$(stat -c %a "$T/ok.csv")" = "$(printf '%o' $((0666 & ~$(umask))))"

# JSON stays valid UTF-8 whatever the input's bytes
PY=/usr/bin/python3
[[ -x $PY ]] || PY=python3
"$H" analyze segment "$C/invalid_utf8.csv" --json >"$T/u.json" 2>"$T/err"
check "analyze json exit 0" test $? -eq 0
check "analyze json is valid UTF-8 JSON" "$PY" -c "import json,sys; json.load(open(sys.argv[1], encoding='utf-8', errors='strict'))" "$T/u.json"
check "replacement character in the ids" grep -q $'c1\xef\xbf\xbd' "$T/u.json"
check "invalid bytes counted" grep -q "1 text value is not valid UTF-8" "$T/err"
"$H" inspect --json "$C/invalid_utf8.csv" >"$T/i.json" 2>/dev/null
check "inspect json is valid" "$PY" -c "import json,sys; json.load(open(sys.argv[1], encoding='utf-8', errors='strict'))" "$T/i.json"
"$H" forecast "$C/invalid_utf8.csv" --date order_date --value revenue --by customer_id --json --quiet >"$T/f.json" 2>/dev/null
check "forecast json is valid" "$PY" -c "import json,sys; json.load(open(sys.argv[1], encoding='utf-8', errors='strict'))" "$T/f.json"
# numbers keep 15 significant digits: values are written back as read
printf 'date,sales\n2024-01,12345678901234\n2024-02,123456789.123\n2024-03,98765432109.87\n' >"$T/prec.csv"
"$H" forecast "$T/prec.csv" --date date --value sales --model naive --horizon 1 \
    --fitted "$T/prec_fit.csv" -o "$T/prec_fc.csv" --quiet
check "fitted echoes 12345678901234" grep -q ',12345678901234,' "$T/prec_fit.csv"
check "fitted echoes 123456789.123" grep -q ',123456789.123,' "$T/prec_fit.csv"
check "naive point is the last value whole" grep -q '^total,2024-04,98765432109.87,' "$T/prec_fc.csv"
"$H" forecast "$T/prec.csv" --date date --value sales --model naive --horizon 1 --json --quiet >"$T/prec.json"
check "json point whole" grep -q '"point":98765432109.87,' "$T/prec.json"
check "json total to 15 digits" grep -q '"last12_total":12444567790133}' "$T/prec.json"
# sums of many such values too: every period's sum of the sample's orders
# is the exact sum (fsum) to 15 digits, by region and in the reconciled
# total (until 2026-12-07 summed naively: South 2024-01 was
# 8268.34999999999, the total of 2024-12 74786.8899999999)
"$H" forecast "$S" --date order_date --value revenue --by region \
    --reconcile bu --horizon 1 --fitted "$T/sum_m.csv" -o /dev/null --quiet 2>/dev/null
"$H" forecast "$S" --date order_date --value revenue --freq week \
    --horizon 1 --fitted "$T/sum_w.csv" -o /dev/null --quiet 2>/dev/null
check "period sums are exact to 15 digits" "$PY" - "$S" "$T/sum_m.csv" "$T/sum_w.csv" <<'PY'
import collections, csv, datetime, math, sys
rows = list(csv.DictReader(open(sys.argv[1])))
def week(d):
    x = datetime.date.fromisoformat(d)
    return (x - datetime.timedelta(days=x.weekday())).isoformat()
bad = n = 0
for path, period in ((sys.argv[2], lambda d: d[:7] + "-01"), (sys.argv[3], week)):
    sums = collections.defaultdict(list)
    for r in rows:
        for key in (r["region"], "total"):
            sums[(key, period(r["order_date"]))].append(float(r["revenue"]))
    for r in csv.DictReader(open(path)):
        k = (r["series"], r["date"])
        if k in sums:
            n += 1
            if r["actual"] != "%.15g" % math.fsum(sums[k]):
                bad += 1
                print("%s %s: %s, exact %.15g" % (k + (r["actual"], math.fsum(sums[k]))))
sys.exit(1 if bad or n < 300 else 0)
PY
printf 'customer_id,order_date,revenue\nC1,2024-01-05,12345678901.23\nC1,2024-02-05,1\nC2,2024-01-07,15\nC3,2024-01-09,7\n' >"$T/prec_c.csv"
"$H" analyze segment "$T/prec_c.csv" --customer customer_id --date order_date --amount revenue -o "$T/prec_seg.csv" 2>/dev/null
check "analyze keeps a 13-digit total" grep -q '12345678902.23' "$T/prec_seg.csv"
# the files are synced before standard output is written: a file that
# fails at its last write (here a size limit) leaves stdout empty too
# (stderr goes through the pipe too: the limit covers every file)
# (a small output, so that the failure shows only when it is flushed)
printf 'customer_id,order_date,revenue\nC1,2024-01-05,10\nC1,2024-02-05,20\nC2,2024-01-07,15\nC3,2024-01-09,7\n' >"$T/xfsz_in.csv"
bash -c 'trap "" XFSZ; ulimit -f 0; exec "$0" analyze segment "$1" -o "$2"' \
    "$H" "$T/xfsz_in.csv" "$T/xfsz_seg.csv" 2>&1 | cat >"$T/xfsz_all"
check "size limit: the file named" grep -q "could not write $T/xfsz_seg.csv" "$T/xfsz_all"
check "size limit: no summary on stdout" bash -c "! grep -q 'analysis: segment' '$T/xfsz_all'"
check "size limit: no file" test ! -e "$T/xfsz_seg.csv"
# two outputs on standard output are refused
expect_exit 2 "-o and --report both go to standard output" -- \
    "$H" forecast "$S" --date order_date --value revenue --report -
expect_exit 2 "--report and the summary both go to standard output" -- \
    "$H" analyze segment "$S" -o "$T/seg2.csv" --report -
finish
