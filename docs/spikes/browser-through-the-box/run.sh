#!/usr/bin/env bash
# The spike end to end (box, home, Chromium, Node baselines), bounded to 15 minutes.
#   ./run.sh [--runs N] [--two-port] [--trust-spki]
set -euo pipefail
cd "$(dirname "$0")"
[ -d node_modules ] || npm ci --no-audit --no-fund
exec timeout 900 node run-spike.mjs "$@"
