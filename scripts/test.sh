#!/usr/bin/env bash
# The test command: installs what is missing, then lint, type check and every test: the "unit"
# project (pure code, contract suites, the CLI end to end) and then the "lab" project (real Debian
# routers in network namespaces, one file at a time). Ends with "tests: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
npm run --silent lint
npm run --silent typecheck
status=0
rm -f .test-results-*.json
npx vitest run --project unit --reporter=default --reporter=json --outputFile.json=.test-results-unit.json "$@" || status=$?
npx vitest run --project lab --no-file-parallelism --reporter=default --reporter=json --outputFile.json=.test-results-lab.json "$@" || status=$?
# The fault catalogue (test/faults): each fault's end state on the lab, then its table.
rm -f .lab/faults-results.jsonl
npx vitest run --project faults --no-file-parallelism --reporter=default --reporter=json --outputFile.json=.test-results-faults.json "$@" || status=$?
npx tsx test/faults/print-table.ts || true
node scripts/test-summary.mjs .test-results-unit.json .test-results-lab.json .test-results-faults.json
exit "$status"
