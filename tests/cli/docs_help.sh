#!/usr/bin/env bash
# README.md and the commands' --help agree:
#  - every command and subcommand answers --help with its usage on
#    standard output and exit 0 (`horizon report forecast --help` too);
#  - every option a --help prints is named in README.md;
#  - every option README.md gives a horizon command line is one that the
#    command's --help lists (a renamed or removed option fails here);
#  - the HZ_* environment variables the code reads are in README.md, and
#    the variables README.md names are read;
#  - README's LLM settings example is accepted as written (its tokenizer
#    path is a placeholder and is left out).
source "$(dirname "$0")/lib.sh"
: "${HZ_SRC:?}"
README="$HZ_SRC/README.md"
PY=/usr/bin/python3

# ---- every command and subcommand has --help
cmds=()
while read -r name _; do cmds+=("$name"); done < <(
    "$HORIZON" --help | sed -n '/^commands:/,/^$/p' | sed '1d;/^$/d')
check "horizon --help lists commands" test "${#cmds[@]}" -ge 13
subs=("analyze clv" "analyze churn" "analyze segment" "analyze suite"
      "analyze survival" "report forecast" "report backtest"
      "report analyze" "report analyze suite" "jobs list" "jobs show"
      "jobs results" "jobs report" "jobs retry" "jobs cancel" "jobs delete"
      "datasets add" "datasets list" "schedule add" "schedule list"
      "schedule remove" "cosmos init" "cosmos check")
"$HORIZON" --help > "$T/all_help"
for c in "${cmds[@]}" "${subs[@]}"; do
    # shellcheck disable=SC2086
    expect_exit 0 "" -- "$HORIZON" $c --help
    check "'horizon $c --help' prints its usage on stdout" \
        grep -q '^usage: horizon' "$T/out"
    cat "$T/out" >> "$T/all_help"
done

# ---- every option of every --help is in README.md
while read -r opt; do
    check "README.md names $opt (printed by a --help)" \
        grep -Eq -- "${opt}([^a-z0-9-]|\$)" "$README"
done < <(grep -oE -- '(^|[^a-zA-Z0-9-])--[a-z][a-z0-9-]*' "$T/all_help" |
         sed 's/^[^-]*//' | sort -u)

# ---- every option README.md gives a horizon command exists
HORIZON="$HORIZON" $PY - "$README" > "$T/unknown" <<'PY'
import re, subprocess, sys, os

B = os.environ["HORIZON"]
text = open(sys.argv[1], encoding="utf-8").read()
helps = {}

def help_of(*cmd):
    if cmd not in helps:
        r = subprocess.run([B, *cmd, "--help"], capture_output=True, text=True)
        helps[cmd] = r.stdout
    return helps[cmd]

known = {"inspect", "gen", "forecast", "backtest", "analyze", "report",
         "datasets", "submit", "run", "jobs", "schedule", "cosmos", "explain"}
# a command line: "horizon CMD ..." up to the end of its line (with
# backslash continuations), a backquote, a comment or the next command
for m in re.finditer(r"horizon ([a-z]+)((?:[^\n`#]|\\\n)*)", text):
    cmd, rest = m.group(1), m.group(2)
    if cmd not in known:
        continue
    rest = re.split(r"horizon [a-z]", rest)[0]
    if cmd == "report":
        h = (help_of("report") + help_of("forecast") + help_of("backtest")
             + help_of("analyze", "clv"))
    elif cmd == "analyze":
        h = help_of("analyze", "clv")
    elif cmd == "cosmos":
        h = help_of("cosmos") + help_of("cosmos", "check")
    else:
        h = help_of(cmd)
    for opt in re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", rest):
        if not re.search(re.escape(opt) + r"(?![a-z0-9-])", h):
            line = text.count("\n", 0, m.start()) + 1
            print("README.md:%d: horizon %s: %s is not in its --help"
                  % (line, cmd, opt))
PY
check "README's options exist: $(cat "$T/unknown")" test ! -s "$T/unknown"

# ---- environment variables: every HZ_* name the code reads is in
# README.md (HZ_TEST_* are the tests' own), and every HZ_, COSMOS_,
# AZURE_, OPENAI_ or IDENTITY_ name README gives is read somewhere
grep -rhoE '"HZ_[A-Z0-9_]+"' "$HZ_SRC/engine" "$HZ_SRC/jobs" |
    tr -d '"' | grep -v '^HZ_TEST_' | sort -u > "$T/code_env"
check "the code's variables found" test -s "$T/code_env"
while read -r v; do
    check "README.md names \$$v (read by the code)" grep -q "\b$v\b" "$README"
done < "$T/code_env"
grep -oE '\b(HZ|COSMOS|AZURE|OPENAI|IDENTITY|HORIZON)_[A-Z0-9_]*[A-Z0-9]\b' \
    "$README" | sort -u > "$T/doc_env"
while read -r v; do
    check "\$$v (in README.md) is read by the code or the tests" \
        grep -rqF "$v" "$HZ_SRC/engine" "$HZ_SRC/jobs" "$HZ_SRC/tests/CMakeLists.txt"
done < "$T/doc_env"

# ---- README's LLM settings example is accepted
sed -n '/^    \[llm\]$/,/^    narratives-prod = reasoning$/p' "$README" |
    sed 's/^    //' | grep -v '^tokenizer' > "$T/llm.ini"
check "settings example found" grep -q '^\[capabilities\]' "$T/llm.ini"
unset HZ_LLM_CONFIG OPENAI_API_KEY AZURE_OPENAI_ENDPOINT || true
# the settings load before the job is looked up: exit 3 (no such job)
# when they are accepted, 2 when they are refused
expect_exit 3 "no job 'nosuch'" -- env OPENAI_BASE_URL=http://127.0.0.1:9/v1 \
    "$HORIZON" explain nosuch --store "sqlite:$T/s.db" --config "$T/llm.ini"

finish
