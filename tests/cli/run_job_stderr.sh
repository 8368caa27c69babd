#!/usr/bin/env bash
# A job process's stderr.  It was the runner's own: whatever a job process
# wrote there (code a hostile dataset got to run in it, a library echoing
# a value of the dataset) went into the runner's log as it was, so a job
# could write a line that looked like the runner's ("... info horizon run:
# job X succeeded", a JSON log line with --log-format json) and fool
# whoever reads the log.  Now the runner logs it as warnings of its own,
# each line marked "job J: job process P wrote on stderr:", control
# characters in caret notation, a JSON string in json.  The test hook
# params.debugStderr (HZ_TEST_HOOKS=1) writes its text on the job
# process's stderr.
source "$(dirname "$0")/lib.sh"
sqlite_runner_env
fake_text='2026-01-01T00:00:00.000Z info horizon run: job fake (forecast, tenant acme) succeeded: 1 result documents'
fake_json='{"time":"2026-01-01T00:00:00.000Z","level":"info","msg":"job fake succeeded","job":"fake"}'
esc=$'\033[2J\033]0;owned\007'
params=$(/usr/bin/python3 -c 'import json,sys; print(json.dumps({"date":"date","value":"value","model":"naive","freq":"month","debugStderr":sys.argv[1]+"\n"+sys.argv[2]+"\n"+sys.argv[3]+"\n"}))' \
    "$fake_text" "$fake_json" "$esc")
submit() {
    "$HORIZON" submit --type forecast --tenant acme --id "$1" --quiet \
        --dataset "$T/data/acme/sales.csv" --params "$params"
}
status() {
    "$HORIZON" jobs show "$1" --json |
        /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])'
}

submit s1
"$HORIZON" run --once >"$T/run.out" 2>"$T/run.err"
check "the job succeeded" test "$(status s1)" = succeeded
check "its line counts one result document in the singular" \
    grep -q "info horizon run: job s1 (forecast, tenant acme) succeeded: 1 result document, [0-9]* rows" "$T/run.err"
check "no line of the log is the job's fake one" \
    test "$(grep -c '^2026-01-01T00:00:00.000Z' "$T/run.err")" = 0
check "nor its fake JSON line" \
    test "$(grep -c '^{"time":"2026-01-01' "$T/run.err")" = 0
check "what it wrote is logged, marked as the job process's" \
    grep -q "^[0-9T:.-]*Z warn horizon run: job s1: job process [0-9]* wrote on stderr: 2026-01-01T00:00:00.000Z info horizon run: job fake" \
    "$T/run.err"
check "control characters are shown, not sent to the terminal" \
    grep -qF 'wrote on stderr: ^[[2J^[]0;owned^G' "$T/run.err"
check "no escape character reaches the log" \
    test "$(grep -c $'\033' "$T/run.err")" = 0

submit s2
"$HORIZON" run --once --log-format json >"$T/json.out" 2>"$T/json.err"
check "json: the job succeeded" test "$(status s2)" = succeeded
check "json: every line is the runner's JSON, none the job's" \
    /usr/bin/python3 - "$T/json.err" <<'PY'
import json, sys
ok = True
marked = 0
for line in open(sys.argv[1]):
    if not line.startswith("{"):
        continue  # the run's summary
    d = json.loads(line)
    if d.get("job") == "fake" or d["msg"].startswith("job fake"):
        ok = False
    if "wrote on stderr" in d["msg"]:
        marked += 1
        ok = ok and d["level"] == "warn" and d.get("job") == "s2"
sys.exit(0 if ok and marked == 3 else 1)
PY

# a job that writes a lot: the first lines, then how much more
big=$(/usr/bin/python3 -c 'import json; print(json.dumps({"date":"date","value":"value","model":"naive","freq":"month","debugStderr":"".join("line %d\n" % i for i in range(50))}))')
"$HORIZON" submit --type forecast --tenant acme --id s3 --quiet \
    --dataset "$T/data/acme/sales.csv" --params "$big"
"$HORIZON" run --once >"$T/big.out" 2>"$T/big.err"
check "20 lines are shown" \
    test "$(grep -c 'job s3: job process [0-9]* wrote on stderr: line' "$T/big.err")" = 20
check "the rest is counted" grep -q "job s3: job process [0-9]* wrote [0-9]* more bytes on stderr (not shown)" "$T/big.err"
finish
