#!/usr/bin/env bash
# The runner's logs and metrics: --log-format json lines (RFC 3339 time,
# level, message, job id, tenant, stage timings), --log-level; the
# OpenMetrics file (--metrics-file), checked by the prometheus_client
# OpenMetrics parser when it is installed and by its own rules otherwise,
# rewritten atomically under --watch; the JSON metrics beside it; the
# heartbeat file.
source "$(dirname "$0")/lib.sh"
export HORIZON_STORE="sqlite:$T/store.db" TMPDIR="$T" HZ_DATASET_ROOTS="$T"
{
    echo "date,value"
    for i in $(seq 0 23); do
        printf '%04d-%02d-01,%d\n' $((2022 + i / 12)) $((i % 12 + 1)) $((50 + i))
    done
} > "$T/tiny.csv"
printf 'date,value\n2024-01-01,1\n"unterminated,3\n' > "$T/bad.csv"
P=(--type forecast --tenant acme --param date=date --param value=value
   --param model=naive --param freq=month --quiet)
"$HORIZON" submit "${P[@]}" --dataset "$T/tiny.csv" --count 3
"$HORIZON" submit "${P[@]}" --dataset "$T/bad.csv" --id broken
"$HORIZON" run --once --quiet --log-format json --metrics-file "$T/m.prom" \
    --metrics "$T/m.json" --heartbeat "$T/hb.json" 2>"$T/log.jsonl"
check "exit 1 (a job failed)" test $? -eq 1

/usr/bin/python3 - "$T" <<'PY' >"$T/py.out" 2>&1
import json, re, sys
t = sys.argv[1]
lines = [json.loads(l) for l in open(f"{t}/log.jsonl") if l.strip()]
rfc3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
assert lines, "no log lines"
for l in lines:
    assert rfc3339.match(l["time"]), l
    assert l["level"] in ("debug", "info", "warn", "error"), l
    assert isinstance(l["msg"], str)
ok = [l for l in lines if "succeeded" in l["msg"]]
bad = [l for l in lines if l.get("reason") == "dataset"]
assert len(ok) == 3, f"{len(ok)} success lines"
for l in ok:
    assert l["tenant"] == "acme" and l["type"] == "forecast" and l["job"]
    assert set(l["stages"]) >= {"fetch", "ingest", "compute", "write"}, l
    assert l["latencyS"] > 0
assert len(bad) == 1 and bad[0]["job"] == "broken" and bad[0]["level"] == "warn"
print("log ok")
# the OpenMetrics file
text = open(f"{t}/m.prom").read()
assert text.endswith("# EOF\n"), "no # EOF"
s = {}
for line in text.splitlines():
    if line.startswith("#"):
        continue
    name, value = line.rsplit(" ", 1)
    s[name] = float(value)
assert s['horizon_jobs_total{type="forecast",status="succeeded"}'] == 3
assert s['horizon_jobs_total{type="forecast",status="failed"}'] == 1
assert s['horizon_job_failures_total{reason="dataset"}'] == 1
for st in ("fetch", "ingest"):
    inf = s[f'horizon_stage_seconds_bucket{{stage="{st}",le="+Inf"}}']
    assert inf == s[f'horizon_stage_seconds_count{{stage="{st}"}}'] == 4, st
b = [v for k, v in s.items() if k.startswith('horizon_stage_seconds_bucket{stage="compute"')]
assert b == sorted(b), "buckets not cumulative"
assert s["horizon_job_latency_seconds_count"] == 4
assert s["horizon_runner_healthy"] == 1
try:
    from prometheus_client.openmetrics.parser import text_string_to_metric_families
except ImportError:
    print("metrics ok (prometheus_client not installed: own checks only)")
else:
    fams = {f.name: f for f in text_string_to_metric_families(text)}
    assert fams["horizon_jobs"].type == "counter"
    assert fams["horizon_stage_seconds"].type == "histogram"
    assert fams["horizon_stage_seconds"].unit == "seconds"
    assert fams["horizon_runner_healthy"].type == "gauge"
    print("metrics ok (prometheus_client OpenMetrics parser)")
m = json.load(open(f"{t}/m.json"))
assert m["jobs"]["succeeded"] == 3 and m["jobs"]["failed"] == 1
hb = json.load(open(f"{t}/hb.json"))
assert hb["state"] == "ok" and rfc3339.match(hb["time"]) and hb["succeeded"] == 3
print("json metrics and heartbeat ok")
PY
rc=$?
cat "$T/py.out"
check "log lines, OpenMetrics file, JSON metrics, heartbeat" test $rc -eq 0

# --log-level warn: no success lines, the failure still there
"$HORIZON" jobs retry broken --tenant acme >/dev/null
"$HORIZON" submit "${P[@]}" --dataset "$T/tiny.csv" --id quiet-ok
"$HORIZON" run --once --quiet --log-level warn 2>"$T/warn.log"
check "warn level: no success line" bash -c "! grep -q succeeded '$T/warn.log'"
check "warn level: the failure" grep -q "job broken (forecast, tenant acme) failed \[dataset\]" "$T/warn.log"
check "text lines start with an RFC 3339 time and a level" \
    grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{12}Z warn horizon run: ' "$T/warn.log"

# --watch: the file is rewritten every interval, never seen half-written
"$HORIZON" run --watch --poll-interval 0.2 --metrics-file "$T/w.prom" \
    --metrics-interval 0.3 --heartbeat "$T/whb.json" --quiet 2>"$T/w.log" &
W=$!
for _ in $(seq 100); do [[ -s "$T/w.prom" ]] && break; sleep 0.05; done
"$HORIZON" submit "${P[@]}" --dataset "$T/tiny.csv" --id late
seen=0 torn=0
for _ in $(seq 100); do
    if [[ -s "$T/w.prom" ]]; then
        tail -1 "$T/w.prom" | grep -qx '# EOF' || torn=$((torn + 1))
        grep -q 'horizon_jobs_total{type="forecast",status="succeeded"} 1' \
            "$T/w.prom" && { seen=1; break; }
    fi
    sleep 0.05
done
check "watch: the metrics file counts the new job" test $seen -eq 1
check "watch: never a torn file ($torn)" test $torn -eq 0
check "watch: heartbeat ok" grep -q '"state":[[:space:]]*"ok"' "$T/whb.json"
kill -TERM $W; wait $W
check "watch: exit 0 after SIGTERM" test $? -eq 0

# JSON log lines are valid UTF-8 whatever the bytes of a path in an error
# (a Latin-1 file name: U+FFFD in the line, as in every JSON output)
latin="$T/caf$(printf '\xe9').csv"
cp "$T/tiny.csv" "$latin"
"$HORIZON" submit --type forecast --tenant acme --dataset "$latin" \
    --param date=date --param value=nosuch --no-validate --id latin --quiet
"$HORIZON" run --once --quiet --log-format json 2>"$T/latin.jsonl"
check "json log: the failure is logged" grep -q '"job":"latin"' "$T/latin.jsonl"
check "json log: every line valid UTF-8 JSON" /usr/bin/python3 -c '
import json, sys
for line in open(sys.argv[1], "rb"):
    json.loads(line.decode("utf-8"))' "$T/latin.jsonl"
finish
