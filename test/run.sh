#!/usr/bin/env bash
# Runs every test file: unit tests, then the integration files (each starts its own
# berthd on a temporary data root), two at a time.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build >/dev/null
shopt -s nullglob
node --test --test-concurrency=2 dist/test/unit/*.test.js dist/test/integration/*.test.js
