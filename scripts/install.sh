#!/usr/bin/env bash
# Installs everything the demo and the tests need, on a fresh Debian machine with Node.js:
# the npm packages (exactly those of package-lock.json) and, as root, the Debian packages of the
# router lab (wireguard-go, bird2, FRR, sshd). Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "install.sh: Node.js 20.19+ and npm are needed (apt-get install nodejs npm, or nodejs.org)" >&2
  exit 1
fi

# npm ci only when the lock changed since the last install.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
fi

if [[ "$(id -u)" == 0 ]]; then
  bash scripts/lab-packages.sh
else
  echo "install.sh: not root: the router lab's Debian packages were not checked (lab tests will fail)" >&2
fi
