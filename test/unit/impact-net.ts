// Synthetic networks for the impact tests: routers with a loopback (a stub network in OSPF) and
// links between them, expanded by the same code the loader uses (intent/links.ts).

import type { RoutingInput } from "../../reconciler/impact/topology.ts";
import { expandLinks } from "../../reconciler/intent/links.ts";
import type { DeviceIntent } from "../../reconciler/schema/device.ts";
import type { Link } from "../../reconciler/schema/links.ts";

export interface SynLink {
  a: string;
  b: string;
  cost?: number;
  /** The b end's own cost, when it differs. */
  costB?: number;
  area?: string;
  name?: string;
}

/** 192.0.2.n/32 for the n-th router (1-based), enough for the small synthetic networks. */
export const loopback = (i: number) => `192.0.2.${i}/32`;

export function router(
  i: number,
  extra: Partial<DeviceIntent> = {},
  areas: string[] = ["0.0.0.0"],
): DeviceIntent {
  return {
    interfaces: [{ name: "lo", kind: "loopback", addresses: [loopback(i)] }],
    ospf: {
      router_id: loopback(i).slice(0, -3),
      instances: [
        {
          name: "v2",
          version: 2,
          areas: areas.map((id, k) => (k === 0 ? { id, stub_networks: [loopback(i)] } : { id })),
        },
      ],
    },
    ...extra,
  };
}

export function link(l: SynLink, n: number): Link {
  return {
    name: l.name ?? `${l.a}-${l.b}`,
    transport: "wireguard",
    // 198.51.100.0/24 carved in /31s: one per link.
    transfer_nets: [`198.51.100.${2 * n}/31`],
    ospf: { area: l.area ?? "0.0.0.0", type: "ptp", cost: l.cost ?? 10 },
    ends: [
      { device: l.a, interface: `wg-${l.b}` },
      { device: l.b, interface: `wg-${l.a}`, ...(l.costB !== undefined ? { ospf: { cost: l.costB } } : {}) },
    ],
  };
}

/** Routers r1..rN (loopback 192.0.2.i/32) and the links given, expanded as git would be. */
export function network(
  routers: Record<string, DeviceIntent>,
  links: SynLink[],
): RoutingInput & { raw: Record<string, DeviceIntent>; linkList: Link[] } {
  const linkList = links.map(link);
  const { devices } = expandLinks(routers, linkList, {});
  return { expanded: devices, links: linkList, raw: routers, linkList };
}

export function named(n: number): Record<string, DeviceIntent> {
  const out: Record<string, DeviceIntent> = {};
  for (let i = 1; i <= n; i++) out[`r${i}`] = router(i);
  return out;
}
