#!/usr/bin/env bash
# deploy/Dockerfile: the build stage's commands run in a clean copy of the
# sources (here, with the build packages scripts/install-deps.sh installs,
# not in a container: no engine runs here), the binary's shared libraries
# come with the runtime stage's packages, the user is not root, and the
# default command runs with its HEALTHCHECK passing (and failing on a stale
# heartbeat).
# The checks are in tests/cli/deploy_check.py.  Exit 77 only when a command
# uses an option this binary does not have yet (named; checked otherwise).
source "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
if ! $PY -c 'import yaml' 2>/dev/null; then
    echo "FAIL: Debian's python3-yaml is missing (scripts/install-deps.sh installs it)"
    exit 1
fi
DEPLOY_TMP="$T" $PY "$HZ_SRC/tests/cli/deploy_check.py" dockerfile
