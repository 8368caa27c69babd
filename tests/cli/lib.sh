# Helpers for CLI tests (sourced).  Env from ctest: HORIZON, HZ_SRC,
# HZ_DATA_DIR, HZ_SHARED_DATA, HZ_TEST_TMP.
set -u
: "${HORIZON:?HORIZON must point to the horizon binary}"
T=$(mktemp -d "${HZ_TEST_TMP:-/tmp}/cli.XXXXXX" 2>/dev/null || mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
passes=0

# expect_exit CODE STDERR_SUBSTRING -- command...
# Runs the command, checks its exit code and that stderr contains the text.
expect_exit() {
    local want=$1 msg=$2
    shift 3
    "$@" >"$T/out" 2>"$T/err"
    local rc=$?
    if [[ $rc -ne $want ]]; then
        echo "FAIL: '$*' exited $rc, expected $want; stderr: $(cat "$T/err")"
        fails=$((fails + 1))
        return
    fi
    if [[ -n "$msg" ]] && ! grep -qF -- "$msg" "$T/err"; then
        echo "FAIL: '$*' stderr lacks '$msg'; got: $(cat "$T/err")"
        fails=$((fails + 1))
        return
    fi
    passes=$((passes + 1))
}

# check DESCRIPTION test-expression...
check() {
    local what=$1
    shift
    if "$@"; then
        passes=$((passes + 1))
    else
        echo "FAIL: $what"
        fails=$((fails + 1))
    fi
}

# wait_port FILE: the port a peer wrote to FILE, once written (20 s at most)
wait_port() {
    for _ in $(seq 400); do [[ -s "$1" ]] && break; sleep 0.05; done
    cat "$1"
}

# need_node WHY: skip the test (exit 77) where node is not installed
need_node() {
    command -v node >/dev/null 2>&1 && return 0
    echo "skip: node is not installed ($1)"
    exit 77
}

# cosmos_peer_prep: what the Cosmos DB peer needs: node, the pinned npm
# peers, and a certificate for 127.0.0.1 ($T/cert.pem, key $T/key.pem)
cosmos_peer_prep() {
    need_node "the Cosmos DB peer needs it; install nodejs/npm, see scripts/install-deps.sh"
    bash "$HZ_SRC/scripts/test-peers.sh" >&2 || { echo "FAIL: npm ci"; exit 1; }
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
        -addext subjectAltName=IP:127.0.0.1 -keyout "$T/key.pem" \
        -out "$T/cert.pem" >/dev/null 2>&1
}

# The Cosmos DB peer's account key: a test value, not a secret
COSMOS_TEST_KEY="dGVzdC1vbmx5LWtleS1ob3Jpem9uLWNvc21vcy1wZWVyLTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMg=="

# track_pids: the peers a test starts in the background (`pids+=($!)`)
# are stopped, and $T removed (kept with HZ_KEEP_TMP=1), on exit
track_pids() {
    pids=()
    trap stop_pids EXIT
}
stop_pids() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    if [[ -n "${HZ_KEEP_TMP:-}" ]]; then echo "kept $T"; else rm -rf "$T"; fi
}

# run_cosmos_server: (after cosmos_peer_prep and track_pids) the Cosmos DB
# peer on a free loopback port, log $T/cosmos.log; sets cport
run_cosmos_server() {
    node "$HZ_SRC/tests/peers/cosmos_server.js" --cert "$T/cert.pem" \
        --key "$T/key.pem" --port 0 --port-file "$T/cosmos.port" \
        >"$T/cosmos.log" 2>&1 &
    pids+=($!)
    cport=$(wait_port "$T/cosmos.port")
}

# job_process RUNNER_PID [TRIES]: the pid of a job process of the runner
# (runner -> job process helper -> job process), polled every 0.05 s up
# to TRIES times (default 200); empty when none came
job_process() {
    local j="" h
    for _ in $(seq "${2:-200}"); do
        for h in $(pgrep -P "$1"); do
            j=$(pgrep -P "$h" | head -1)
        done
        [[ -n "$j" ]] && break
        sleep 0.05
    done
    echo "$j"
}

