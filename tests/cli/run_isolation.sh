#!/usr/bin/env bash
# Job isolation: a job process of `horizon run` is held by the kernel
# (Landlock) to its own dataset and its own files, so that code a hostile
# dataset gets to run there (a parser bug) cannot open the store file
# (every tenant's jobs and results), another tenant's dataset or a file in
# the home directory; the dataset sandbox's path checks were the only
# barrier and the job process could open anything its user could.  Also:
# it keeps no descriptor the runner inherited (only 0, 1, 2), it has
# no_new_privs; without Landlock the runner refuses to run jobs (exit 78)
# unless --isolation best-effort, which says so and runs them.
# The test hook params.debugReadFile (HZ_TEST_HOOKS=1) makes the job try to
# open a path and fail saying "opened" or why not.
source "$(dirname "$0")/lib.sh"
abi=$(/usr/bin/python3 -c 'import ctypes; print(ctypes.CDLL(None).syscall(444, None, 0, 1))')
if [[ "$abi" -le 0 ]]; then
    echo "skip: the kernel has no Landlock (landlock_create_ruleset: $abi)"
    exit 77
fi
B="${HZ_BUILD:?HZ_BUILD must point to the build directory}"
mkdir -p "$T/data/acme" "$T/data/globex" "$T/home/.ssh"
tiny_monthly_csv "$T/data/acme/sales.csv"
tiny_monthly_csv "$T/data/globex/secret.csv"
echo "PRIVATE KEY" >"$T/home/.ssh/id_ed25519"
export HORIZON_STORE="sqlite:$T/store.db" HZ_DATASET_ROOTS="$T/data/{tenant}" \
    TMPDIR="$T" HZ_TEST_HOOKS=1 HOME="$T/home"
unset HZ_TENANT HZ_JOB_ISOLATION OPENAI_API_KEY OPENAI_BASE_URL \
    AZURE_OPENAI_ENDPOINT HZ_LLM_CONFIG || true

submit() { # ID [PARAM...]
    local id=$1
    shift
    "$HORIZON" submit --type forecast --tenant acme --id "$id" --quiet \
        --dataset "$T/data/acme/sales.csv" --param date=date --param value=value \
        --param model=naive --param freq=month "$@"
}

