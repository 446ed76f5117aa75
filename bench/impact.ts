// The routing impact of one changed link on a 1,000-router synthetic mesh (issue 16: "under a
// second on this machine"). The mesh is a 40 x 25 grid with wrap-around rows (a torus in one
// direction) plus a chord every 7th router, so paths have equal-cost alternatives; each router
// has a loopback stub network and each link a /31, all in 198.18.0.0/15 (RFC 2544 benchmarks).
// Runnable alone: `npx tsx bench/impact.ts`; `impactBench()` returns the figures for bench/main.ts.
import { pathToFileURL } from "node:url";
import { impactOf } from "../reconciler/impact/impact.ts";
import type { RoutingInput } from "../reconciler/impact/topology.ts";
import { expandLinks } from "../reconciler/intent/links.ts";
import type { DeviceIntent } from "../reconciler/schema/device.ts";
import type { Link } from "../reconciler/schema/links.ts";

const COLS = 40;
const ROWS = 25;

const addr = (n: number, base: number) => `198.${18 + (base >> 8)}.${(base & 255) + (n >> 8)}.${n & 255}`;

function mesh(costOf: (name: string) => number): RoutingInput {
  const intents: Record<string, DeviceIntent> = {};
  const name = (i: number) => `r${i}`;
  for (let i = 0; i < COLS * ROWS; i++) {
    const lo = `${addr(i, 0)}/32`;
    intents[name(i)] = {
      interfaces: [{ name: "lo", kind: "loopback", addresses: [lo] }],
      ospf: {
        router_id: addr(i, 0),
        instances: [{ name: "o", version: 2, areas: [{ id: "0.0.0.0", stub_networks: [lo] }] }],
      },
    };
  }
  const pairs: [number, number][] = [];
  for (let r = 0; r < ROWS; r++)
    for (let c = 0; c < COLS; c++) {
      const i = r * COLS + c;
      pairs.push([i, r * COLS + ((c + 1) % COLS)]);
      if (r + 1 < ROWS) pairs.push([i, i + COLS]);
      if (i % 7 === 0 && r + 2 < ROWS) pairs.push([i, i + 2 * COLS + 1]);
    }
  const links: Link[] = pairs.map(([a, b], k) => {
    const linkName = `l${a}-${b}`;
    return {
      name: linkName,
      transport: "wireguard",
      // 198.19.0.0/16 in /31s: two addresses per link.
      transfer_nets: [`198.19.${(2 * k) >> 8}.${(2 * k) & 255}/31`],
      ospf: { area: "0.0.0.0", type: "ptp", cost: costOf(linkName) },
      ends: [
        { device: name(a), interface: `wg${b}` },
        { device: name(b), interface: `wg${a}` },
      ],
    };
  });
  return { expanded: expandLinks(intents, links, {}).devices, links };
}

export interface ImpactBenchResult {
  routers: number;
  links: number;
  changedPaths: number;
  ms: number;
}

export function impactBench(): ImpactBenchResult {
  const changed = "l0-1";
  const before = mesh(() => 10);
  const after = mesh((n) => (n === changed ? 1000 : 10));
  // One warm-up run (JIT), then the measured one.
  impactOf(before, after);
  const t0 = performance.now();
  const impact = impactOf(before, after);
  const ms = performance.now() - t0;
  return { routers: COLS * ROWS, links: before.links.length, changedPaths: impact.changes.length, ms };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const r = impactBench();
  process.stdout.write(
    `impact of one link's cost change on a ${r.routers}-router mesh (${r.links} links): ${r.changedPaths} paths changed, ${r.ms.toFixed(0)} ms\n`,
  );
}
