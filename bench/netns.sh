#!/usr/bin/env bash
# The benchmark's devices: K network namespaces, each running only sshd (the read path needs no
# daemons) in a private mount namespace where /etc/bird, /etc/frr, /etc/wireguard, /run/* ...
# are the namespace's own directories, filled beforehand by bench/main.ts.
#
# Usage (as root; bench/main.ts calls it under the lab user lock):
#   netns.sh up STATE K M     K namespaces with M management addresses each
#   netns.sh down STATE       stop everything this script started, remove namespaces and bridge
#
# Names and addresses never collide with the lab (test/lab/lab.sh: rcl-*, 198.51.100.0/24):
# namespaces "rcb-<i>", host bridge "rcb-br" holding 198.18.0.1/16, device d (0-based,
# namespace d / M) at 198.18.0.0 + 16 + d. STATE must hold a ".reconciler-bench" marker (written
# by main.ts), the client key's authorized_keys, and ns/<i>/<dir> for each private directory.
# sshd runs with LogLevel VERBOSE into STATE/ns/<i>/sshd.log (connections and sessions are
# counted from it) and in the cgroup v2 STATE/cgroup-sshd if that file names one.
set -euo pipefail
export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

NS_PREFIX="rcb-"
BRIDGE="rcb-br"
HOST_ADDR="198.18.0.1/16"
MARKER=".reconciler-bench"
PRIVATE=(etc-bird:/etc/bird etc-frr:/etc/frr etc-wireguard:/etc/wireguard
  run-wireguard:/run/wireguard run-frr:/run/frr run-bird:/run/bird
  var-lib-reconciler:/var/lib/reconciler etc-interfaces-d:/etc/network/interfaces.d
  etc-sysctl-d:/etc/sysctl.d)

die() {
  echo "netns.sh: $*" >&2
  exit 1
}

[[ "$(id -u)" == 0 ]] || die "must run as root (namespaces, veth, mounts)"
STATE="${2:-}"
[[ "$STATE" =~ ^/[A-Za-z0-9._/-]+$ && "$STATE" != *..* ]] || die "STATE must be an absolute path: '$STATE'"
[[ -f "$STATE/$MARKER" ]] || die "$STATE is not a benchmark state dir (no $MARKER)"

# Device d's address, 198.18.0.0 + 16 + d (d < 65000).
addr() {
  local v=$((16 + $1))
  echo "198.18.$((v >> 8)).$((v & 255))"
}

