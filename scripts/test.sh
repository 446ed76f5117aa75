#!/usr/bin/env bash
# The test command: installs what is missing, then lint, type check and every test (unit,
# contract, lab on real daemons, end to end). Ends with one line "tests: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
npm run --silent lint
npm run --silent typecheck
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.test-results.json "$@" || status=$?
node scripts/test-summary.mjs .test-results.json
exit "$status"
