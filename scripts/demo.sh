#!/usr/bin/env bash
# The demo: installs what is missing, validates the example network (inventory/ and desired/)
# and prints each device's desired state with the shared links expanded into it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
echo "== reconciler validate: every problem in inventory/ and desired/, at once"
./bin/reconciler.js validate
echo
echo "== reconciler show router-a: the desired state the planner will compare with the router"
./bin/reconciler.js show router-a
echo
echo "== a broken copy of the example: what an operator sees"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp -r inventory desired "$tmp/"
sed -i 's/dead: 20/dead: 5/' "$tmp/desired/links.yaml"
sed -i 's/router_id: 192.0.2.195/router_id: 192.0.2.193/' "$tmp/desired/router-c.yaml"
./bin/reconciler.js validate --repo "$tmp" || echo "(exit code $?: nothing would be touched)"
