// Where the Debian driver keeps what it manages. One place, so render, read and apply agree.
import type { DeviceLayout } from "../kit/layout.ts";

/** Where the apply protocol keeps its lock, runs and notices (kit/layout.ts). */
export const DEBIAN_LAYOUT: DeviceLayout = { stateDir: "/var/lib/reconciler" };

export const BIRD_CONF = "/etc/bird/bird.conf";
export const FRR_CONF = "/etc/frr/frr.conf";
export const SYSCTL_CONF = "/etc/sysctl.d/90-reconciler.conf";
export const IFUPDOWN_CONF = "/etc/network/interfaces.d/reconciler";
export const WIREGUARD_DIR = "/etc/wireguard";
/** Root-only directory of the private keys generated on the device; never read by the reconciler. */
export const WIREGUARD_KEY_DIR = "/etc/wireguard/keys";
/** Root-only directory of the routing daemons' secrets (written at apply time from the environment). */
export const BIRD_SECRET_DIR = "/etc/bird/secrets";

export function wireguardConfPath(ifname: string): string {
  return `${WIREGUARD_DIR}/${ifname}.conf`;
}

export function wireguardKeyPath(ifname: string): string {
  return `${WIREGUARD_KEY_DIR}/${ifname}.key`;
}

/** The interface a /etc/wireguard/<if>.conf path configures, or undefined for any other path. */
export function wireguardConfName(path: string): string | undefined {
  const m = /^\/etc\/wireguard\/([a-zA-Z0-9_=+.-]{1,15})\.conf$/.exec(path);
  return m?.[1];
}

/** Pseudo-paths of command outputs in LiveState.artifacts. */
export const CMD_WG_DUMP = "cmd:wg show all dump";
export const CMD_IP_ADDR = "cmd:ip -j -d addr show";
export const CMD_SYSCTL = "cmd:sysctl -n net.ipv4.ip_forward net.ipv6.conf.all.forwarding";
export const CMD_FRR_RUNNING = "cmd:vtysh -c 'show running-config'";
/** Running state, not configuration: read for drift, left out of the fingerprint. */
export const CMD_BIRD_PROTOCOLS = "cmd:birdc show protocols";

/** The first line of every file the reconciler writes, in each format's comment syntax. */
export const MANAGED_MARK = "Managed by reconciler";
