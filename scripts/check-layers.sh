#!/usr/bin/env bash
# The layer rule of ARCHITECTURE.md, checked on every #include "X/NAME.h":
# a file may include headers of its own layer and of layers below it,
# never above (and never a sibling: forecast and analytics are
# independent, as are cosmos and llm).
#
#   engine:  core -> numeric -> data -> forecast, analytics -> report
#   jobs:    net -> cosmos, llm -> store -> runner, narrative -> cli
#
# The engine never includes a jobs/ header; jobs/ uses the engine through
# its public headers only ("horizon/NAME.h"), never an engine-internal
# one; public headers include only other public headers.  Tests and
# bench/ may use any layer of their side (a test of the LLM client may
# build a store for its cache), but engine tests never include jobs/.
set -euo pipefail
cd "$(dirname "$0")/.."

# rank of each layer within its side; siblings share a rank
declare -A side rank
for l in core:0 numeric:1 data:2 forecast:3 analytics:3 report:4; do
    side[${l%%:*}]=engine
    rank[${l%%:*}]=${l##*:}
done
for l in net:0 cosmos:1 llm:1 store:2 runner:3 narrative:3 cli:4; do
    side[${l%%:*}]=jobs
    rank[${l%%:*}]=${l##*:}
done

# layer_of FILE -> "SIDE LAYER" ("SIDE *" for any layer of the side)
layer_of() {
    local f=$1
    case "$f" in
    engine/*/*) echo "engine $(cut -d/ -f2 <<<"$f")" ;;
    jobs/*/*) echo "jobs $(cut -d/ -f2 <<<"$f")" ;;
    tests/engine/*) echo "engine *" ;;
    tests/jobs/*) echo "jobs *" ;;
    include/horizon/*) echo "public -" ;;
    *) echo "any *" ;;
    esac
}

fail=0
bad() {
    echo "$1:$2: includes \"$3\": $4" >&2
    fail=1
}
while IFS= read -r f; do
    read -r fside flayer < <(layer_of "$f")
    n=0
    while IFS= read -r line; do
        n=$((n + 1))
        [[ "$line" =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]+\"([^\"]+)\" ]] || continue
        inc=${BASH_REMATCH[1]}
        [[ "$inc" == */* ]] || continue # same folder
        top=${inc%%/*}
        if [[ "$top" == horizon ]]; then
            continue # the public API: usable from everywhere
        fi
        iside=${side[$top]:-}
        [[ -n "$iside" ]] || continue # not a layer path (e.g. cjson/cJSON.h)
        if [[ "$fside" == public ]]; then
            bad "$f" $n "$inc" "a public header may include only horizon/ headers"
        elif [[ "$fside" == engine && "$iside" == jobs ]]; then
            bad "$f" $n "$inc" "the engine never includes jobs/ headers"
        elif [[ "$fside" == jobs && "$iside" == engine ]]; then
            bad "$f" $n "$inc" "jobs/ uses the engine through horizon/ headers only"
        elif [[ "$fside" == "$iside" && "$flayer" != "*" && "$flayer" != "$top" ]]; then
            if [[ ${rank[$top]} -ge ${rank[$flayer]} ]]; then
                bad "$f" $n "$inc" "layer $flayer may not include layer $top (${iside}: $([[ $iside == engine ]] && echo 'core -> numeric -> data -> forecast, analytics -> report' || echo 'net -> cosmos, llm -> store -> runner, narrative -> cli'))"
            fi
        fi
    done <"$f"
done < <(git ls-files -- '*.c' '*.h' | grep -E '^(engine|jobs|include|tests|bench)/')
if [[ $fail -eq 0 ]]; then
    echo "layers: ok"
fi
exit $fail
