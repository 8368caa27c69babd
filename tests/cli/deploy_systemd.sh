#!/usr/bin/env bash
# deploy/systemd: systemd-analyze verify passes on the units and the
# timer's calendar; every ExecStart runs (against a scratch SQLite store).
# The checks are in tests/cli/deploy_check.py.  Exit 77 only when a command
# uses an option this binary does not have yet (named; checked otherwise).
source "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
if ! $PY -c 'import yaml' 2>/dev/null; then
    echo "FAIL: Debian's python3-yaml is missing (scripts/install-deps.sh installs it)"
    exit 1
fi
DEPLOY_TMP="$T" $PY "$HZ_SRC/tests/cli/deploy_check.py" systemd
