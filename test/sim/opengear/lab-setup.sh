#!/usr/bin/env bash
# Makes a lab router look like an Opengear console server to an SSH client (called by
# test/lab/lab.sh, as root, once the router's init process holds its namespaces and before its
# sshd starts):
#   lab-setup.sh NAME DIR INIT_PID NODE
# NAME the router, DIR its state dir (test/lab's routers/NAME), INIT_PID its init process, NODE
# the node binary that runs the commands. The router's entry in the lab's topology may say
# "dialect": "legacy" (ACM/IM/CM7100 firmware: /bin/config) instead of the default "ogcli"
# (Operations Manager / CM8100: /usr/bin/ogcli). Everything is mounted in that router's mount
# namespace only (created --propagation private by lab.sh); on the host it only creates the
# empty mount point /etc/config, as lab.sh does for its own private directories.
#
# In the router:
#   /etc/config     DIR/opengear/etc-config: the store ngcs.db (factory-fresh, hostname NAME)
#   /usr/bin        an overlay adding ogcli (or config) and tailscale
#   sshd           a ForceCommand wrapper (DIR/opengear/session.sh): a login naming a serial
#                  port (`user:ports-N`) gets that port (port-session-main.ts); any other runs as
#                  sshd would have run it. sshd logs at DEBUG1 for the wrapper (port-login.awk).
# On the host, for tests: DIR/opengear/sim (faults.json, journal.jsonl, tailscale.json, and
# serial.json: which lab router's console each port is wired to, the topology's "serial").
set -euo pipefail
export PATH="/usr/sbin:/usr/bin:/sbin:/bin"

die() {
  echo "opengear lab-setup: $*" >&2
  exit 1
}
[[ $# -eq 4 ]] || die "usage: lab-setup.sh NAME DIR INIT_PID NODE"
name="$1" dir="$2" pid="$3" node="$4"
[[ "$name" =~ ^[a-z0-9-]{1,20}$ ]] || die "bad router name '$name'"
# DIR and NODE are written into scripts below: only plain absolute paths are accepted.
[[ "$dir" =~ ^/[A-Za-z0-9._/-]+$ && "$dir" != *..* ]] || die "bad dir '$dir'"
[[ "$node" =~ ^/[A-Za-z0-9._/+-]+$ && "$node" != *..* && -x "$node" ]] || die "bad node '$node'"
[[ "$pid" =~ ^[0-9]+$ ]] || die "bad pid '$pid'"

here="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
repo="$(readlink -f "$here/../../..")"
tsx="$repo/node_modules/tsx/dist/loader.mjs"
[[ -r "$tsx" ]] || die "missing $tsx: run 'npm ci'"
[[ "$here" =~ ^/[A-Za-z0-9._/-]+$ ]] || die "unexpected characters in $here"

# The dialect, from the lab's copy of the topology (lab.sh keeps it beside routers/).
dialect=ogcli
topo="$(readlink -f "$dir/../..")/topology.json"
if [[ -r "$topo" ]]; then
  dialect="$(jq -r --arg n "$name" '.routers[] | select(.name == $n) | .dialect // "ogcli"' "$topo")"
fi
[[ "$dialect" == ogcli || "$dialect" == legacy ]] || die "$name: dialect '$dialect' must be ogcli or legacy"

o="$dir/opengear"
mkdir -p "$o/etc-config" "$o/sim" "$o/bin-upper" "$o/bin-work"
chmod 0700 "$o/etc-config"
"$node" --import "file://$tsx" "$here/init-store.ts" "$o/etc-config/ngcs.db" "$name"

wrapper() { # COMMAND MAIN
  cat >"$o/bin-upper/$1" <<EOS
#!/bin/sh
# $1 of the simulated Opengear (test/sim/opengear/$2).
exec $node --import file://$tsx $here/$2 --sim-dir $o/sim -- "\$@"
EOS
  chmod 0755 "$o/bin-upper/$1"
}
if [[ "$dialect" == ogcli ]]; then wrapper ogcli ogcli-main.ts; else wrapper config config-main.ts; fi
wrapper tailscale tailscale-main.ts
echo "$dialect" >"$o/sim/dialect"

# Serial wiring: {"1": "core-1", ...} from the topology (nothing is wired without it).
serial='{}'
if [[ -r "$topo" ]]; then
  serial="$(jq -c --arg n "$name" '.routers[] | select(.name == $n) | .serial // {}' "$topo")"
fi
jq -e 'type == "object" and all(to_entries[]; (.key | test("^[0-9]{1,2}$")) and (.value | test("^[a-z0-9-]{1,20}$")))' \
  <<<"$serial" >/dev/null || die "$name: bad serial wiring $serial"
echo "$serial" >"$o/sim/serial.json"

# Port access: sshd's ForceCommand. The wrapper is written with the paths checked above.
[[ -f "$dir/ssh/sshd_config" ]] || die "$dir/ssh/sshd_config missing: lab.sh writes it before this"
cat >"$o/session.sh" <<EOS
#!/bin/bash
# sshd's ForceCommand in the simulated Opengear (test/sim/opengear/lab-setup.sh).
read -r ip port _ <<<"\$SSH_CONNECTION"
login="\$(awk -v opening="Connection from \$ip port \$port " -f $here/port-login.awk $dir/log/sshd.log)"
if [[ "\$login" =~ ^[A-Za-z0-9_.-]{1,64}:[A-Za-z0-9_.-]{1,64}\$ ]]; then
  exec $node --import file://$tsx $here/port-session-main.ts --sim-dir $o/sim --login "\$login"
fi
if [[ -n "\${SSH_ORIGINAL_COMMAND+set}" ]]; then exec "\$SHELL" -c "\$SSH_ORIGINAL_COMMAND"; fi
exec -a "-\${SHELL##*/}" "\$SHELL"
EOS
chmod 0755 "$o/session.sh"
printf 'LogLevel DEBUG1\nForceCommand %s\n' "$o/session.sh" >>"$dir/ssh/sshd_config"
mkdir -p /etc/config

# shellcheck disable=SC2016 # expanded by the inner sh
nsenter --target "$pid" --mount -- /bin/sh -c '
  set -e
  o="$1"
  mount --bind "$o/etc-config" /etc/config
  mount -t overlay overlay -o "lowerdir=/usr/bin,upperdir=$o/bin-upper,workdir=$o/bin-work" /usr/bin
' sh "$o"
