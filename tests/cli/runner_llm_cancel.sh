#!/usr/bin/env bash
# The narrative step does not hold a runner hostage: with an LLM that
# takes 60 s to answer (timeout 120 s),
#  - SIGTERM with --grace 1 gives up the LLM call once the grace passed:
#    the job, computed, is written back with its template narrative (the
#    error says the call was canceled) and the run exits 143 at once;
#  - a job canceled (its lease lost) while its narrative is asked is left
#    at once, without waiting for the answer.
# Before the fix both runs waited the full 60 s for the LLM (libcurl's
# transfer could not be interrupted).
source "$(dirname "$0")/lib.sh"

start_llm_stub
curl -s -X POST -d '{"replyMs":60000}' "http://127.0.0.1:$port/__config" \
    > /dev/null
export OPENAI_BASE_URL="http://127.0.0.1:$port/v1" OPENAI_API_KEY=sk-stub \
    HZ_LLM_TIMEOUT=120 HZ_LLM_MAX_ATTEMPTS=1
tiny_monthly_csv "$T/tiny.csv"

submit() {
    "$HORIZON" submit --type forecast --tenant acme --dataset "$T/tiny.csv" \
        --param date=date --param value=value --param horizon=3 \
        --param model=naive --param freq=month --id "$1" --quiet
}
# wait_asked N: until the LLM stub has had N requests (20 s at most)
wait_asked() {
    for _ in $(seq 200); do
        n=$(curl -s "http://127.0.0.1:$port/__requests" | grep -o '"path"' |
            wc -l)
        [[ $n -ge $1 ]] && return 0
        sleep 0.1
    done
    return 1
}
jv() { "$HORIZON" jobs show "$1" --json |
           node -e "let s='';process.stdin.on('data',c=>s+=c).on('end',()=>{
                    const d=JSON.parse(s);console.log(String($2))})"; }

# 1. SIGTERM while the LLM is asked
submit stop
t0=$(date +%s)
"$HORIZON" run --once --grace 1 > "$T/a.out" 2> "$T/a.err" &
a=$!
check "the LLM was asked" wait_asked 1
kill -TERM $a
wait $a
rc=$?
el=$(($(date +%s) - t0))
check "SIGTERM: exit 143 ($rc): $(cat "$T/a.err")" test $rc -eq 143
check "SIGTERM: the LLM call was not waited for (${el} s)" test $el -lt 30
check "SIGTERM: the job written back ($(jv stop d.status))" \
    test "$(jv stop d.status)" = succeeded
check "SIGTERM: with the template ($(jv stop d.narrative.source))" \
    test "$(jv stop d.narrative.source)" = template
check "SIGTERM: the narrative says it was canceled ($(jv stop d.narrative.error))" \
    bash -c "[[ '$(jv stop d.narrative.error)' == *canceled* ]]"
check "SIGTERM: the log says why" grep -q 'grace of 1 s passed' "$T/a.err"

# 2. the job canceled (its lease lost) while the LLM is asked
submit lost
t0=$(date +%s)
"$HORIZON" run --once --lease 3 > "$T/b.out" 2> "$T/b.err" &
b=$!
check "the LLM was asked again" wait_asked 2
"$HORIZON" jobs cancel lost > /dev/null
wait $b
rc=$?
el=$(($(date +%s) - t0))
check "lease lost: exit 0 ($rc): $(cat "$T/b.err")" test $rc -eq 0
check "lease lost: the LLM call was not waited for (${el} s)" test $el -lt 30
check "lease lost: said" grep -q 'lease lost' "$T/b.err"
check "lease lost: the job stays canceled ($(jv lost d.status))" \
    test "$(jv lost d.status)" = canceled
finish
