// The management VPN made real in the lab namespace: after every change, the stored tunnels
// (`wireguards`) are made the kernel's, with Debian's wireguard-go, wg and ip (a real box runs
// the kernel module; the commands' effect is the same). Per enabled tunnel: the interface
// created when missing, private key and listen port set, peers set and stale ones removed,
// addresses, MTU, a route per peer allowed IP outside the tunnel's own subnets, up. Tunnels
// deleted or disabled lose their interface. Every value reaches the tools as an argument.
import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Obj } from "./values.ts";

export type Run = (cmd: string, args: string[], input?: string) => { ok: boolean; out: string; err: string };

export const realRun: Run = (cmd, args, input) => {
  const r = spawnSync(cmd, args, { input: input ?? "", encoding: "utf8", timeout: 15_000 });
  return { ok: r.status === 0, out: r.stdout ?? "", err: r.stderr ?? String(r.error ?? "") };
};

/** The network of an IPv4 CIDR (IPv6 kept as given). */
export function subnetOf(cidr: string): string {
  const [addr, len] = cidr.split("/");
  if (!addr || !len || addr.includes(":")) return cidr;
  const n = addr.split(".").reduce((a, o) => a * 256 + Number(o), 0);
  const bits = Number(len);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const net = (n & mask) >>> 0;
  return `${[24, 16, 8, 0].map((s) => (net >>> s) & 255).join(".")}/${len}`;
}

function currentWgLinks(run: Run): string[] {
  const r = run("ip", ["-o", "link", "show", "type", "wireguard"]);
  // wireguard-go makes a tun device, not a "wireguard" link: ask wg instead.
  const w = run("wg", ["show", "interfaces"]);
  const names = new Set<string>();
  for (const l of r.out.split("\n")) {
    const m = /^\d+: ([^:@]+)/.exec(l);
    if (m?.[1]) names.add(m[1]);
  }
  for (const n of w.out.trim().split(/\s+/)) if (n) names.add(n);
  return [...names];
}

/**
 * Make the kernel follow TUNNELS; returns the errors (printed by ogcli as warnings). Keys go to
 * `wg` through files in KEY_DIR (root-only, removed at once): `wg` cannot open /dev/stdin when it
 * is a socket, which node's pipes are.
 */
export function applyWireguard(tunnels: Obj[], run: Run = realRun, keyDir = "/etc/config"): string[] {
  const keyFile = (name: string, key: unknown) => {
    const p = join(keyDir, `.${name}-${process.pid}`);
    writeFileSync(p, `${String(key)}\n`, { mode: 0o600 });
    return p;
  };
  const errors: string[] = [];
  const check = (r: { ok: boolean; err: string }, what: string) => {
    if (!r.ok) errors.push(`${what}: ${r.err.trim()}`);
  };
  const want = tunnels.filter((t) => t.enabled === true);
  const wantNames = new Set(want.map((t) => String(t.name)));
  for (const dev of currentWgLinks(run)) if (!wantNames.has(dev)) run("ip", ["link", "del", "dev", dev]);
  for (const t of want) {
    const dev = String(t.name);
    if (!run("ip", ["link", "show", "dev", dev]).ok) check(run("wireguard-go", [dev]), `wireguard-go ${dev}`);
    const priv = keyFile("wg-private", t.private_key);
    const set = ["set", dev, "private-key", priv];
    if (typeof t.listen_port === "number" && t.listen_port > 0)
      set.push("listen-port", String(t.listen_port));
    try {
      check(run("wg", set), `wg set ${dev}`);
    } finally {
      rmSync(priv, { force: true });
    }
    const peers = (t.peers as Obj[]) ?? [];
    const wantPeers = new Set(peers.map((p) => String(p.public_key)));
    const have = run("wg", ["show", dev, "peers"]).out.trim().split(/\s+/).filter(Boolean);
    for (const p of have) if (!wantPeers.has(p)) run("wg", ["set", dev, "peer", p, "remove"]);
    for (const p of peers) {
      const args = ["set", dev, "peer", String(p.public_key)];
      const allowed = (p.allowed_ips as string[]) ?? [];
      args.push("allowed-ips", allowed.join(","));
      if (p.endpoint_address) args.push("endpoint", `${p.endpoint_address}:${p.endpoint_port || 51820}`);
      if (typeof p.persistent_keepalive === "number")
        args.push("persistent-keepalive", String(p.persistent_keepalive));
      const psk = p.preshared_key ? keyFile("wg-psk", p.preshared_key) : undefined;
      if (psk) args.push("preshared-key", psk);
      try {
        check(run("wg", args), `wg set ${dev} peer`);
      } finally {
        if (psk) rmSync(psk, { force: true });
      }
    }
    const addrs = (t.addresses as string[]) ?? [];
    const cur = run("ip", ["-o", "addr", "show", "dev", dev])
      .out.split("\n")
      .map((l) => /\binet6? (\S+)/.exec(l)?.[1])
      .filter((a): a is string => !!a && !a.startsWith("fe80:"));
    for (const a of cur) if (!addrs.includes(a)) run("ip", ["addr", "del", a, "dev", dev]);
    for (const a of addrs)
      if (!cur.includes(a)) check(run("ip", ["addr", "add", a, "dev", dev]), `address ${a}`);
    if (typeof t.mtu === "number" && t.mtu > 0)
      check(run("ip", ["link", "set", "dev", dev, "mtu", String(t.mtu)]), "mtu");
    check(run("ip", ["link", "set", "dev", dev, "up"]), `link up ${dev}`);
    const own = new Set(addrs.map(subnetOf));
    for (const p of peers)
      for (const a of (p.allowed_ips as string[]) ?? []) {
        const net = subnetOf(a);
        if (!own.has(net) && !net.endsWith("/0")) run("ip", ["route", "replace", net, "dev", dev]);
      }
  }
  return errors;
}
