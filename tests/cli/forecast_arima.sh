#!/usr/bin/env bash
# horizon forecast with --model arima / combo / select: ARIMA model text
# in the output, intervals around the point, thread determinism.
source "$HZ_SRC/tests/cli/lib.sh"
H=$HORIZON
S="$HZ_DATA_DIR/sample_sales.csv"
[[ -r "$S" ]] || { echo "SKIP: $S missing"; exit 77; }

for m in arima combo select; do
    OMP_NUM_THREADS=1 "$H" forecast "$S" --date order_date --value revenue \
        --by region --freq month --horizon 6 --model $m -o "$T/$m.csv" \
        2>"$T/err"
    check "forecast --model $m exit 0" test $? -eq 0
    check "$m: 5 regions x 6 rows" test "$(tail -n +2 "$T/$m.csv" | wc -l)" -eq 30
    # lo95 <= lo80 <= point <= hi80 <= hi95 on every row
    check "$m: ordered intervals" awk -F, 'NR > 1 && !($6 <= $4 && $4 <= $3 && $3 <= $5 && $5 <= $7) { bad = 1 } END { exit bad }' "$T/$m.csv"
    OMP_NUM_THREADS=2 "$H" forecast "$S" --date order_date --value revenue \
        --by region --freq month --horizon 6 --model $m -o "$T/${m}2.csv" \
        2>/dev/null
    check "$m: same output with 2 threads" cmp -s "$T/$m.csv" "$T/${m}2.csv"
done
check "arima model text" grep -q '"ARIMA(' "$T/arima.csv"
check "combo names its members" grep -q 'ARIMA(' "$T/combo.csv"

finish
