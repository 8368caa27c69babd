#!/usr/bin/env bash
# The reason a job process's result gives is taken only if it is one a
# job process gives (params, dataset, fetch, compute, memory, ...); any
# other becomes "compute".  The result file is the job process's to
# write, so code a hostile dataset got to run there could put any text in
# it, and it became a label of the metrics as it was: a quote and a
# newline made a line of its own in the OpenMetrics file (a forged
# metric), and the text went into the log and the job's document.  The
# test hook params.debugReason (HZ_TEST_HOOKS=1) makes the job process
# fail with the reason given.
source "$(dirname "$0")/lib.sh"
sqlite_runner_env
params='{"date":"date","value":"value","model":"naive","freq":"month","debugReason":"x\"} 7\nhorizon_fake 1\n#"}'
"$HORIZON" submit --type forecast --tenant acme --id forged --quiet \
    --dataset "$T/data/acme/sales.csv" --params "$params" --max-attempts 1
cp "$T/data/acme/sales.csv" "$T/data/acme/gone.csv"
"$HORIZON" submit --type forecast --tenant acme --id bad --quiet \
    --dataset "$T/data/acme/gone.csv" --param date=date \
    --param value=value --max-attempts 1
rm "$T/data/acme/gone.csv"
"$HORIZON" run --once --metrics-file "$T/m.prom" >"$T/run.out" 2>"$T/run.err"
reason() {
    "$HORIZON" jobs show "$1" --json |
        /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["status"], d.get("errorReason"))'
}
check "the forged reason is taken for compute ($(reason forged))" \
    test "$(reason forged)" = "failed compute"
check "a reason the job process gives is kept ($(reason bad))" \
    test "$(reason bad)" = "failed dataset"
check "no forged line in the metrics" \
    test "$(grep -c '^horizon_fake' "$T/m.prom")" = 0
check "every failure label is a known reason" \
    test "$(grep '^horizon_job_failures_total' "$T/m.prom" | sort | tr '\n' ' ')" = \
    'horizon_job_failures_total{reason="compute"} 1 horizon_job_failures_total{reason="dataset"} 1 '
finish
