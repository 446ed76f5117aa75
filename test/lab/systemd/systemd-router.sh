#!/usr/bin/env bash
# A Debian 12 router booted with systemd as its init, for the tests of what needs a real init
# (the production revert timer, a transient unit started with systemd-run).
#
#   systemd-router.sh build   build the root filesystem once per machine (cached; about 3 min)
#   systemd-router.sh up DIR  (build if needed,) boot it; DIR receives the client key, known_hosts
#                             and env (ADDRESS, PORT, NETNS, ...); prints "up" when sshd answers
#   systemd-router.sh down    stop it and remove everything "up" made (also leftovers of an
#                             earlier run that died); safe to run at any time
#
# The root filesystem is made by debootstrap from the Debian mirror apt uses on this machine,
# cached under $CACHE (rebuilt when missing or when STAMP below changes). Each "up" boots it with
# systemd-nspawn on a throw-away overlay (the cache is never written), inside the network namespace
# "rsd-router" (the main lab owns "rcl-*" and tears those down; this script touches only rsd-*),
# joined to the host by a veth pair on 198.51.100.244/30 (host .245, router .246; the main lab
# uses 198.51.100.64/26 and 198.51.100.128/26). Inside, sshd listens on .246 with a host key made
# for this boot and accepts root with a client key made for this boot; logind is told to kill
# every process of a session when it ends (KillUserProcesses=yes), the setting the production
# timer exists to survive.
set -euo pipefail

CACHE="${RSD_CACHE:-/var/cache/reconciler-lab/bookworm-systemd}"
RUN="/run/reconciler-lab-systemd"
NETNS="rsd-router"
HOST_IF="rsd-host0"
ROUTER_IF="rsd-eth0"
HOST_ADDR="198.51.100.245"
ROUTER_ADDR="198.51.100.246"
PREFIX_LEN=30
PACKAGES="systemd,systemd-sysv,dbus,libpam-systemd,openssh-server,iproute2,procps,bird2,wireguard-tools"
# Bump when the way the root filesystem is made changes: the next "up" rebuilds it.
STAMP="1 bookworm minbase $PACKAGES"

log() { printf 'systemd-router: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

need_root() { [[ "$(id -u)" == 0 ]] || die "must run as root"; }

# The Debian mirror apt uses here (deb822 URIs: or one-line "deb URL bookworm ..."), for debootstrap.
debian_mirror() {
  local m=""
  local f
  for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f "$f" ]] || continue
    m="$(awk '
      /^[[:space:]]*#/ { next }
      /^URIs:/ { uris = $2 }
      /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm") ok = 1 }
      /^[[:space:]]*$/ { if (ok && uris !~ /security/) { print uris; exit } ok = 0; uris = "" }
      $1 == "deb" && $0 ~ / bookworm / { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/ && $i !~ /security/) { print $i; exit } }
      END { if (ok && uris !~ /security/) print uris }' "$f" | head -n1)"
    [[ -n "$m" ]] && break
  done
  printf '%s\n' "${m:-http://deb.debian.org/debian}"
}