down() {
  local ns pid pids=()
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^${NS_PREFIX}[0-9]*$" || true); do
    for pid in $(ip netns pids "$ns" 2>/dev/null || true); do pids+=("$pid"); done
  done
  if [[ ${#pids[@]} -gt 0 ]]; then
    kill -TERM "${pids[@]}" 2>/dev/null || true
    for _ in $(seq 40); do
      local alive=0
      for pid in "${pids[@]}"; do [[ -e "/proc/$pid" ]] && alive=1; done
      [[ $alive == 1 ]] || break
      sleep 0.05
    done
    kill -KILL "${pids[@]}" 2>/dev/null || true
  fi
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^${NS_PREFIX}[0-9]*$" || true); do
    ip netns del "$ns" 2>/dev/null || true
  done
  ip link del "$BRIDGE" 2>/dev/null || true
}

up() {
  local k="$1" m="$2" i j d ns dir mounts
  [[ "$k" =~ ^[0-9]+$ && "$m" =~ ^[0-9]+$ && $k -ge 1 && $m -ge 1 && $((k * m)) -le 60000 ]] ||
    die "K and M must be positive integers, K*M <= 60000"
  down
  mkdir -p /run/sshd
  ip link add "$BRIDGE" type bridge
  ip addr add "$HOST_ADDR" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  # This script joins the sshd cgroup first: every sshd it starts, and their sessions, inherit it
  # (inside `ip netns exec`, /sys is the namespace's and the cgroup tree is not mounted). Only the
  # benchmark's deltas during a run are read, so this script's own CPU does not count.
  if [[ -f "$STATE/cgroup-sshd" ]]; then
    echo "$$" >"$(cat "$STATE/cgroup-sshd")/cgroup.procs"
  fi
  for ((i = 0; i < k; i++)); do
    ns="$NS_PREFIX$i"
    dir="$STATE/ns/$i"
    [[ -d "$dir" ]] || die "missing $dir"
    ip netns add "$ns"
    ip link add "rcb-h$i" type veth peer name mgmt0 netns "$ns"
    ip link set "rcb-h$i" master "$BRIDGE" up
    ip -n "$ns" link set lo up
    # The first address on the bridge's subnet; the others as /32s on the namespace's lo, routed
    # by the host through the first: the host then keeps one neighbour entry per namespace, not
    # one per address (1,000 would overflow the default neighbour table, gc_thresh3 = 1024).
    ip -n "$ns" addr add "$(addr $((i * m)))/16" dev mgmt0
    ip -n "$ns" link set mgmt0 up
    for ((j = 1; j < m; j++)); do
      d=$((i * m + j))
      ip -n "$ns" addr add "$(addr "$d")/32" dev lo
      ip route add "$(addr "$d")/32" via "$(addr $((i * m)))" dev "$BRIDGE"
    done
    mounts=()
    for p in "${PRIVATE[@]}"; do
      mkdir -p "$dir/${p%%:*}" "${p#*:}"
      mounts+=("$dir/${p%%:*}" "${p#*:}")
    done
    ssh-keygen -q -t ed25519 -N '' -C "host@rcb-$i" -f "$dir/ssh_host_ed25519_key" <<<y >/dev/null
    mkdir -p "$dir/home"
    cat >"$dir/sshd_config" <<EOF
SetEnv HOME=$dir/home
ListenAddress 0.0.0.0:22
HostKey $dir/ssh_host_ed25519_key
PidFile none
AuthorizedKeysFile $STATE/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PrintMotd no
PrintLastLog no
UseDNS no
LogLevel VERBOSE
MaxStartups 1000:30:2000
MaxSessions 100
EOF
    : >"$dir/sshd.log"
    # The inner sh gets every value as an argument; sshd -D stays the namespace's first process,
    # so its sessions inherit the private mounts.
    # shellcheck disable=SC2016
    setsid ip netns exec "$ns" unshare --mount --propagation private -- \
      env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 /bin/sh -c '
        set -e
        dir="$1"; shift
        while [ "$#" -gt 0 ]; do mount --bind "$1" "$2"; shift 2; done
        exec /usr/sbin/sshd -D -f "$dir/sshd_config" -E "$dir/sshd.log"' \
      sh "$dir" "${mounts[@]}" </dev/null >"$dir/sshd.out" 2>&1 &
  done
  # Ready when every sshd accepts TCP.
  for ((i = 0; i < k; i++)); do
    local ok=0
    for _ in $(seq 100); do
      # shellcheck disable=SC2016
      if timeout 1 bash -c 'exec 3<>"/dev/tcp/$1/22"' _ "$(addr $((i * m)))" 2>/dev/null; then
        ok=1
        break
      fi
      sleep 0.1
    done
    [[ $ok == 1 ]] || die "sshd of $NS_PREFIX$i not reachable (see $STATE/ns/$i/sshd.out, sshd.log)"
  done
  # known_hosts lines for every device address.
  : >"$STATE/known_hosts"
  for ((i = 0; i < k; i++)); do
    for ((j = 0; j < m; j++)); do
      echo "$(addr $((i * m + j))) $(cut -d' ' -f1,2 "$STATE/ns/$i/ssh_host_ed25519_key.pub")" >>"$STATE/known_hosts"
    done
  done
}

case "${1:-}" in
up) up "${3:?K}" "${4:?M}" ;;
down) down ;;
*) die "usage: netns.sh up STATE K M | down STATE" ;;
esac
