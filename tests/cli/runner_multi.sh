#!/usr/bin/env bash
# Two runners on one SQLite file drain 1,000 queued jobs; one of them is
# killed with SIGKILL mid-run.  Its jobs are recovered by a third runner
# once their leases expire.  Every job must end succeeded, exactly once
# (no job reported as completed by two runners), with its result document.
set -euo pipefail
: "${HORIZON:?}" "${HZ_TEST_TMP:?}"
T="$HZ_TEST_TMP/runner_multi"
rm -rf "$T" && mkdir -p "$T"
export HORIZON_STORE="sqlite:$T/store.db"
export TMPDIR="$T" HZ_DATASET_ROOTS="$T"
N=${HZ_RUNNER_JOBS:-1000}

# a tiny monthly series: the cheapest real job (naive forecast)
{
    echo "date,value"
    for i in $(seq 0 23); do
        printf '%04d-%02d-01,%d\n' $((2022 + i / 12)) $((i % 12 + 1)) $((100 + i * 3 + (i % 12) * 5))
    done
} > "$T/tiny.csv"
"$HORIZON" submit --type forecast --tenant acme --dataset "$T/tiny.csv" \
    --param dateColumn=date --param valueColumn=value --param horizon=3 \
    --param model=naive --param freq=month --count "$N" --quiet

count_status() {
    /usr/bin/python3 - "$T/store.db" "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=30)
print(db.execute("select count(*) from docs where container='jobs' and status=?",
                 (sys.argv[2],)).fetchone()[0])
PY
}

# ids of the jobs runner $1 (its pid, in the lease owner host:pid:...)
# holds: running under its lease
held_by() {
    /usr/bin/python3 - "$T/store.db" "$1" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=30)
tag = ":" + sys.argv[2] + ":"
for i, b in db.execute("select id, body from docs where container='jobs' "
                       "and status='running'"):
    if tag in json.loads(b).get("leaseOwner", ""):
        print(i)
PY
}

RUN=("$HORIZON" run --once --concurrency 4 --lease 3 --timeout 60 --verbose --quiet)
"${RUN[@]}" > "$T/a.out" 2> "$T/a.log" &
A=$!
"${RUN[@]}" > "$T/b.out" 2> "$T/b.log" &
B=$!

# kill A once a tenth of the jobs are done, A itself has finished some
# and holds a lease on a running job (between two claims it may hold
# none, and then there would be nothing to recover).  A is frozen
# (SIGSTOP) while its leases are read, so that what it holds cannot
# change between that look and the kill (on a loaded machine its jobs,
# of a few ms, ended in between, and the test found nothing to recover)
for _ in $(seq 1 600); do
    done_n=$(count_status succeeded)
    if [[ $done_n -ge $((N / 10)) ]] && grep -q succeeded "$T/a.log"; then
        kill -STOP "$A"
        [[ -n "$(held_by "$A")" ]] && break
        kill -CONT "$A"
    fi
    sleep 0.1
done
kill -9 "$A"
wait "$A" 2>/dev/null || true
# what A held when it died (it can change nothing now)
held_by "$A" > "$T/held"
echo "runner A held $(wc -l < "$T/held") running jobs when killed"
running_at_kill=$(grep -c "succeeded" "$T/a.log" || true)
echo "runner A killed after completing $running_at_kill jobs"
wait "$B" || true

# leases of A's jobs expire after 3 s; a new runner recovers them
sleep 3.5
"${RUN[@]}" > "$T/c.out" 2> "$T/c.log" || true

/usr/bin/python3 - "$T" "$N" <<'PY'
import collections, re, sqlite3, sys
t, n = sys.argv[1], int(sys.argv[2])
db = sqlite3.connect(t + "/store.db")
jobs = db.execute("select id, body from docs where container='jobs'").fetchall()
import json
bodies = {i: json.loads(b) for i, b in jobs}
assert len(bodies) == n, f"{len(bodies)} jobs in the store, expected {n}"
status = collections.Counter(b["status"] for b in bodies.values())
assert status["succeeded"] == n, f"statuses: {dict(status)}"
# completions reported by the runners' logs: never twice
done = collections.Counter()
for r in "abc":
    for line in open(f"{t}/{r}.log"):
        m = re.search(r"job (\S+) \(forecast.*\) succeeded", line)
        if m:
            done[m.group(1)] += 1
twice = [j for j, c in done.items() if c > 1]
assert not twice, f"completed twice: {twice[:5]}"
# runner A may have committed a job and been killed before logging it
assert n - 4 <= len(done) <= n, f"{len(done)} completions logged, {n} jobs"
# every job has exactly its one result document (report chunks aside)
res = collections.Counter(d["jobId"] for d in (json.loads(b) for (b,) in
    db.execute("select body from docs where container='results'"))
    if "artifactOf" not in d)
assert set(res) == set(bodies), "a job without results"
assert max(res.values()) == 1, "duplicated result documents"
# every job A held when it was killed was taken over by another runner
held = open(t + "/held").read().split()
assert held, "runner A held no running job when it was killed"
lost = [j for j in held if bodies[j].get("takeovers", 0) < 1]
assert not lost, f"jobs A held but nobody took over: {lost[:5]}"
print(f"ok: {n} jobs succeeded once each; the {len(held)} A held when "
      f"killed were taken over")
PY
