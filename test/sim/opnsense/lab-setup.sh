#!/usr/bin/env bash
# Makes a lab router look like OPNsense to an SSH client (called by test/lab/lab.sh, as root, once
# the router's init process holds its namespaces and before its sshd starts):
#   lab-setup.sh NAME DIR INIT_PID NODE
# NAME the router, DIR its state dir (test/lab's routers/NAME), INIT_PID its init process, NODE
# the node binary that runs configctl. Everything it mounts is mounted in that router's mount
# namespace only (created --propagation private by lab.sh); on the host it only creates the empty
# mount point /conf, as lab.sh does for its own private directories.
#
# In the router:
#   /etc/passwd            a copy whose root has the login shell /usr/bin/tcsh (Debian's tcsh)
#   /conf                  DIR/opnsense/conf: config.xml (fixtures/config.xml, hostname NAME), backup/
#   /usr/local/etc         DIR/opnsense/usr-local-etc (the rendered wireguard/ and frr/ files)
#   /usr/local/sbin        DIR/opnsense/usr-local-sbin: configctl
#   /usr/bin, /usr/sbin    overlays adding FreeBSD's stat, lockf, b64decode, daemon, sha256, and
#                          hiding setsid and flock (FreeBSD has neither); /sbin is /usr/sbin.
set -euo pipefail
export PATH="/usr/sbin:/usr/bin:/sbin:/bin"

die() {
  echo "opnsense lab-setup: $*" >&2
  exit 1
}
[[ $# -eq 4 ]] || die "usage: lab-setup.sh NAME DIR INIT_PID NODE"
name="$1" dir="$2" pid="$3" node="$4"
[[ "$name" =~ ^[a-z0-9-]{1,20}$ ]] || die "bad router name '$name'"
# DIR and NODE are written into scripts below: only plain absolute paths are accepted.
[[ "$dir" =~ ^/[A-Za-z0-9._/-]+$ && "$dir" != *..* ]] || die "bad dir '$dir'"
[[ "$node" =~ ^/[A-Za-z0-9._/+-]+$ && "$node" != *..* && -x "$node" ]] || die "bad node '$node'"
[[ "$pid" =~ ^[0-9]+$ ]] || die "bad pid '$pid'"
[[ -x /usr/bin/tcsh ]] || die "missing /usr/bin/tcsh: run 'sudo bash scripts/lab-packages.sh' first"

here="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
repo="$(readlink -f "$here/../../..")"
tsx="$repo/node_modules/tsx/dist/loader.mjs"
[[ -r "$tsx" ]] || die "missing $tsx: run 'npm ci'"
o="$dir/opnsense"
libexec="$o/libexec"

mkdir -p "$o" "$libexec" "$o/usr-local-etc" "$o/usr-local-sbin"
for d in bin sbin; do mkdir -p "$o/$d-upper" "$o/$d-work"; done
chmod 0700 "$o"

# The Linux tools the shims are built on, kept outside the box's /usr/bin.
cp /usr/bin/stat /usr/bin/flock /usr/bin/setsid "$libexec/"

install_shim() { # SHIM TARGET_DIR
  sed "s|@LIBEXEC@|$libexec|g" "$here/shims/$1" >"$2/$1"
  chmod 0755 "$2/$1"
}
for s in stat lockf b64decode; do install_shim "$s" "$o/bin-upper"; done
for s in daemon sha256; do install_shim "$s" "$o/sbin-upper"; done
# Overlay whiteouts (character devices 0/0): the commands FreeBSD does not have.
for s in setsid flock; do mknod "$o/bin-upper/$s" c 0 0; done

# root's login shell: csh-family, as on OPNsense.
awk -F: -v OFS=: '$1 == "root" { $7 = "/usr/bin/tcsh" } { print }' /etc/passwd >"$o/passwd"
chmod 0644 "$o/passwd"

# /conf: root-only, a fresh config with this router's hostname.
mkdir -p "$o/conf/backup"
chmod 0700 "$o/conf"
chmod 0750 "$o/conf/backup"
sed "s|<hostname>fw-1</hostname>|<hostname>$name</hostname>|" "$here/fixtures/config.xml" >"$o/conf/config.xml"
chmod 0640 "$o/conf/config.xml"

cat >"$o/usr-local-sbin/configctl" <<EOF
#!/bin/sh
# configctl of the simulated OPNsense (test/sim/opnsense/configctl.ts).
exec $node --import file://$tsx $here/configctl-main.ts "\$@"
EOF
chmod 0755 "$o/usr-local-sbin/configctl"
# pfctl(8): its two reads, over what `filter reload` loaded (pf.ts); FreeBSD's /sbin is /usr/sbin here.
cat >"$o/sbin-upper/pfctl" <<EOF
#!/bin/sh
exec $node --import file://$tsx $here/pfctl-main.ts "\$@"
EOF
chmod 0755 "$o/sbin-upper/pfctl"
mkdir -p /conf

# shellcheck disable=SC2016 # expanded by the inner sh
nsenter --target "$pid" --mount -- /bin/sh -c '
  set -e
  o="$1"
  mount --bind "$o/passwd" /etc/passwd
  mount --bind "$o/conf" /conf
  mount --bind "$o/usr-local-etc" /usr/local/etc
  mount --bind "$o/usr-local-sbin" /usr/local/sbin
  mount -t overlay overlay -o "lowerdir=/usr/bin,upperdir=$o/bin-upper,workdir=$o/bin-work" /usr/bin
  mount -t overlay overlay -o "lowerdir=/usr/sbin,upperdir=$o/sbin-upper,workdir=$o/sbin-work" /usr/sbin
' sh "$o"
