#!/usr/bin/env bash
# Install the Debian packages the router lab (test/lab/lab.sh) needs.
# Idempotent: does nothing when everything is already installed.
#
# The lab starts its own sshd/bird/FRR inside network namespaces; the host's
# own services of these packages are neither needed nor relied upon, so after
# installing we stop them if some init system started them.
set -euo pipefail

PACKAGES=(
  openssh-server openssh-client
  wireguard-go wireguard-tools
  bird2
  frr frr-pythontools
  iproute2 procps util-linux iputils-ping jq
  # test/sim/opnsense: root's csh-family login shell on the simulated OPNsense
  tcsh
  # test/sim/opengear: its SNMP agent (net-snmp, as on the box) and the test's snmpget
  snmpd snmp
  # test/lab/systemd: a Debian root filesystem booted with systemd (the production revert timer)
  debootstrap systemd-container
  # test/e2e/conventions-cli: the completion scripts checked by the shells they are for
  zsh fish
  # test/unit/cli/man-page: docs/reconciler.1 rendered by man and groff without a warning
  man-db groff-base
)

if [[ "$(id -u)" != 0 ]]; then
  echo "lab-packages.sh: must run as root (it installs Debian packages)" >&2
  exit 1
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$pkg")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "lab-packages.sh: all lab packages are installed"
  exit 0
fi

echo "lab-packages.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# policy-rc.d exit 101 keeps maintainer scripts from starting services
# (relevant on machines where an init system runs; harmless elsewhere).
policy=/usr/sbin/policy-rc.d
created_policy=0
if [[ ! -e "$policy" ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 0755 "$policy"
  created_policy=1
fi
cleanup() { if [[ "$created_policy" == 1 ]]; then rm -f "$policy"; fi; }
trap cleanup EXIT

apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"

# Make sure no host-wide daemon of these packages is running: the lab starts
# its own per-router copies and must not talk to a host one by accident.
if [[ "$(ps -p 1 -o comm=)" == systemd ]]; then
  for svc in ssh bird frr snmpd; do
    systemctl disable --now "$svc" >/dev/null 2>&1 || true
  done
else
  # No systemd (e.g. containers): the policy-rc.d above already kept
  # maintainer scripts from starting anything; stop via init scripts anyway.
  for svc in ssh bird frr snmpd; do
    if [[ -x "/etc/init.d/$svc" ]]; then
      "/etc/init.d/$svc" stop >/dev/null 2>&1 || true
    fi
  done
fi
echo "lab-packages.sh: done"
