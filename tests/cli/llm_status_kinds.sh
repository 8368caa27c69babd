#!/usr/bin/env bash
# Which LLM failures make the LLM "unavailable" (the jobs of the next
# 60 s get their template without asking): those for want of a server
# (5xx, 429, timeouts, network errors) do; a refusal of the request
# itself does not, even when it is retried as the official SDKs retry a
# 409 Conflict: the next job is asked.  Before the fix a 409 was taken
# for an outage, and every job of the next minute went unasked.
source "$(dirname "$0")/lib.sh"

start_llm_stub
export OPENAI_BASE_URL="http://127.0.0.1:$port/v1" OPENAI_API_KEY=sk-stub \
    HZ_LLM_GATHER_MS=0
printf '[llm]\nmax_attempts = 2\nbackoff_min = 0.05\nbackoff_max = 0.1\nbatch_size = 1\ncache_ttl = 0\n' \
    > "$T/llm.ini"
export HZ_LLM_CONFIG="$T/llm.ini"
tiny_monthly_csv "$T/tiny.csv"
nerr() { "$HORIZON" jobs show "$1" --json |
             node -e "let s='';process.stdin.on('data',c=>s+=c).on('end',()=>{
                      const n=JSON.parse(s).narrative||{};
                      console.log(n.source+' '+(n.error||''))})"; }

# case_status STATUS TIMES DOWN: the first job's request is answered
# STATUS (TIMES: its attempts); the second job, run after it, is asked
# (DOWN=no) or not
case_status() {
    local status=$1 times=$2 down=$3
    curl -s -X POST -d "{\"status\":$status,\"statusTimes\":$times}" \
        "http://127.0.0.1:$port/__config" > /dev/null
    for i in 1 2; do
        "$HORIZON" submit --type forecast --tenant acme \
            --dataset "$T/tiny.csv" --param date=date --param value=value \
            --param horizon=3 --param model=naive --param freq=month \
            --id "s$status-$i" --quiet
    done
    "$HORIZON" run --once --concurrency 1 > "$T/out" 2> "$T/err"
    local rc=$?
    check "HTTP $status: run exit 0 ($rc): $(head -c 300 "$T/err")" \
        test $rc -eq 0
    local first second
    first=$(nerr "s$status-1")
    second=$(nerr "s$status-2")
    check "HTTP $status: the first job keeps its template ($first)" \
        bash -c "[[ '$first' == 'template '*'HTTP $status'* ]]"
    if [[ $down == yes ]]; then
        check "HTTP $status: an outage, the next job not asked ($second)" \
            bash -c "[[ '$second' == *'LLM unavailable, not asked'* ]]"
    else
        check "HTTP $status: no outage, the next job asked ($second)" \
            test "$second" = "llm "
    fi
}
case_status 409 2 no # retried, as the SDKs retry it
case_status 400 1 no
case_status 503 2 yes
finish
