// `npm run bench`: how the reconciler's own work grows with the fleet, without any device:
// load + validate + expand, render, and plan for synthetic WireGuard/bird meshes of increasing
// size. Prints wall and CPU time per step and the per-device cost relative to the smallest fleet
// (the baseline of this same run): about 1.0x means linear growth.
import { cpuUsage, hrtime } from "node:process";
import { debianDriver } from "../reconciler/drivers/debian/driver.ts";
import { DESCRIPTORS } from "../reconciler/drivers/descriptors.ts";
import { loadRepo } from "../reconciler/load/load.ts";
import type { LiveState } from "../reconciler/model/live.ts";
import { plan } from "../reconciler/plan/planner.ts";
import { MemoryReader } from "../test/helpers/example-repo.ts";

const SIZES = [50, 200, 800];

/** A ring of n routers plus a chord every 4th router: 1.25 links per router, all in documentation ranges. */
function fleet(n: number): Map<string, string> {
  const files = new Map<string, string>();
  const name = (i: number) => `r${i}`;
  const inv = ["defaults:", "  user: root", "  credentials: { agent: true }", "devices:"];
  for (let i = 0; i < n; i++) {
    inv.push(
      `  ${name(i)}:`,
      "    platform: debian",
      `    host: 198.51.${100 + Math.floor(i / 250)}.${(i % 250) + 1}`,
    );
    const lo = `2001:db8:ffff::${(i + 1).toString(16)}`;
    files.set(
      `desired/${name(i)}.yaml`,
      [
        "routing_daemon: bird",
        "interfaces:",
        `  - { name: lo, kind: loopback, addresses: [${lo}/128] }`,
        "ospf:",
        `  router_id: 192.0.${Math.floor(i / 256)}.${i % 256}`,
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
  const links = ["links:"];
  const pairs: [number, number][] = [];
  for (let i = 0; i < n; i++) pairs.push([i, (i + 1) % n]);
  for (let i = 0; i < n; i += 4) pairs.push([i, (i + n / 2) % n]);
  pairs.forEach(([a, b], k) => {
    const net = `2001:db8:${(k >> 16).toString(16)}:${(k & 0xffff).toString(16)}::/127`;
    links.push(
      `  - name: l${k}`,
      "    transport: wireguard",
      `    transfer_nets: [${net}]`,
      "    ospf: { cost: 10, hello: 5, dead: 20 }",
      "    ends:",
      `      - { device: ${name(a)}, interface: wg${k}, listen_port: ${20000 + (k % 40000)}, endpoint: 198.51.100.1, link_local: fe80::1/64 }`,
      `      - { device: ${name(b)}, interface: wg${k}, listen_port: ${20000 + (k % 40000)}, endpoint: 198.51.100.2, link_local: fe80::2/64 }`,
    );
  });
  files.set("desired/links.yaml", `${links.join("\n")}\n`);
  return files;
}

interface Figure {
  wallMs: number;
  cpuMs: number;
}

async function measure<T>(fn: () => Promise<T> | T): Promise<[T, Figure]> {
  const cpu = cpuUsage();
  const start = hrtime.bigint();
  const result = await fn();
  const wallMs = Number(hrtime.bigint() - start) / 1e6;
  const used = cpuUsage(cpu);
  return [result, { wallMs, cpuMs: (used.user + used.system) / 1000 }];
}

// Warm-up: the first load compiles the schemas and JITs the code; keep that out of the baseline.
await loadRepo(new MemoryReader(fleet(20)), { descriptors: DESCRIPTORS });

const rows: { n: number; step: string; fig: Figure }[] = [];
for (const n of SIZES) {
  const [loaded, load] = await measure(() =>
    loadRepo(new MemoryReader(fleet(n)), { descriptors: DESCRIPTORS }),
  );
  const repo = loaded.repo;
  if (!repo) throw new Error(`the synthetic fleet of ${n} is invalid: ${loaded.diagnostics[0]?.message}`);
  rows.push({ n, step: "load+validate+expand", fig: load });
  const devices = Object.values(repo.devices);
  const empty = (device: string): LiveState => ({
    device,
    platform: "debian",
    state: {},
    artifacts: {},
    publicKeys: {},
    fingerprint: "",
  });
  const [, render] = await measure(() =>
    devices.map((d) => debianDriver.candidate(repo.expanded[d.name] ?? {}, d, empty(d.name))),
  );
  rows.push({ n, step: "render", fig: render });
  const [, planned] = await measure(() =>
    plan(
      devices.map((d) => ({ device: d, desired: repo.expanded[d.name] ?? {}, live: empty(d.name) })),
      { origin: "bench", drivers: { debian: debianDriver } },
    ),
  );
  rows.push({ n, step: "plan (all new)", fig: planned });
}

const base = new Map(rows.filter((r) => r.n === SIZES[0]).map((r) => [r.step, r.fig.wallMs / r.n]));
console.log("devices  step                    wall ms    cpu ms   per device   vs baseline");
for (const r of rows) {
  const per = r.fig.wallMs / r.n;
  const ratio = per / (base.get(r.step) ?? per);
  console.log(
    `${String(r.n).padStart(7)}  ${r.step.padEnd(22)} ${r.fig.wallMs.toFixed(1).padStart(8)} ${r.fig.cpuMs.toFixed(1).padStart(9)} ${per.toFixed(3).padStart(9)} ms ${ratio.toFixed(2).padStart(10)}x`,
  );
}
