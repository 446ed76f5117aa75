#!/usr/bin/env bash
# The demo. Installs what is missing, validates the example network, then (as root) brings up the
# lab: three real Debian routers in network namespaces running sshd, wireguard-go and bird2. It
# applies the example's mesh to them from nothing, shows OSPF converged over the cheapest paths,
# cuts the router-a/router-b underlay to show traffic rerouted through router-c, and restores it.
# The lab is taken down at the end, whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
R=./bin/reconciler.js
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# Waits (up to 40 s) until router-a routes B's LAN through interface $1, then shows the route.
route_via() {
  for _ in $(seq 1 40); do
    ip -n rcl-router-a route get 192.0.2.65 | grep -q "dev $1" && break
    sleep 1
  done
  ip -n rcl-router-a route get 192.0.2.65
}

say "reconciler validate: every problem in inventory/ and desired/, at once"
$R validate

say "what an operator sees when the desired state is wrong (a broken copy; no device is touched)"
broken="$(mktemp -d)"
cp -r inventory desired "$broken/"
sed -i 's/dead: 20/dead: 5/' "$broken/desired/links.yaml"
sed -i 's/router_id: 192.0.2.195/router_id: 192.0.2.193/' "$broken/desired/router-c.yaml"
$R validate --repo "$broken" || echo "(exit code $?)"
rm -rf "$broken"

if [[ "$(id -u)" != 0 ]]; then
  echo "demo: the lab part needs root (network namespaces); run as root to see the apply." >&2
  exit 0
fi

LAB="${RECONCILER_LAB_DIR:-/run/reconciler-lab}"
repo="$(mktemp -d)"
cleanup() {
  bash test/lab/lab.sh down >/dev/null 2>&1 || true
  rm -rf "$repo"
}
trap cleanup EXIT

say "bring up the lab: router-a, router-b, router-c, core-1 (sshd, wireguard-go, bird2, FRR), and the simulated tower-1 (RouterOS), fw-1 (OPNsense), oob-1 (Opengear)"
bash test/lab/lab.sh up
cp -r inventory desired "$repo/"
cp "$LAB/known_hosts" "$repo/inventory/known_hosts" # the lab's freshly generated host keys, pinned
export RECONCILER_SSH_KEY="$LAB/id_ed25519"
git -C "$repo" init -q -b main
git -C "$repo" -c user.name=demo -c user.email=demo@example.net add -A
git -C "$repo" -c user.name=demo -c user.email=demo@example.net commit -qm "example network"
MESH=router-a,router-b,router-c

say "reconciler keys: WireGuard private keys are generated on each router; git records the public keys"
$R keys --repo "$repo" --limit "$MESH"
git -C "$repo" -c user.name=demo -c user.email=demo@example.net commit -qam "record the mesh's WireGuard public keys"

say "reconciler plan: the full creation (exit code 2 = changes)"
$R plan --repo "$repo" --limit "$MESH" | grep -v '^    ' || true

say "reconciler apply: one wave, commit-confirmed, health gates over new SSH connections"
$R apply --repo "$repo" --limit "$MESH" --yes

say "router-a's routes learnt from bird (C's LAN 192.0.2.128/26 goes via B: cost 10+20 < 50)"
ip -n rcl-router-a route show proto bird
ip -n rcl-router-a route get 192.0.2.129

say "apply again: nothing to do"
$R apply --repo "$repo" --limit "$MESH" --yes

say "cut the router-a/router-b underlay; after the dead interval (20 s) OSPF reroutes via router-c"
bash test/lab/lab.sh link-down router-a router-b
route_via wg-c

say "restore the underlay: the cost-10 path comes back"
bash test/lab/lab.sh link-up router-a router-b
route_via wg-b
say "done; taking the lab down"
