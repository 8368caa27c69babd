#!/usr/bin/env bash
# A SQLite store holds every tenant's jobs and results and the signed
# dataset URLs: a new one is made 0600 whatever the umask (it was 0644
# with umask 022, readable by every local user), and its -wal and -shm
# files take that mode; an existing store keeps the mode it was given.
source "$(dirname "$0")/lib.sh"
umask 022
mkdir -p "$T/data/acme"
tiny_monthly_csv "$T/data/acme/sales.csv"
export HORIZON_STORE="sqlite:$T/store.db" HZ_DATASET_ROOTS="$T/data/{tenant}" \
    TMPDIR="$T" HZ_TEST_HOOKS=1
unset OPENAI_API_KEY OPENAI_BASE_URL AZURE_OPENAI_ENDPOINT HZ_LLM_CONFIG \
      HZ_TENANT || true
sub() {
    "$HORIZON" submit --type forecast --tenant acme --quiet \
        --dataset "$T/data/acme/sales.csv" --param date=date --param value=value --param model=naive \
        --param freq=month "$@"
}
mode() { stat -c %a "$1"; }

sub --id first
check "a new store is 600 (umask 022)" test "$(mode "$T/store.db")" = 600
sub --id slow --param debugSleepS=2
"$HORIZON" run --once >"$T/run.out" 2>&1 &
bg=$!
for _ in $(seq 100); do [[ -e "$T/store.db-wal" ]] && break; sleep 0.05; done
wal=$(mode "$T/store.db-wal" 2>/dev/null) shm=$(mode "$T/store.db-shm" 2>/dev/null)
wait "$bg"
check "its -wal file is 600 ($wal)" test "$wal" = 600
check "its -shm file is 600 ($shm)" test "$shm" = 600

# ---- a store made group-readable by its owner stays so
chmod 640 "$T/store.db"
sub --id later
"$HORIZON" run --once >/dev/null 2>&1
check "an existing store keeps its mode (640)" test "$(mode "$T/store.db")" = 640
# ---- the same for a store under a new name (datasets add creates it)
HORIZON_STORE="sqlite:$T/other.db" "$HORIZON" datasets add --tenant acme \
    "$T/data/acme/sales.csv" >/dev/null
check "a store created by datasets add is 600" test "$(mode "$T/other.db")" = 600
finish
