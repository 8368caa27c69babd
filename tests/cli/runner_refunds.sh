#!/usr/bin/env bash
# A job's attempts count its own failures only: when the runner running
# it is SIGKILLed, the runner that takes the job over (lease expired)
# refunds the attempt and counts a takeover.  A job whose runners died
# four times with --max-attempts 2 still succeeds, with attempts 1 and
# takeovers 4; a job taken over more than 10 times fails ("takeovers");
# a crashing job process does use up its attempts.
source "$(dirname "$0")/lib.sh"
export HORIZON_STORE="sqlite:$T/store.db" TMPDIR="$T" HZ_DATASET_ROOTS="$T" \
    HZ_TEST_HOOKS=1
{
    echo "date,value"
    for i in $(seq 0 23); do
        printf '%04d-%02d-01,%d\n' $((2022 + i / 12)) $((i % 12 + 1)) $((50 + i))
    done
} > "$T/tiny.csv"
P=(--type forecast --tenant acme --dataset "$T/tiny.csv" --param date=date
   --param value=value --param model=naive --param freq=month --quiet)
"$HORIZON" submit "${P[@]}" --id victim --param debugSleepS=1.5
field() { "$HORIZON" jobs show "$1" --json |
    /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin).get('$2', 0))"; }

# four runners die while the job runs (each is killed once the job has
# started: status running with its lease)
for k in 1 2 3 4; do
    "$HORIZON" run --once --lease 1 --max-attempts 2 --quiet \
        >"$T/r$k.out" 2>"$T/r$k.err" &
    R=$!
    for _ in $(seq 100); do
        [[ "$(field victim leaseOwner)" == *":$R:"* ]] && break
        sleep 0.05
    done
    kill -9 $R
    wait $R 2>/dev/null
    sleep 1.1 # the lease expires
done
check "after 4 deaths: attempts 1 ($(field victim attempts))" \
    test "$(field victim attempts)" = 1
check "after 4 deaths: 3 takeovers counted ($(field victim takeovers))" \
    test "$(field victim takeovers)" = 3
expect_exit 0 "" -- "$HORIZON" run --once --lease 1 --max-attempts 2 --quiet
check "the job then succeeds" bash -c \
    "'$HORIZON' jobs show victim | grep -q 'status:    succeeded'"
check "attempts still 1 ($(field victim attempts))" test "$(field victim attempts)" = 1
check "takeovers 4 ($(field victim takeovers))" test "$(field victim takeovers)" = 4

# a job that kept killing its runners: failed once takeovers pass 10
cat > "$T/loop.json" <<JSON
{"id":"looper","type":"forecast","customerId":"acme","dataset":"$T/tiny.csv",
 "params":{"date":"date","value":"value"},"status":"running","attempts":1,
 "takeovers":10,"leaseOwner":"dead:1:x","leaseExpiry":1}
JSON
"$HORIZON" submit --no-validate --file "$T/loop.json" --quiet
/usr/bin/python3 - "$T/store.db" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
(body,) = db.execute("select body from docs where id='looper'").fetchone()
d = json.loads(body)
d.update(status="running", takeovers=10, leaseExpiry=1, leaseOwner="dead:1:x")
db.execute("update docs set body=?, status='running', lease_expiry=1 where id='looper'",
           (json.dumps(d),))
db.commit()
PY
expect_exit 1 "" -- "$HORIZON" run --once --quiet
check "looper failed [takeovers]" bash -c \
    "'$HORIZON' jobs show looper | grep -qF '[takeovers]'"

# a crashing job process is the job's own failure: it uses its attempts
"$HORIZON" submit "${P[@]}" --id crasher --param debugSleepS=30 --timeout 60
"$HORIZON" run --once --max-attempts 2 --quiet >"$T/c.out" 2>"$T/c.err" &
R=$!
for round in 1 2; do
    pid=""
    for _ in $(seq 200); do
        Z=$(pgrep -P $R | head -1) # the job process helper
        pid=$( [[ -n "$Z" ]] && pgrep -P "$Z" | head -1 || true)
        [[ -n "$pid" && "$(field crasher attempts)" == "$round" ]] && break
        sleep 0.05
    done
    [[ -n "$pid" ]] && kill -9 "$pid"
    sleep 0.3
done
wait $R
check "crasher failed [crash] after 2 attempts" bash -c \
    "'$HORIZON' jobs show crasher | grep -qF '[crash]' &&
     '$HORIZON' jobs show crasher | grep -q 'attempts:  2'"
finish
