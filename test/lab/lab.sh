#!/usr/bin/env bash
# The router lab: N "routers" on this machine, each a network namespace plus a
# private mount + UTS namespace. A Debian router (the default) runs its own
# sshd, bird2 and FRR; a RouterOS router runs bird2 and the RouterOS simulator
# (test/sim/routeros/lab-main.ts: the console over SSH, its WireGuard,
# addresses and routing made real in the namespace by driving wireguard-go,
# ip and bird).
#
# Usage (as root):
#   lab.sh up [TOPOLOGY.json]   tear down leftovers, then start the lab
#                               (default topology: test/lab/topology.json)
#   lab.sh down                 stop everything, remove namespaces, links, state
#   lab.sh status               print the state of each router (exit 0 = all up)
#   lab.sh link-down A B        set both ends of the underlay link A<->B down
#   lab.sh link-up A B          ... and up again
#   lab.sh hidden-up NAME VIA   add router NAME to the running lab, reached only
#                               through router VIA (see hidden_up)
#
# Topology format (JSON):
#   {
#     "routers": [ { "name": "router-a", "mgmt": "198.51.100.130" }, ... ],
#     (optional per router: "platform": "debian" | "routeros" | "opnsense" (default
#      debian; an OPNsense router is a Debian one dressed by test/sim/opnsense/lab-setup.sh:
#      root's shell tcsh, /conf/config.xml, configctl, FreeBSD's commands);
#      "routes": [ { "dst": "198.51.100.70/32", "via": "198.51.100.72" } ]:
#      underlay host routes the lab adds in that router)
#     ("platform": "opengear": a Debian router dressed as an Opengear console server by
#      test/sim/opengear/lab-setup.sh: /etc/config/ngcs.db, ogcli (or /bin/config with
#      "dialect": "legacy"), tailscale, serial port access over SSH with
#      "serial": { "1": "core-1" } naming the router whose console each port reaches;
#      bird and FRR run as on Debian, unused)
#     "links": [
#       { "a": { "router": "router-a", "ifname": "eth-b", "address": "198.51.100.64/31" },
#         "b": { "router": "router-b", "ifname": "eth-a", "address": "198.51.100.65/31" } }
#     ]
#   }
#   - name: ^[a-z0-9-]{1,20}$; the namespace is "rcl-<name>", the hostname is <name>.
#   - mgmt: an address in 198.51.100.128/26 (.130-.190); it sits on interface
#     "mgmt0" inside the router, bridged to the host bridge "rcl-mgmt"
#     (198.51.100.129/26 on the host). sshd listens there on port 22.
#   - links: point-to-point veth pairs (the WireGuard underlay); ifname
#     ^[a-z0-9-]{1,15}$, address a /31 in 198.51.100.64/26, the two ends of a
#     link being the two addresses of one /31.
#
# State dir: ${RECONCILER_LAB_DIR:-/run/reconciler-lab}. It holds the lab's
# client key (id_ed25519), known_hosts, authorized_keys, routers.json
# (description of the running lab, read by lab.ts) and one directory per
# router (routers/<name>/) whose subdirectories are bind-mounted, inside that
# router only, over /etc/bird, /etc/frr, /etc/wireguard, /run/wireguard,
# /run/frr, /run/bird and /var/log/frr.
#
# Only one lab runs on a machine at a time (namespace names are global); runs
# of this script are serialised with a lock in /run/lock.
set -euo pipefail

# The node that runs the RouterOS simulator: the caller's (resolved before PATH is reset below).
LAB_NODE="$(readlink -f "${LAB_NODE:-$(command -v node || true)}" 2>/dev/null || true)"
export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
LAB_SH="$(readlink -f "${BASH_SOURCE[0]}")"
LAB_HERE="$(dirname "$LAB_SH")"
STATE="${RECONCILER_LAB_DIR:-/run/reconciler-lab}"
MARKER=".reconciler-lab" # present in a state dir this script created
NS_PREFIX="rcl-"
BRIDGE="rcl-mgmt"
HOST_ADDR="198.51.100.129"
MGMT_PREFIX=26
# Environment given to every process started inside a router: nothing from
# the caller (vitest, npm...) leaks into the routers.
ROUTER_ENV=(env -i "PATH=/usr/sbin:/usr/bin:/sbin:/bin" "HOME=/root" "LANG=C.UTF-8")
FRR_DAEMONS=(zebra bgpd ospfd ospf6d staticd)
REPO_ROOT="$(readlink -f "$LAB_HERE/../..")"
SIM_MAIN="$REPO_ROOT/test/sim/routeros/lab-main.ts"
OPNSENSE_SETUP="$REPO_ROOT/test/sim/opnsense/lab-setup.sh"
TSX_LOADER="$REPO_ROOT/node_modules/tsx/dist/loader.mjs"
OPENGEAR_SETUP="$REPO_ROOT/test/sim/opengear/lab-setup.sh"

