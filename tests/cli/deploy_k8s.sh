#!/usr/bin/env bash
# deploy/k8s: the manifests parse (python3-yaml) and hang together
# (kustomization, service account, ConfigMap, the image's non-root user,
# workload identity); every container command runs against a scratch
# store; the Deployment's liveness and readiness probes pass on a live
# runner's heartbeat and fail on a stale or degraded one.
# The checks are in tests/cli/deploy_check.py.  Exit 77 only when a command
# uses an option this binary does not have yet (named; checked otherwise).
source "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
if ! $PY -c 'import yaml' 2>/dev/null; then
    echo "FAIL: Debian's python3-yaml is missing (scripts/install-deps.sh installs it)"
    exit 1
fi
DEPLOY_TMP="$T" $PY "$HZ_SRC/tests/cli/deploy_check.py" k8s
