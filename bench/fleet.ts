// The benchmark's fleet: n Debian routers running bird, joined in a ring of WireGuard links with
// OSPFv3 over them (plus, optionally, a chord every 4th router). Generated as repository files
// (inventory/, desired/) so the real loader, planner and CLI see them as they would a real repo.
// Addresses: the devices' management addresses come from the caller (198.18.0.0/15 in the
// benchmark); everything inside the desired state is from the documentation ranges.
import { createHash } from "node:crypto";

export interface FleetOptions {
  /** Management address (and port) of device i. */
  host: (i: number) => { host: string; port?: number };
  /** Add a chord every 4th router (the pure planner's denser mesh); default: a plain ring. */
  chords?: boolean;
  /** Where the repo's known_hosts pins each device; empty lines are left out. */
  knownHosts?: string[];
  /** The environment variable naming the SSH key file (inventory credentials). */
  keyEnv?: string;
}

export const deviceName = (i: number) => `r${i}`;

/** A valid-looking, deterministic WireGuard public key (32 bytes, base64) for a device's interface. */
export function fakePublicKey(device: string, ifname: string): string {
  return createHash("sha256").update(`${device}/${ifname}`).digest("base64");
}

export interface Link {
  k: number;
  a: number;
  b: number;
  ifname: string;
  port: number;
  net: string;
}

/** The links of the fleet: i -- i+1 around the ring, and chords i -- i+n/2 every 4th router. */
export function links(n: number, chords = false): Link[] {
  const pairs: [number, number][] = [];
  if (n === 2) pairs.push([0, 1]);
  else if (n > 2) for (let i = 0; i < n; i++) pairs.push([i, (i + 1) % n]);
  if (chords) for (let i = 0; i < n; i += 4) pairs.push([i, (i + Math.floor(n / 2)) % n]);
  return pairs
    .filter(([a, b]) => a !== b)
    .map(([a, b], k) => ({
      k,
      a,
      b,
      ifname: `wg${k}`,
      port: 20000 + (k % 40000),
      net: `2001:db8:${(k >> 16).toString(16)}:${(k & 0xffff).toString(16)}::/127`,
    }));
}

export const loopback = (i: number) => `2001:db8:ffff::${(i + 1).toString(16)}`;
/** Unique up to 65,000 routers, in the benchmark range (198.19.0.0/16, the management addresses being in 198.18.0.0/16). */
export const routerId = (i: number) => `198.19.${(i + 1) >> 8}.${(i + 1) & 255}`;

/** The repository files (path -> text) of an n-router fleet. */
export function fleetFiles(n: number, opts: FleetOptions): Map<string, string> {
  const files = new Map<string, string>();
  const credentials = opts.keyEnv ? `{ key_file_env: ${opts.keyEnv} }` : "{ agent: true }";
  const inv = ["defaults:", "  user: root", `  credentials: ${credentials}`, "devices:"];
  for (let i = 0; i < n; i++) {
    const { host, port } = opts.host(i);
    inv.push(`  ${deviceName(i)}:`, "    platform: debian", `    host: ${host}`);
    if (port !== undefined) inv.push(`    port: ${port}`);
    const lo = loopback(i);
    files.set(
      `desired/${deviceName(i)}.yaml`,
      [
        "routing_daemon: bird",
        "interfaces:",
        `  - { name: lo, kind: loopback, addresses: [${lo}/128] }`,
        "ospf:",
        `  router_id: ${routerId(i)}`,
        "  instances:",
        "    - name: mesh6",
        "      version: 3",
        "      areas:",
        "        - id: 0.0.0.0",
        `          stub_networks: [${lo}/128]`,
        "",
      ].join("\n"),
    );
  }
  files.set("inventory/inventory.yaml", `${inv.join("\n")}\n`);
  const ls = links(n, opts.chords);
  const text = ["links:"];
  const keys = ["keys:"];
  const byDevice = new Map<number, string[]>();
  for (const l of ls) {
    text.push(
      `  - name: l${l.k}`,
      "    transport: wireguard",
      `    transfer_nets: [${l.net}]`,
      "    ospf: { cost: 10, hello: 5, dead: 20 }",
      "    ends:",
      `      - { device: ${deviceName(l.a)}, interface: ${l.ifname}, listen_port: ${l.port}, endpoint: 203.0.113.1, link_local: fe80::1/64 }`,
      `      - { device: ${deviceName(l.b)}, interface: ${l.ifname}, listen_port: ${l.port}, endpoint: 203.0.113.2, link_local: fe80::2/64 }`,
    );
    for (const d of [l.a, l.b]) byDevice.set(d, [...(byDevice.get(d) ?? []), l.ifname]);
  }
  for (const [d, ifs] of [...byDevice].sort((x, y) => x[0] - y[0])) {
    keys.push(`  ${deviceName(d)}:`);
    for (const f of ifs) keys.push(`    ${f}: ${fakePublicKey(deviceName(d), f)}`);
  }
  files.set("desired/links.yaml", `${text.join("\n")}\n`);
  files.set("inventory/wireguard-keys.yaml", `${keys.join("\n")}\n`);
  files.set("inventory/known_hosts", `${(opts.knownHosts ?? []).filter(Boolean).join("\n")}\n`);
  return files;
}