cmd_build() {
  need_root
  command -v debootstrap >/dev/null || die "debootstrap is missing (bash scripts/lab-packages.sh installs it)"
  mkdir -p "$(dirname "$CACHE")"
  # One builder at a time; a second one waits and then finds the cache fresh.
  exec 9>"$CACHE.lock"
  flock 9
  if [[ -f "$CACHE/.reconciler-stamp" && "$(cat "$CACHE/.reconciler-stamp")" == "$STAMP" ]]; then
    log "root filesystem up to date in $CACHE"
    return 0
  fi
  local mirror tmp start
  mirror="$(debian_mirror)"
  tmp="$CACHE.building"
  start=$SECONDS
  log "building $CACHE with debootstrap from $mirror (about 3 minutes, once per machine)"
  rm -rf "$tmp"
  debootstrap --variant=minbase --include="$PACKAGES" bookworm "$tmp" "$mirror" >"$CACHE.build.log" 2>&1 ||
    die "debootstrap failed; see $CACHE.build.log"
  # Nothing of the image's own sshd identity or machine id is kept: each boot makes its own.
  rm -f "$tmp"/etc/ssh/ssh_host_*
  : >"$tmp/etc/machine-id"
  # Units a bare router does not need (and that slow the boot or fail in a container).
  local u
  for u in apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer e2scrub_all.timer fstrim.timer \
    bird.service systemd-timesyncd.service; do
    chroot "$tmp" systemctl disable "$u" >/dev/null 2>&1 || true
  done
  chroot "$tmp" systemctl enable ssh.service >/dev/null 2>&1 || die "cannot enable ssh.service"
  # bird runs, with an empty configuration, started by the test when it wants it.
  rm -rf "$tmp/var/cache/apt/archives"/*.deb "$tmp/var/lib/apt/lists"/* || true
  printf '%s' "$STAMP" >"$tmp/.reconciler-stamp"
  rm -rf "$CACHE"
  mv "$tmp" "$CACHE"
  log "built $CACHE in $((SECONDS - start)) s ($(du -sh "$CACHE" | cut -f1))"
}

nspawn_pid() {
  local p
  p="$(cat "$RUN/nspawn.pid" 2>/dev/null || true)"
  [[ "$p" =~ ^[0-9]+$ ]] && kill -0 "$p" 2>/dev/null && printf '%s\n' "$p"
  return 0
}

cmd_down() {
  need_root
  local p i
  p="$(nspawn_pid)"
  if [[ -n "$p" ]]; then
    # SIGTERM: nspawn asks the container's systemd to power off (SIGRTMIN+3).
    kill -TERM "$p" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
      kill -0 "$p" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$p" 2>/dev/null || true
  fi
  # Whatever still lives in the namespace (the container's processes after a crash).
  if [[ -e "/run/netns/$NETNS" ]]; then
    local pids
    pids="$(ip netns pids "$NETNS" 2>/dev/null || true)"
    if [[ -n "$pids" ]]; then
      # shellcheck disable=SC2086
      kill -KILL $pids 2>/dev/null || true
      sleep 0.3
    fi
  fi
  # Mounts under the run directory, deepest first.
  if [[ -d "$RUN" ]]; then
    local m
    while read -r m; do
      umount -l "$m" 2>/dev/null || true
    done < <(awk -v r="$RUN/" 'index($2, r) == 1 { print $2 }' /proc/self/mounts | sort -r)
  fi
  ip link del "$HOST_IF" 2>/dev/null || true
  if [[ -e "/run/netns/$NETNS" ]]; then ip netns del "$NETNS" 2>/dev/null || true; fi
  rm -rf "$RUN"
}

cmd_up() {
  need_root
  local out="${1:?usage: systemd-router.sh up OUTDIR}"
  command -v systemd-nspawn >/dev/null || die "systemd-nspawn is missing (bash scripts/lab-packages.sh installs systemd-container)"
  cmd_down
  cmd_build
  mkdir -p "$out" "$RUN"/{upper,work,root}
  chmod 700 "$RUN"
  # The overlay's upper layer is on a tmpfs: nothing of a boot survives "down".
  mount -t tmpfs -o mode=0755 rsd-upper "$RUN/upper"
  mkdir -p "$RUN/upper/u" "$RUN/upper/w"
  mount -t overlay -o "lowerdir=$CACHE,upperdir=$RUN/upper/u,workdir=$RUN/upper/w" rsd-root "$RUN/root"
  local root="$RUN/root"

  # Keys of this boot: the router's host key (pinned in known_hosts) and the client's key.
  rm -f "$out/id_ed25519" "$out/id_ed25519.pub" "$out/known_hosts"
  ssh-keygen -q -t ed25519 -N '' -C rsd-client -f "$out/id_ed25519"
  ssh-keygen -q -t ed25519 -N '' -C rsd-router -f "$root/etc/ssh/ssh_host_ed25519_key"
  printf '%s %s\n' "$ROUTER_ADDR" "$(cut -d' ' -f1-2 "$root/etc/ssh/ssh_host_ed25519_key.pub")" >"$out/known_hosts"
  install -d -m 700 "$root/root/.ssh"
  install -m 600 "$out/id_ed25519.pub" "$root/root/.ssh/authorized_keys"
  cat >"$root/etc/ssh/sshd_config.d/reconciler-lab.conf" <<EOF
ListenAddress $ROUTER_ADDR
HostKey /etc/ssh/ssh_host_ed25519_key
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UseDNS no
EOF
  mkdir -p "$root/etc/systemd/logind.conf.d"
  # KillExcludeUsers: logind spares root's sessions when this list is empty (the default), and the
  # test logs in as root; a router managed through a sudo account is not spared. Naming another
  # user makes root's sessions killed too.
  printf '[Login]\nKillUserProcesses=yes\nKillExcludeUsers=nobody\n' >"$root/etc/systemd/logind.conf.d/reconciler-lab.conf"
  printf 'rsd-router\n' >"$root/etc/hostname"
  # bird needs a configuration to start; the tests write theirs.
  printf 'router id 192.0.2.246;\nprotocol device {}\n' >"$root/etc/bird/bird.conf"
  chroot "$root" systemctl enable bird.service >/dev/null 2>&1 || die "cannot enable bird.service"

  ip netns add "$NETNS"
  ip link add "$HOST_IF" type veth peer name "$ROUTER_IF"
  ip link set "$ROUTER_IF" netns "$NETNS"
  ip addr add "$HOST_ADDR/$PREFIX_LEN" dev "$HOST_IF"
  ip link set "$HOST_IF" up
  ip netns exec "$NETNS" ip addr add "$ROUTER_ADDR/$PREFIX_LEN" dev "$ROUTER_IF"
  ip netns exec "$NETNS" ip link set "$ROUTER_IF" up
  ip netns exec "$NETNS" ip link set lo up

  # Boot. --register=no: there is no system bus on this host to register with (without it nspawn
  # refuses to start); --keep-unit: do not ask a host systemd for a scope. CAP_NET_ADMIN: the
  # namespace is the router's own, and it configures its links and runs bird (which keeps that
  # capability when it drops root) as a real router does.
  setsid systemd-nspawn -D "$root" -b --register=no --keep-unit --machine=rsd-router \
    --network-namespace-path="/run/netns/$NETNS" --capability=CAP_NET_ADMIN --console=read-only \
    </dev/null >"$RUN/console.log" 2>&1 &
  echo $! >"$RUN/nspawn.pid"

  local i
  for ((i = 0; i < 600; i++)); do
    kill -0 "$(cat "$RUN/nspawn.pid")" 2>/dev/null ||
      die "systemd-nspawn exited; its console: $(tail -n 30 "$RUN/console.log")"
    if ssh -q -i "$out/id_ed25519" -o UserKnownHostsFile="$out/known_hosts" -o StrictHostKeyChecking=yes \
      -o BatchMode=yes -o ConnectTimeout=2 "root@$ROUTER_ADDR" true 2>/dev/null; then
      break
    fi
    sleep 0.2
  done
  ((i < 600)) || die "sshd did not answer within 120 s; console: $(tail -n 30 "$RUN/console.log")"
  {
    printf 'ADDRESS=%s\nPORT=22\nUSER=root\nNETNS=%s\nHOST_ADDRESS=%s\n' "$ROUTER_ADDR" "$NETNS" "$HOST_ADDR"
    printf 'KEY=%s\nKNOWN_HOSTS=%s\nCONSOLE=%s\nNSPAWN_PID=%s\n' "$out/id_ed25519" "$out/known_hosts" "$RUN/console.log" "$(cat "$RUN/nspawn.pid")"
  } >"$out/env"
  echo up
}

case "${1:-}" in
  build) cmd_build ;;
  up) cmd_up "${2:-}" ;;
  down) cmd_down ;;
  *)
    echo "usage: $0 build | up OUTDIR | down" >&2
    exit 2
    ;;
esac
