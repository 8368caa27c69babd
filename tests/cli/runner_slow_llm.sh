#!/usr/bin/env bash
# A slow LLM does not cost a job its lease: the narrative step runs while
# the worker keeps renewing the lease (every lease/3), so with a 2 s lease
# and an LLM that takes 5 s to answer, neither the runner itself nor a
# second runner started meanwhile takes the job over and computes it
# again (before the fix the job was taken over, recomputed and asked for
# again until its takeovers failed it).
source "$(dirname "$0")/lib.sh"

start_llm_stub
curl -s -X POST -d '{"replyMs":5000}' "http://127.0.0.1:$port/__config" \
    > /dev/null
export OPENAI_BASE_URL="http://127.0.0.1:$port/v1" OPENAI_API_KEY=sk-stub

tiny_monthly_csv "$T/tiny.csv"
"$HORIZON" submit --type forecast --tenant acme --dataset "$T/tiny.csv" \
    --param date=date --param value=value --param horizon=3 \
    --param model=naive --param freq=month --id slow --quiet

RUN=("$HORIZON" run --once --lease 2 --concurrency 2 --quiet)
"${RUN[@]}" > "$T/a.out" 2> "$T/a.err" &
a=$!
sleep 3 # the first lease would have lapsed by now
"${RUN[@]}" > "$T/b.out" 2> "$T/b.err" &
b=$!
wait $a
rca=$?
wait $b
rcb=$?
check "runner A exit 0 ($rca): $(cat "$T/a.err")" test $rca -eq 0
check "runner B exit 0 ($rcb): $(cat "$T/b.err")" test $rcb -eq 0
"$HORIZON" jobs show slow --json > "$T/job.json"
jv() { node -e "const d=JSON.parse(require('fs').readFileSync('$T/job.json','utf8'));
                console.log(String($1))"; }
check "job succeeded ($(jv d.status))" test "$(jv d.status)" = succeeded
check "no takeover ($(jv d.takeovers))" test "$(jv 'd.takeovers||0')" = 0
check "one attempt ($(jv d.attempts))" test "$(jv d.attempts)" = 1
check "the LLM's narrative ($(jv d.narrative.source))" \
    test "$(jv d.narrative.source)" = llm
n=$(cat "$T/a.err" "$T/b.err" | grep -c 'succeeded:' || true)
check "completed by one runner, once ($n)" test "$n" -eq 1
check "no lease lost" bash -c "! grep -q 'lease lost' '$T/a.err' '$T/b.err'"
nreq=$(curl -s "http://127.0.0.1:$port/__requests" |
       node -e 'let s="";process.stdin.on("data",c=>s+=c).on("end",()=>
                console.log(JSON.parse(s).length))')
check "the LLM asked once ($nreq)" test "$nreq" -eq 1
finish