die() {
  echo "lab.sh: $*" >&2
  exit 1
}
log() { echo "lab.sh: $*" >&2; }
T0="$EPOCHREALTIME"
# LAB_VERBOSE=1: print the elapsed time at each phase (for tuning start-up).
phase() {
  [[ "${LAB_VERBOSE:-}" == 1 ]] || return 0
  local us=$((${EPOCHREALTIME/./} - ${T0/./}))
  printf 'lab.sh: %d.%03ds %s\n' $((us / 1000000)) $((us % 1000000 / 1000)) "$*" >&2
}

require_root() {
  [[ "$(id -u)" == 0 ]] || die "must run as root (namespaces, veth, mounts)"
}

# Refuse clearly when a tool from the lab's Debian packages is missing.
require_tools() {
  local tool
  for tool in ip nsenter unshare setsid flock findmnt jq sshd ssh ssh-keygen \
    wireguard-go wg bird birdc vtysh ping; do
    command -v "$tool" >/dev/null 2>&1 ||
      die "missing '$tool': run 'sudo bash scripts/lab-packages.sh' first"
  done
  [[ -x /usr/lib/frr/frrinit.sh ]] ||
    die "missing /usr/lib/frr/frrinit.sh: run 'sudo bash scripts/lab-packages.sh' first"
}

# The RouterOS simulator needs node and the repository's tsx.
require_sim_tools() {
  [[ -n "$LAB_NODE" && -x "$LAB_NODE" ]] || die "a RouterOS router needs node (not found in PATH; or set LAB_NODE)"
  [[ -r "$TSX_LOADER" ]] || die "a RouterOS router needs tsx: run 'npm ci' ($TSX_LOADER missing)"
  [[ -r "$SIM_MAIN" ]] || die "missing $SIM_MAIN"
}