submit store --param "debugReadFile=$T/store.db"
submit globex --param "debugReadFile=$T/data/globex/secret.csv"
submit home --param "debugReadFile=$T/home/.ssh/id_ed25519"
submit own --param "debugReadFile=$T/data/acme/sales.csv"
submit plain
# /sys and /proc: the CPU facts the C library, OpenBLAS and OpenMP read,
# but not the cgroup tree (the machine's other services and containers)
# nor another process's /proc (pid 1's, this test shell's)
cg=$(ls -d /sys/fs/cgroup/cgroup.controllers /sys/fs/cgroup/*/cgroup.procs \
    /sys/fs/cgroup/cgroup.procs 2>/dev/null | head -1)
submit cgroup --param "debugReadFile=${cg:-/sys/fs/cgroup}"
submit pid1 --param "debugReadFile=/proc/1/status"
submit shell --param "debugReadFile=/proc/$$/environ"
submit sysnet --param "debugReadFile=/sys/class/net"
submit cpu --param "debugReadFile=/sys/devices/system/cpu/online"
"$HORIZON" run --once --concurrency 2 >"$T/run.out" 2>"$T/run.err"
for id in cgroup pid1 shell sysnet; do
    check "the job process cannot open $id ($(field $id error))" \
        grep -q "debugReadFile: .*: Permission denied" <<<"$(field $id error)"
done
check "it reads the CPU facts ($(field cpu error))" \
    grep -q "debugReadFile: .*online: opened" <<<"$(field cpu error)"
for id in store globex home; do
    check "the job process cannot open the $id file ($(field $id error))" \
        grep -q "debugReadFile: .*: Permission denied" <<<"$(field $id error)"
done
check "it opens its own dataset ($(field own error))" \
    grep -q "debugReadFile: .*sales.csv: opened" <<<"$(field own error)"
check "an isolated job succeeds ($(field plain error); $(cat "$T/run.err"))" \
    test "$(field plain status)" = succeeded
check "the run's work directory is gone" \
    bash -c "! ls -d '$T'/horizon-run-* 2>/dev/null"

# A URL dataset: downloaded into the job's own directory and read there
port_file="$T/port"
/usr/bin/python3 -c '
import http.server, socketserver, sys, functools
h = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
class Quiet(h.func):
    def log_message(self, *a): pass
s = socketserver.TCPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=sys.argv[1]))
open(sys.argv[2], "w").write(str(s.server_address[1]))
s.serve_forever()' "$T/data/acme" "$port_file" &
server=$!
trap 'kill $server 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
port=$(wait_port "$port_file")
HZ_DATASET_HOSTS=127.0.0.1 HZ_DATASET_ALLOW_ADDRS=127.0.0.1/32 \
    "$HORIZON" submit --type forecast --tenant acme --id url --quiet \
    --dataset "http://127.0.0.1:$port/sales.csv" --param date=date \
    --param value=value --param model=naive --param freq=month
HZ_DATASET_HOSTS=127.0.0.1 HZ_DATASET_ALLOW_ADDRS=127.0.0.1/32 \
    "$HORIZON" run --once >"$T/run.out" 2>"$T/run.err"
check "an isolated job downloads its URL dataset ($(field url error))" \
    test "$(field url status)" = succeeded
# ... and once it has, it can make no socket: code a hostile dataset got
# to run while it is parsed could connect anywhere TCP goes (Landlock's
# network rules go by port; the sandbox checks the download's addresses
# only), to the cloud's metadata endpoint for the runner's identity
# token, say.  The test hook debugConnect tries, once the dataset is
# local, the port the dataset came from.
HZ_DATASET_HOSTS=127.0.0.1 HZ_DATASET_ALLOW_ADDRS=127.0.0.1/32 \
    "$HORIZON" submit --type forecast --tenant acme --id urlnet --quiet \
    --dataset "http://127.0.0.1:$port/sales.csv" --param date=date \
    --param value=value --param model=naive --param freq=month \
    --param "debugConnect=127.0.0.1:$port" --max-attempts 1
HZ_DATASET_HOSTS=127.0.0.1 HZ_DATASET_ALLOW_ADDRS=127.0.0.1/32 \
    "$HORIZON" run --once >"$T/run.out" 2>"$T/run.err"
check "after its download a job process makes no socket ($(field urlnet error))" \
    test "$(field urlnet error)" = "test hook debugConnect: 127.0.0.1:$port: Permission denied"
# A URL dataset's job process reads the CA certificates, not the machine's
# TLS private keys beside them (it was allowed the whole of /etc/ssl)
if [[ -d /etc/ssl/private && -f /etc/ssl/certs/ca-certificates.crt ]]; then
    nssl=0
    for f in /etc/ssl/private /etc/ssl/certs/ca-certificates.crt; do
        id=ssl$((++nssl))
        HZ_DATASET_HOSTS=127.0.0.1 HZ_DATASET_ALLOW_ADDRS=127.0.0.1/32 \
            "$HORIZON" submit --type forecast --tenant acme --id $id --quiet \
            --dataset "http://127.0.0.1:$port/sales.csv" --param date=date \
            --param value=value --param "debugReadFile=$f" --max-attempts 1
    done
    HZ_DATASET_HOSTS=127.0.0.1 HZ_DATASET_ALLOW_ADDRS=127.0.0.1/32 \
        "$HORIZON" run --once >"$T/run.out" 2>"$T/run.err"
    check "a URL job cannot open /etc/ssl/private ($(field ssl1 error))" \
        test "$(field ssl1 error)" = "test hook debugReadFile: /etc/ssl/private: Permission denied"
    check "it reads the CA bundle ($(field ssl2 error))" \
        test "$(field ssl2 error)" = "test hook debugReadFile: /etc/ssl/certs/ca-certificates.crt: opened"
fi

# The job process's descriptors and no_new_privs: the runner is started
# with descriptor 7 open (as a supervisor's pipe or a shell's file may be)
submit slow --param debugSleepS=3
exec 7<"$T/home/.ssh/id_ed25519"
"$HORIZON" run --once >"$T/run.out" 2>"$T/run.err" &
runner=$!
exec 7<&-
job=$(job_process "$runner")
sleep 0.5 # the job is asleep (debugSleepS=3)
fds=$(ls "/proc/$job/fd" 2>/dev/null | sort -n | tr '\n' ' ')
nnp=$(awk '/^NoNewPrivs:/ {print $2}' "/proc/$job/status" 2>/dev/null)
wait "$runner"
check "the job process was found ($job)" test -n "$job"
check "the job process has only descriptors 0 1 2 ($fds)" test "$fds" = "0 1 2 "
check "the job process has no_new_privs ($nnp)" test "$nnp" = 1
check "the slow job succeeded" test "$(field slow status)" = succeeded

# Without Landlock (its system calls refused, as on an old kernel): no
# job runs, exit 78, one line says why; --isolation best-effort (or
# HZ_JOB_ISOLATION) runs them and says they are not isolated
submit old
expect_exit 78 "job isolation is required and unavailable" -- \
    "$B/no_landlock" "$HORIZON" run --once
check "nothing was claimed" test "$(field old status)" = queued
expect_exit 0 "job isolation unavailable" -- \
    "$B/no_landlock" "$HORIZON" run --once --isolation best-effort \
    --heartbeat "$T/hb.json"
check "the job ran" test "$(field old status)" = succeeded
check "the heartbeat says jobs are not isolated" \
    grep -q '"jobIsolation":[[:space:]]*"none"' "$T/hb.json"
submit old2
expect_exit 0 "job isolation unavailable" -- env HZ_JOB_ISOLATION=best-effort \
    "$B/no_landlock" "$HORIZON" run --once
# ... but the seccomp socket filter does not depend on Landlock: a
# best-effort job process still gets it (before, it got no filter at all:
# it could connect to any local service's UNIX socket), and the start
# line, the heartbeat and the metrics say so.  no_landlock's own filter
# is the runner's 1; the job process's is one more.
check "the heartbeat says job processes get the socket filter" \
    grep -q '"jobSocketFilter":[[:space:]]*true' "$T/hb.json"
submit old3 --param debugSleepS=2
"$B/no_landlock" "$HORIZON" run --once --isolation best-effort \
    --metrics-file "$T/m0.prom" >"$T/old3.out" 2>"$T/old3.err" &
runner=$!
job=$(job_process "$runner")
sleep 0.5
nf=$(awk '/^Seccomp_filters:/ {print $2}' "/proc/$job/status" 2>/dev/null)
wait "$runner"
check "best-effort: the job process has the socket filter (filters: $nf)" \
    test "$nf" -ge 2
check "best-effort: the start line says the socket filter holds" \
    grep -q "job isolation unavailable: .*the socket filter holds them" \
    "$T/old3.err"
check "best-effort: so does the metrics file" \
    grep -q "^horizon_job_isolation_socket_filter 1$" "$T/m0.prom"
check "the best-effort job ran" test "$(field old3 status)" = succeeded
# ... which, for a local dataset, allows no socket at all (no TCP either:
# there is no Landlock to refuse connect)
submit oldnet --param "debugConnect=127.0.0.1:$port" --max-attempts 1
"$B/no_landlock" "$HORIZON" run --once --isolation best-effort >/dev/null 2>&1
check "best-effort: a local dataset's job process makes no socket ($(field oldnet error))" \
    test "$(field oldnet error)" = "test hook debugConnect: 127.0.0.1:$port: Permission denied"
# Landlock offered at start but refused to the job processes (a seccomp
# profile that lets a process ask the ABI, not restrict itself): the
# runner's fault, not the jobs'.  No job is failed for it: the first is
# queued again, its attempt refunded, nothing more is claimed, exit 78
# (--watch too).  Before, every job of the queue was failed for good
# (reason isolation, exit 0) and a --watch runner went on failing them.
submit r1
submit r2
submit r3
expect_exit 78 "job isolation is required and unavailable: could not isolate the job process (Landlock): landlock_restrict_self" -- \
    "$B/no_landlock" --restrict-only "$HORIZON" run --once
for id in r1 r2 r3; do
    st="$(field $id status) $(field $id attempts)"
    check "$id: queued, no attempt counted ($st)" test "$st" = "queued 0"
done
expect_exit 78 "job isolation is required and unavailable" -- \
    timeout 20 "$B/no_landlock" --restrict-only "$HORIZON" run --watch \
    --poll-interval 0.2
for id in r1 r2 r3; do
    st="$(field $id status) $(field $id attempts)"
    check "--watch: $id queued, no attempt counted ($st)" test "$st" = "queued 0"
done
"$HORIZON" run --once >/dev/null 2>&1
check "isolated again, the jobs run" test "$(field r3 status)" = succeeded
expect_exit 2 "--isolation: expected require or best-effort" -- \
    "$HORIZON" run --once --isolation off
"$HORIZON" run --once --heartbeat "$T/hb2.json" --metrics-file "$T/m.prom" \
    >/dev/null 2>&1
check "the heartbeat says which Landlock ABI isolates jobs" \
    grep -q "\"jobIsolation\":[[:space:]]*\"landlock-abi-$abi\"" "$T/hb2.json"
check "so does the metrics file" \
    grep -q "^horizon_job_isolation_landlock_abi $abi$" "$T/m.prom"
finish