# run_fault_proxy ARG...: tests/peers/fault_proxy.js, TLS on both sides,
# in front of the peer on $cport, with ARG... (--rate, --faults, ...);
# log $T/proxy.log; sets pport
run_fault_proxy() {
    node "$HZ_SRC/tests/peers/fault_proxy.js" --target "https://127.0.0.1:$cport" \
        --target-ca "$T/cert.pem" --tls-cert "$T/cert.pem" --tls-key "$T/key.pem" \
        "$@" --port 0 --port-file "$T/proxy.port" >"$T/proxy.log" 2>&1 &
    pids+=($!)
    pport=$(wait_port "$T/proxy.port")
}

# start_cosmos_peer DB: the Cosmos DB peer on a free loopback port with
# database DB made (cosmos init), and the runner's environment for it:
# store cosmos, the peer's certificate and test key, datasets under $T,
# TMPDIR $T, no LLM settings; sets server (its pid) and port, and stops
# it on exit
start_cosmos_peer() {
    cosmos_peer_prep
    node "$HZ_SRC/tests/peers/cosmos_server.js" --cert "$T/cert.pem" \
        --key "$T/key.pem" --port 0 --port-file "$T/port" >"$T/server.log" 2>&1 &
    server=$!
    trap 'kill $server 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
    port=$(wait_port "$T/port")
    export COSMOS_ENDPOINT="https://127.0.0.1:$port/" COSMOS_CA_CERT="$T/cert.pem"
    export COSMOS_KEY="$COSMOS_TEST_KEY"
    export COSMOS_DATABASE="$1" HORIZON_STORE=cosmos HZ_DATASET_ROOTS="$T" \
        TMPDIR="$T"
    unset OPENAI_API_KEY OPENAI_BASE_URL AZURE_OPENAI_ENDPOINT || true
    "$HORIZON" cosmos init > /dev/null 2>&1 || { echo "FAIL: cosmos init"; exit 1; }
}

# start_llm_stub: the OpenAI-compatible stub (tests/peers/llm_stub.js) on
# a free loopback port, with a SQLite store in $T and no LLM settings from
# the environment; sets stub (its pid) and port, and stops it on exit
start_llm_stub() {
    need_node "tests/peers/llm_stub.js"
    export HORIZON_STORE="sqlite:$T/store.db" TMPDIR="$T" HZ_DATASET_ROOTS="$T"
    unset OPENAI_API_KEY OPENAI_BASE_URL AZURE_OPENAI_ENDPOINT \
          AZURE_OPENAI_API_KEY HZ_LLM_CONFIG HZ_TIKTOKEN_FILE || true
    node "$HZ_SRC/tests/peers/llm_stub.js" --port 0 --port-file "$T/llm.port" \
        > "$T/llm.log" 2>&1 &
    stub=$!
    trap 'kill $stub 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
    port=$(wait_port "$T/llm.port")
}

# tiny_monthly_csv FILE: 24 months of date,value (2022-01 on) for jobs
# whose numbers do not matter
tiny_monthly_csv() {
    {
        echo "date,value"
        for i in $(seq 0 23); do
            printf '%04d-%02d-01,%d\n' $((2022 + i / 12)) $((i % 12 + 1)) \
                $((100 + i * 3 + (i % 12) * 5))
        done
    } > "$1"
}

# A runner's surroundings for the tests of job processes: tenant acme's
# dataset $T/data/acme/sales.csv (tiny_monthly_csv), a SQLite store in $T,
# the dataset root of each tenant, temporary files in $T, the test hooks
# on, and no tenant nor LLM endpoint from the caller's environment.
sqlite_runner_env() {
    mkdir -p "$T/data/acme"
    tiny_monthly_csv "$T/data/acme/sales.csv"
    export HORIZON_STORE="sqlite:$T/store.db" \
        HZ_DATASET_ROOTS="$T/data/{tenant}" TMPDIR="$T" HZ_TEST_HOOKS=1
    unset HZ_TENANT OPENAI_API_KEY OPENAI_BASE_URL AZURE_OPENAI_ENDPOINT \
        HZ_LLM_CONFIG || true
}

# Field FIELD of job ID as `jobs show --json` gives it ("" when absent).
field() { # ID FIELD
    "$HORIZON" jobs show "$1" --json | /usr/bin/python3 -c \
        'import json,sys; print(json.load(sys.stdin).get(sys.argv[1], ""))' "$2"
}

finish() {
    echo "$passes passed, $fails failed"
    [[ $fails -eq 0 ]]
    exit $?
}