# The state dir is removed with rm -rf: make sure it is ours.
check_state_path() {
  [[ "$STATE" == /* ]] || die "RECONCILER_LAB_DIR must be an absolute path: $STATE"
  [[ "$STATE" =~ ^/[A-Za-z0-9._/-]+$ && "$STATE" != *..* ]] ||
    die "RECONCILER_LAB_DIR has unexpected characters: $STATE"
  local depth="${STATE//[^\/]/}"
  [[ ${#depth} -ge 2 ]] || die "RECONCILER_LAB_DIR is too shallow: $STATE"
}

lock() {
  mkdir -p /run/lock
  exec 9>/run/lock/reconciler-lab.lock
  flock -w 120 9 || die "another lab.sh is running (lock /run/lock/reconciler-lab.lock)"
}

valid_name() { [[ "$1" =~ ^[a-z0-9-]{1,20}$ ]]; }
valid_ifname() { [[ "$1" =~ ^[a-z0-9-]{1,15}$ && "$1" != mgmt0 && "$1" != lo ]]; }
# last_octet ADDR: print the last octet when ADDR is 198.51.100.X.
last_octet() {
  [[ "$1" =~ ^198\.51\.100\.([0-9]{1,3})$ ]] || return 1
  local o="${BASH_REMATCH[1]}"
  [[ "$o" == 0 || "$o" != 0* ]] || return 1 # no leading zeros
  ((o <= 255)) || return 1
  echo "$o"
}

# Print the init pid of router NAME (the process whose namespaces are the router).
init_pid() { cat "$STATE/routers/$1/init.pid"; }

# rexec NAME CMD...: run CMD in router NAME's net + mount + UTS namespaces,
# i.e. where its sshd and daemons live, with a clean environment.
rexec() {
  local name="$1"
  shift
  # 9>&-: daemons must not inherit the lock (it would stay held forever).
  nsenter --target "$(init_pid "$name")" --net --mount --uts -- "${ROUTER_ENV[@]}" "$@" 9>&-
}

# pid_alive PID: true when PID exists and is not a zombie (builtins only: fast).
pid_alive() {
  local stat
  { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
  stat="${stat##*) }"
  [[ "${stat:0:1}" != Z ]]
}

# any_alive PID...: true while one of them is alive.
any_alive() {
  local pid
  for pid in "$@"; do pid_alive "$pid" && return 0; done
  return 1
}

# ---------------------------------------------------------------- down

lab_down() {
  check_state_path
  local ns pids pid i

  # 1. Every process inside a lab namespace (daemons, sessions, wireguard-go
  #    started by tests...), plus pids the lab recorded, in case one left its
  #    namespace.
  declare -A seen=()
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^${NS_PREFIX}" || true); do
    for pid in $(ip netns pids "$ns" 2>/dev/null || true); do seen[$pid]=1; done
  done
  # A recorded pid is only trusted while its command name still matches
  # (pids get reused once a process is gone).
  local f comm want
  for f in "$STATE"/routers/*/pids/*; do
    [[ -f "$f" ]] || continue
    read -r pid <"$f" || continue
    [[ "$pid" =~ ^[0-9]+$ ]] || continue
    { read -r comm <"/proc/$pid/comm"; } 2>/dev/null || continue
    want="${f##*/}"
    [[ "$want" == init ]] && want="sleep"
    [[ "$comm" == "$want" ]] && seen[$pid]=1
  done
  pids=("${!seen[@]}")
  if [[ ${#pids[@]} -gt 0 ]]; then
    kill -TERM "${pids[@]}" 2>/dev/null || true
    # Wait up to ~3 s for them to exit, then KILL the rest.
    for i in $(seq 60); do
      any_alive "${pids[@]}" || break
      sleep 0.05
    done
    for pid in "${pids[@]}"; do
      if pid_alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
    done
    for i in $(seq 40); do
      any_alive "${pids[@]}" || break
      sleep 0.05
    done
  fi

  # 2. Namespaces (their veths go with them), then host-side links.
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^${NS_PREFIX}" || true); do
    ip netns del "$ns" 2>/dev/null || true
  done
  local link
  for link in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' | grep "^${NS_PREFIX}" || true); do
    ip link del "$link" 2>/dev/null || true
  done

  # 3. State dir (only if it is one of ours).
  if [[ -e "$STATE" ]]; then
    [[ -f "$STATE/$MARKER" ]] || die "$STATE exists but is not a lab state dir (no $MARKER); not removing it"
    rm -rf -- "$STATE"
  fi
}

# ---------------------------------------------------------------- up

# Parse and validate the topology; fills ROUTERS, MGMT[name], LINKS (tsv lines).
declare -a ROUTERS=()
declare -A MGMT=()
declare -A SSH_PORT=()
declare -A PLATFORM=()
declare -A ROUTES=() # name -> "dst via" pairs, space separated
declare -a LINKS=()

load_topology() {
  local topo="$1" name mgmt o line
  jq -e 'type == "object" and (.routers | type == "array") and ((.links // []) | type == "array")' \
    "$topo" >/dev/null || die "$topo: expected {\"routers\": [...], \"links\": [...]}"
  declare -A seen_o=()
  local platform routes
  while IFS=$'\t' read -r name mgmt platform routes; do
    valid_name "$name" || die "$topo: invalid router name '$name' (want ^[a-z0-9-]{1,20}\$)"
    [[ -z "${MGMT[$name]:-}" ]] || die "$topo: duplicate router '$name'"
    o="$(last_octet "$mgmt")" || die "$topo: $name: mgmt '$mgmt' is not in 198.51.100.128/26"
    ((o >= 130 && o <= 190)) || die "$topo: $name: mgmt '$mgmt' must be 198.51.100.130-190"
    [[ -z "${seen_o[$o]:-}" ]] || die "$topo: $name: mgmt '$mgmt' used twice"
    seen_o[$o]=1
    ROUTERS+=("$name")
    MGMT[$name]="$mgmt"
    SSH_PORT[$name]=22 # fixed for now; known_hosts/routers.json already handle others
    [[ "$platform" == debian || "$platform" == routeros || "$platform" == opnsense || "$platform" == opengear ]] ||
      die "$topo: $name: platform '$platform' must be debian, routeros, opnsense or opengear"
    PLATFORM[$name]="$platform"
    local r dst via
    for r in $routes; do
      dst="${r%,*}" via="${r#*,}"
      [[ "$dst" =~ ^198\.51\.100\.[0-9]{1,3}/(2[6-9]|3[0-2])$ ]] && last_octet "${dst%/*}" >/dev/null ||
        die "$topo: $name: route dst '$dst' must be a 198.51.100.0/24 prefix (/26-/32)"
      last_octet "$via" >/dev/null || die "$topo: $name: route via '$via' must be in 198.51.100.0/24"
    done
    ROUTES[$name]="$routes"
  done < <(jq -r '.routers[] | [(.name // "" | tostring), (.mgmt // "" | tostring),
                  (.platform // "debian" | tostring),
                  ((.routes // []) | map((.dst // "" | tostring) + "," + (.via // "" | tostring)) | join(" "))]
                  | @tsv' "$topo")
  [[ ${#ROUTERS[@]} -ge 1 ]] || die "$topo: no routers"

  declare -A seen_if=() seen_addr=()
  local ra ia aa rb ib ab oa ob
  while IFS=$'\t' read -r ra ia aa rb ib ab; do
    for name in "$ra" "$rb"; do
      [[ -n "${MGMT[$name]:-}" ]] || die "$topo: link end '$name' is not a router"
    done
    [[ "$ra" != "$rb" ]] || die "$topo: link from $ra to itself"
    valid_ifname "$ia" || die "$topo: $ra: invalid ifname '$ia'"
    valid_ifname "$ib" || die "$topo: $rb: invalid ifname '$ib'"
    for line in "$ra/$ia" "$rb/$ib"; do
      [[ -z "${seen_if[$line]:-}" ]] || die "$topo: interface $line used twice"
      seen_if[$line]=1
    done
    [[ "$aa" == */31 && "$ab" == */31 ]] || die "$topo: link $ra-$rb: addresses must be /31"
    oa="$(last_octet "${aa%/31}")" || die "$topo: link $ra-$rb: bad address '$aa'"
    ob="$(last_octet "${ab%/31}")" || die "$topo: link $ra-$rb: bad address '$ab'"
    ((oa >= 64 && oa <= 127 && ob >= 64 && ob <= 127)) ||
      die "$topo: link $ra-$rb: addresses must be in 198.51.100.64/26"
    (((oa ^ 1) == ob)) || die "$topo: link $ra-$rb: $aa and $ab are not the two ends of one /31"
    for o in "$oa" "$ob"; do
      [[ -z "${seen_addr[$o]:-}" ]] || die "$topo: underlay address 198.51.100.$o used twice"
      seen_addr[$o]=1
    done
    LINKS+=("$ra"$'\t'"$ia"$'\t'"$aa"$'\t'"$rb"$'\t'"$ib"$'\t'"$ab")
  done < <(jq -r '(.links // [])[] | [.a.router, .a.ifname, .a.address, .b.router, .b.ifname, .b.address]
                  | map(. // "" | tostring) | @tsv' "$topo")
}

# mkdir_own DIR OWNER MODE
mkdir_own() {
  mkdir -p "$1"
  chown "$2" "$1"
  chmod "$3" "$1"
}

# write_own FILE OWNER MODE (content on stdin)
write_own() {
  cat >"$1"
  chown "$2" "$1"
  chmod "$3" "$1"
}

# Private per-router directories: host dir under the state dir -> path in router.
# (On Debian 12 /var/run is a symlink to /run, so /run/X is /var/run/X.)
PRIVATE_MOUNTS=(
  "etc-bird:/etc/bird"
  "etc-frr:/etc/frr"
  "etc-wireguard:/etc/wireguard"
  "run-wireguard:/run/wireguard"
  "run-frr:/run/frr"
  "run-bird:/run/bird"
  "log-frr:/var/log/frr"
  "var-lib-reconciler:/var/lib/reconciler"
  "etc-interfaces-d:/etc/network/interfaces.d"
  "etc-sysctl-d:/etc/sysctl.d"
)

prepare_router_dir() {
  local name="$1" mgmt="$2" d="$STATE/routers/$1"
  mkdir -p "$d/pids" "$d/ssh" "$d/log"
  # Same owners/modes as Debian's packages give these directories.
  mkdir_own "$d/etc-bird" bird:bird 0750
  mkdir_own "$d/run-bird" bird:bird 0775
  mkdir_own "$d/etc-frr" frr:frr 0750
  mkdir_own "$d/run-frr" frr:frr 0755
  mkdir_own "$d/log-frr" frr:frr 0755
  mkdir_own "$d/etc-wireguard" root:root 0700
  mkdir_own "$d/run-wireguard" root:root 0755
  mkdir_own "$d/var-lib-reconciler" root:root 0700
  mkdir_own "$d/etc-interfaces-d" root:root 0755
  mkdir_own "$d/etc-sysctl-d" root:root 0755

  write_own "$d/etc-bird/bird.conf" bird:bird 0640 <<EOF
# Minimal lab configuration; the reconciler replaces it.
log "/run/bird/bird.log" all;
router id $mgmt;
protocol device {}
EOF

  # FRR: watchfrr, zebra and staticd always start; bgpd/ospfd/ospf6d enabled.
  # Files are frr:frr 0640 like the package's; vtysh runs as root and reads them.
  write_own "$d/etc-frr/daemons" frr:frr 0640 <<'EOF'
bgpd=yes
ospfd=yes
ospf6d=yes
staticd=yes
vtysh_enable=yes
zebra_options="  -A 127.0.0.1 -s 90000000"
bgpd_options="   -A 127.0.0.1"
ospfd_options="  -A 127.0.0.1"
ospf6d_options=" -A ::1"
staticd_options="-A 127.0.0.1"
EOF
  write_own "$d/etc-frr/vtysh.conf" frr:frr 0640 <<<"service integrated-vtysh-config"
  write_own "$d/etc-frr/frr.conf" frr:frr 0640 <<'EOF'
frr defaults traditional
log file /var/log/frr/frr.log informational
service integrated-vtysh-config
!
EOF

  # sshd: own host key, config, pid file; key-only root login.
  ssh-keygen -q -t ed25519 -N '' -C "host@$name" -f "$d/ssh/ssh_host_ed25519_key"
  local listen="$mgmt:${SSH_PORT[$name]}"
  # Sessions get their own empty HOME: the host root's shell start-up files (pyenv and the like
  # on developer machines) would otherwise cost more than the command itself, every session.
  mkdir -p "$d/home"
  cat >"$d/ssh/sshd_config" <<EOF
SetEnv HOME=$d/home
ListenAddress $listen
HostKey $d/ssh/ssh_host_ed25519_key
PidFile $d/ssh/sshd.pid
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
MaxStartups 100:30:200
MaxSessions 50
Subsystem sftp internal-sftp
EOF
}

# Start router NAME's init process: a `sleep infinity` in the router's netns,
# in a fresh mount + UTS namespace with the private dirs bind-mounted and the
# hostname set. Every daemon is then started inside its namespaces.
start_init() {
  local name="$1" d="$STATE/routers/$1" m binds=()
  for m in "${PRIVATE_MOUNTS[@]}"; do
    mkdir -p "${m#*:}" # mount point on the host, empty (e.g. /run/wireguard)
    binds+=("$d/${m%%:*}" "${m#*:}")
  done
  # The inner script gets all values as arguments (no interpolation).
  # setsid + redirections: detach from the caller's session and stdio, so a
  # caller waiting for our stdout to close (node) is not held by the lab.
  # shellcheck disable=SC2016
  setsid ip netns exec "$NS_PREFIX$name" \
    unshare --mount --uts --propagation private -- \
    "${ROUTER_ENV[@]}" /bin/sh -c '
      set -e
      name="$1"; pidfile="$2"; shift 2
      while [ "$#" -gt 0 ]; do mount --bind "$1" "$2"; shift 2; done
      hostname "$name"
      echo "$$" > "$pidfile.tmp" && mv "$pidfile.tmp" "$pidfile"
      exec sleep infinity' \
    sh "$name" "$d/init.pid" "${binds[@]}" </dev/null >"$d/log/init.log" 2>&1 9>&- &
}

wait_for_file() { # FILE SECONDS WHAT
  local i
  for i in $(seq "$(($2 * 20))"); do
    [[ -s "$1" ]] && return 0
    sleep 0.05
  done
  die "timeout waiting for $3 ($1)"
}

start_daemons() {
  local name="$1" d="$STATE/routers/$1" pid
  pid="$(init_pid "$name")"
  echo "$pid" >"$d/pids/init"

  # bird2 as user bird (it keeps CAP_NET_* after dropping root); default
  # control socket /run/bird/bird.ctl, which birdc uses by default.
  # OPNsense: its mounts (passwd, /conf, configctl, FreeBSD's commands) before any daemon starts.
  if [[ "${PLATFORM[$name]}" == opnsense ]]; then
    bash "$OPNSENSE_SETUP" "$name" "$d" "$pid" "$LAB_NODE" </dev/null >>"$d/log/opnsense-setup.log" 2>&1 ||
      die "$name: OPNsense set-up failed (see $d/log/opnsense-setup.log)"
  fi
  # Opengear: its mounts (/etc/config, ogcli or config, tailscale) before any daemon starts.
  if [[ "${PLATFORM[$name]}" == opengear ]]; then
    bash "$OPENGEAR_SETUP" "$name" "$d" "$pid" "$LAB_NODE" </dev/null >>"$d/log/opengear-setup.log" 2>&1 ||
      die "$name: Opengear set-up failed (see $d/log/opengear-setup.log)"
  fi
  rexec "$name" bird -c /etc/bird/bird.conf -u bird -g bird -P /run/bird/bird.pid \
    </dev/null >>"$d/log/bird.log" 2>&1 || die "$name: bird failed to start (see $d/log/bird.log)"

  phase "$name: bird started"
  if [[ "${PLATFORM[$name]}" == routeros ]]; then
    start_simulator "$name"
    return
  fi

  # FRR: frrinit.sh starts watchfrr, which starts the daemons and returns when they are up.
  rexec "$name" /usr/lib/frr/frrinit.sh start </dev/null >>"$d/log/frr.log" 2>&1 ||
    die "$name: FRR failed to start (see $d/log/frr.log)"

  phase "$name: FRR started"

  # sshd daemonizes after binding; its PidFile is written then.
  rexec "$name" /usr/sbin/sshd -f "$d/ssh/sshd_config" -E "$d/log/sshd.log" \
    </dev/null >>"$d/log/sshd.out" 2>&1 || die "$name: sshd failed to start (see $d/log/sshd.log)"
}

# The RouterOS simulator in the router's namespaces: its SSH server on the
# management address with the router's host key and the lab's authorised key,
# its configuration under the router's dir, the Linux backing driving the
# namespace. Detached like the init process; it writes its pid file once listening.
start_simulator() {
  local name="$1" d="$STATE/routers/$1"
  mkdir -p "$d/routeros"
  # shellcheck disable=SC2094
  setsid nsenter --target "$(init_pid "$name")" --net --mount --uts -- "${ROUTER_ENV[@]}" \
    "$LAB_NODE" --import "file://$TSX_LOADER" "$SIM_MAIN" \
    --name "$name" --listen "${MGMT[$name]}" --port "${SSH_PORT[$name]}" \
    --host-key "$d/ssh/ssh_host_ed25519_key" --authorized-keys "$STATE/authorized_keys" \
    --state-dir "$d/routeros" --pid-file "$d/routeros/sim.pid" \
    </dev/null >>"$d/log/routeros-sim.log" 2>&1 9>&- &
  echo "$!" >"$d/routeros/launch.pid"
}

# wait_for_simulator NAME: its pid file, or fail as soon as it has died.
wait_for_simulator() {
  local name="$1" d="$STATE/routers/$1" i launch
  read -r launch <"$d/routeros/launch.pid"
  for i in $(seq 600); do
    [[ -s "$d/routeros/sim.pid" ]] && return 0
    pid_alive "$launch" || die "$name: the RouterOS simulator exited: $(tail -c 600 "$d/log/routeros-sim.log")"
    sleep 0.05
  done
  die "$name: timeout waiting for the RouterOS simulator (log: $d/log/routeros-sim.log)"
}

record_pids() {
  phase "$1: daemons started"
  local name="$1" d="$STATE/routers/$1" dmn
  if [[ "${PLATFORM[$name]}" == routeros ]]; then
    wait_for_simulator "$name"
    wait_for_file "$d/run-bird/bird.pid" 10 "$name bird pid file"
    # named after the process's command (node): lab.sh down trusts a pid whose name matches
    cp "$d/routeros/sim.pid" "$d/pids/node"
    cp "$d/run-bird/bird.pid" "$d/pids/bird"
    for dmn in "$d"/pids/*; do
      pid_alive "$(cat "$dmn")" || die "$name: $(basename "$dmn") (pid $(cat "$dmn")) is not running"
    done
    return
  fi
  wait_for_file "$d/ssh/sshd.pid" 10 "$name sshd pid file"
  wait_for_file "$d/run-bird/bird.pid" 10 "$name bird pid file"
  cp "$d/ssh/sshd.pid" "$d/pids/sshd"
  cp "$d/run-bird/bird.pid" "$d/pids/bird"
  for dmn in watchfrr "${FRR_DAEMONS[@]}"; do
    wait_for_file "$d/run-frr/$dmn.pid" 20 "$name $dmn pid file"
    cp "$d/run-frr/$dmn.pid" "$d/pids/$dmn"
  done
  for dmn in "$d"/pids/*; do
    pid_alive "$(cat "$dmn")" || die "$name: $(basename "$dmn") (pid $(cat "$dmn")) is not running"
  done
}

# Wait until the router answers: sshd accepts TCP, birdc and vtysh reply.
check_router() {
  local name="$1" i
  phase "$name: pids recorded"
  for i in $(seq 100); do
    # shellcheck disable=SC2016 # $1/$2 are expanded by the inner bash
    if timeout 1 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "${MGMT[$name]}" "${SSH_PORT[$name]}" 2>/dev/null &&
      rexec "$name" birdc -s /run/bird/bird.ctl show status 2>/dev/null | grep 'Daemon is up' >/dev/null &&
      { [[ "${PLATFORM[$name]}" == routeros ]] || rexec "$name" vtysh -c 'show version' >/dev/null 2>&1; }; then
      return 0
    fi
    sleep 0.1
  done
  die "$name: not ready after 10 s (sshd or simulator/bird/FRR; logs in $STATE/routers/$name/log)"
}

write_routers_json() {
  local name d frags=()
  for name in "${ROUTERS[@]}"; do
    d="$STATE/routers/$name"
    # pids: {"sshd": 123, ...} from the pids/ dir.
    local pids_json
    pids_json="$(for f in "$d"/pids/*; do printf '%s\t%s\n' "$(basename "$f")" "$(cat "$f")"; done |
      jq -R -s 'split("\n") | map(select(length > 0) | split("\t") | {(.[0]): (.[1] | tonumber)}) | add')"
    jq -n \
      --arg name "$name" --arg ns "$NS_PREFIX$name" --arg mgmt "${MGMT[$name]}" \
      --argjson port "${SSH_PORT[$name]}" --arg dir "$d" \
      --arg hostkey "$(cut -d' ' -f1,2 "$d/ssh/ssh_host_ed25519_key.pub")" \
      --argjson pids "$pids_json" --arg platform "${PLATFORM[$name]}" \
      '{name: $name, namespace: $ns, mgmtAddress: $mgmt, sshPort: $port,
        user: (if $platform == "routeros" then "reconciler" else "root" end), platform: $platform,
        hostKey: $hostkey, dir: $dir, initPid: $pids.init, pids: $pids}' >"$d/router.json"
    frags+=("$d/router.json")
  done
  printf '%s\n' "${LINKS[@]}" | jq -R -s \
    --arg state "$STATE" --arg bridge "$BRIDGE" --arg host "$HOST_ADDR/$MGMT_PREFIX" \
    --arg started "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    --slurpfile routers <(cat "${frags[@]}") '
    {
      version: 1,
      stateDir: $state,
      startedAt: $started,
      privateKeyPath: ($state + "/id_ed25519"),
      knownHostsPath: ($state + "/known_hosts"),
      bridge: $bridge,
      hostAddress: $host,
      routers: $routers,
      links: (split("\n") | map(select(length > 0) | split("\t")
        | {a: {router: .[0], ifname: .[1], address: .[2]},
           b: {router: .[3], ifname: .[4], address: .[5]}}))
    }' >"$STATE/routers.json.tmp"
  mv "$STATE/routers.json.tmp" "$STATE/routers.json"
}

lab_up() {
  local topo="${1:-$LAB_HERE/topology.json}" name i
  [[ -r "$topo" ]] || die "topology not readable: $topo"
  topo="$(readlink -f "$topo")"
  check_state_path
  load_topology "$topo"
  for name in "${ROUTERS[@]}"; do
    [[ "${PLATFORM[$name]}" == debian ]] || {
      require_sim_tools
      break
    }
  done

  lab_down # leftovers of an earlier run
  phase "leftovers removed"

  mkdir -p "$STATE"
  chmod 0755 "$STATE"
  : >"$STATE/$MARKER"
  cp "$topo" "$STATE/topology.json"
  mkdir -p /run/sshd # sshd's privilege separation dir (empty, shared)

  # Lab client key; every router authorises it for root.
  ssh-keygen -q -t ed25519 -N '' -C reconciler-lab -f "$STATE/id_ed25519"
  chmod 0600 "$STATE/id_ed25519"
  cp "$STATE/id_ed25519.pub" "$STATE/authorized_keys"
  chmod 0644 "$STATE/authorized_keys"

  # Management bridge on the host (its subnet is the only host route we add).
  ip link add "$BRIDGE" type bridge
  ip addr add "$HOST_ADDR/$MGMT_PREFIX" dev "$BRIDGE"
  ip link set "$BRIDGE" up

  : >"$STATE/known_hosts"
  i=0
  for name in "${ROUTERS[@]}"; do
    local ns="$NS_PREFIX$name" hostif="${NS_PREFIX}m-$i"
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    # Routers route: forwarding on inside the namespace only (never on the host).
    ip netns exec "$ns" sysctl -q -w net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
    ip link add "$hostif" type veth peer name mgmt0 netns "$ns"
    ip link set "$hostif" master "$BRIDGE" up
    ip -n "$ns" addr add "${MGMT[$name]}/$MGMT_PREFIX" dev mgmt0
    ip -n "$ns" link set mgmt0 up
    prepare_router_dir "$name" "${MGMT[$name]}"
    local port="${SSH_PORT[$name]}" host="${MGMT[$name]}"
    [[ "$port" == 22 ]] || host="[$host]:$port"
    echo "$host $(cut -d' ' -f1,2 "$STATE/routers/$name/ssh/ssh_host_ed25519_key.pub")" >>"$STATE/known_hosts"
    i=$((i + 1))
  done

  phase "namespaces ready"
  # Underlay: veth pairs created directly inside the two namespaces.
  local line ra ia aa rb ib ab
  for line in "${LINKS[@]}"; do
    IFS=$'\t' read -r ra ia aa rb ib ab <<<"$line"
    ip link add "$ia" netns "$NS_PREFIX$ra" type veth peer name "$ib" netns "$NS_PREFIX$rb"
    ip -n "$NS_PREFIX$ra" addr add "$aa" dev "$ia"
    ip -n "$NS_PREFIX$rb" addr add "$ab" dev "$ib"
    ip -n "$NS_PREFIX$ra" link set "$ia" up
    ip -n "$NS_PREFIX$rb" link set "$ib" up
  done
  # Underlay host routes (e.g. the tower reaching the core's endpoint on another link).
  local r
  for name in "${ROUTERS[@]}"; do
    for r in ${ROUTES[$name]}; do
      ip -n "$NS_PREFIX$name" route add "${r%,*}" via "${r#*,}"
    done
  done

  # Start routers: init processes first (all at once), then the daemons of
  # each router in parallel (FRR start-up dominates).
  phase "links ready"
  for name in "${ROUTERS[@]}"; do start_init "$name"; done
  for name in "${ROUTERS[@]}"; do wait_for_file "$STATE/routers/$name/init.pid" 10 "$name init"; done
  phase "init processes up"
  local jobs=() failed=0 j
  for name in "${ROUTERS[@]}"; do
    # A plain subshell (not an && list) so that set -e applies inside.
    (
      start_daemons "$name"
      record_pids "$name"
      check_router "$name"
    ) &
    jobs+=("$!")
  done
  for j in "${jobs[@]}"; do wait "$j" || failed=1; done
  [[ "$failed" == 0 ]] || die "lab did not come up (state kept in $STATE for inspection; run 'lab.sh down')"

  phase "routers up"
  write_routers_json
  log "up: ${#ROUTERS[@]} routers, ${#LINKS[@]} links; state in $STATE"
}

# ---------------------------------------------------------------- status

lab_status() {
  if [[ ! -f "$STATE/routers.json" ]]; then
    echo "lab: not running (no $STATE/routers.json)"
    return 3
  fi
  local rc=0 name ns f bad
  while IFS=$'\t' read -r name ns; do
    bad=()
    [[ -e "/run/netns/$ns" ]] || bad+=("namespace missing")
    for f in "$STATE/routers/$name"/pids/*; do
      pid_alive "$(cat "$f")" || bad+=("$(basename "$f") down")
    done
    if [[ ${#bad[@]} -eq 0 ]]; then
      echo "$name: up ($ns, $(jq -r --arg n "$name" '.routers[] | select(.name == $n) | .mgmtAddress' "$STATE/routers.json"))"
    else
      echo "$name: DEGRADED (${bad[*]})"
      rc=1
    fi
  done < <(jq -r '.routers[] | [.name, .namespace] | @tsv' "$STATE/routers.json")
  return "$rc"
}

# ---------------------------------------------------------------- links

# link_set A B up|down: both ends of every underlay link between A and B.
# ---------------------------------------------------------------- hidden router

# hidden_up NAME VIA: adds router NAME (namespace rcl-NAME, its own sshd, bird2
# and FRR, started as the others are) whose only link is a veth to the running
# router VIA: NAME is 198.51.100.242/29 on "eth-up", VIA 198.51.100.241/29 on
# "eth-NAME". NAME has no management interface and no other route: its sshd,
# on 198.51.100.242:22, is reached only through VIA (an out-of-band box behind
# a router). It is not in routers.json (a router on the management bridge is
# what lab.ts lists); `lab.sh down` removes it with the rest (rcl-* namespaces,
# the pids recorded under routers/). Prints its known_hosts line.
HIDDEN_ADDR="198.51.100.242"
HIDDEN_VIA_ADDR="198.51.100.241"
HIDDEN_PREFIX=29
hidden_up() {
  local name="$1" via="$2" i
  valid_name "$name" || die "invalid router name '$name'"
  valid_ifname "eth-$name" || die "router name '$name' too long for an interface name"
  [[ -f "$STATE/routers.json" ]] || die "lab is not running"
  [[ -f "$STATE/routers/$via/init.pid" ]] || die "no router '$via' in the lab"
  [[ ! -e "$STATE/routers/$name" ]] || die "router '$name' already exists"
  MGMT[$name]="$HIDDEN_ADDR"
  SSH_PORT[$name]=22
  PLATFORM[$name]=debian
  ip netns add "$NS_PREFIX$name"
  ip -n "$NS_PREFIX$name" link set lo up
  ip link add eth-up netns "$NS_PREFIX$name" type veth peer name "eth-$name" netns "$NS_PREFIX$via"
  ip -n "$NS_PREFIX$name" addr add "$HIDDEN_ADDR/$HIDDEN_PREFIX" dev eth-up
  ip -n "$NS_PREFIX$via" addr add "$HIDDEN_VIA_ADDR/$HIDDEN_PREFIX" dev "eth-$name"
  ip -n "$NS_PREFIX$name" link set eth-up up
  ip -n "$NS_PREFIX$via" link set "eth-$name" up
  prepare_router_dir "$name" "$HIDDEN_ADDR"
  start_init "$name"
  wait_for_file "$STATE/routers/$name/init.pid" 10 "$name init"
  start_daemons "$name"
  record_pids "$name"
  # Ready when VIA reaches its sshd (the host cannot: that is the point).
  for i in $(seq 100); do
    # shellcheck disable=SC2016 # $1 is expanded by the inner bash
    if rexec "$via" timeout 1 bash -c 'exec 3<>"/dev/tcp/$1/22"' _ "$HIDDEN_ADDR" 2>/dev/null; then
      echo "$HIDDEN_ADDR $(cut -d' ' -f1,2 "$STATE/routers/$name/ssh/ssh_host_ed25519_key.pub")"
      return 0
    fi
    sleep 0.1
  done
  die "$name: sshd not reachable from $via after 10 s (logs in $STATE/routers/$name/log)"
}

link_set() {
  local a="$1" b="$2" state="$3" n=0 ra ia rb ib
  if ! valid_name "$a" || ! valid_name "$b"; then die "invalid router name"; fi
  [[ -f "$STATE/routers.json" ]] || die "lab is not running"
  while IFS=$'\t' read -r ra ia rb ib; do
    ip -n "$NS_PREFIX$ra" link set "$ia" "$state"
    ip -n "$NS_PREFIX$rb" link set "$ib" "$state"
    n=$((n + 1))
  done < <(jq -r --arg a "$a" --arg b "$b" '.links[]
      | select((.a.router == $a and .b.router == $b) or (.a.router == $b and .b.router == $a))
      | [.a.router, .a.ifname, .b.router, .b.ifname] | @tsv' "$STATE/routers.json")
  [[ "$n" -gt 0 ]] || die "no underlay link between $a and $b"
}

main() {
  local cmd="${1:-}"
  [[ $# -gt 0 ]] && shift
  case "$cmd" in
  up)
    [[ $# -le 1 ]] || die "usage: lab.sh up [TOPOLOGY.json]"
    require_root
    require_tools
    lock
    lab_up "$@"
    ;;
  down)
    [[ $# -eq 0 ]] || die "usage: lab.sh down"
    require_root
    lock
    lab_down
    log "down: done"
    ;;
  status)
    require_root
    lab_status
    ;;
  link-down | link-up)
    [[ $# -eq 2 ]] || die "usage: lab.sh $cmd A B"
    require_root
    lock
    link_set "$1" "$2" "${cmd#link-}"
    ;;
  hidden-up)
    [[ $# -eq 2 ]] || die "usage: lab.sh hidden-up NAME VIA"
    require_root
    require_tools
    lock
    hidden_up "$1" "$2"
    ;;
  *)
    die "usage: lab.sh up [TOPOLOGY.json] | down | status | link-down A B | link-up A B | hidden-up NAME VIA"
    ;;
  esac
}

main "$@"
