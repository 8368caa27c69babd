#!/usr/bin/env bash
# Install the pinned npm test peers of tests/peers (Cosmos DB server,
# @azure/cosmos for signature vectors, mock LLM server, tokenizer) with
# `npm ci`, idempotently: nothing is done when node_modules already matches
# package-lock.json.  Safe to run from several tests at once (flock).
#   scripts/test-peers.sh          install if needed
#   scripts/test-peers.sh --check  exit 0 if installed, 1 if not
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir="$here/tests/peers"
stamp="$dir/node_modules/.horizon-lock.sha256"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "test-peers: node and npm are needed for the peer tests (Cosmos DB" \
         "server, mock LLM); install them with scripts/install-deps.sh" \
         "(Debian packages nodejs npm). Tests that need them will skip." >&2
    exit 0
fi

want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
current() { [[ -f "$stamp" ]] && cat "$stamp" || true; }

if [[ "${1:-}" == "--check" ]]; then
    [[ "$(current)" == "$want" ]]
    exit $?
fi
if [[ "$(current)" == "$want" ]]; then
    exit 0
fi

exec 9>"$dir/.npm-install.lock"
flock 9
if [[ "$(current)" == "$want" ]]; then
    exit 0
fi
echo "test-peers: npm ci in tests/peers (pinned versions)"
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
echo "$want" > "$stamp"
echo "test-peers: done"
