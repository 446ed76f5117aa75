// The drift report as a value: what a drift run covered, each device's state, and each link's
// state, computed from the plan of the fleet (desired = git, live = the devices). Pure; the
// Markdown (markdown.ts) and the JSON file are two renderings of it.

import { reroutedBy } from "../impact/impact.ts";
import type { DevicePlan, Plan } from "../model/plan.ts";
import type { DesiredRepo } from "../model/repo.ts";

export type DeviceDriftState = "in-sync" | "drifted" | "unreachable" | "unsupported";
export type LinkState = "up" | "down" | "drifted";

export interface DeviceDrift {
  device: string;
  platform: string;
  state: DeviceDriftState;
  /** Items that differ from git (configuration and running state). */
  changes: number;
  /** Items on the device that git does not describe. */
  unmanaged: number;
  error?: string;
}

export interface LinkDrift {
  name: string;
  ends: [{ device: string; interface: string }, { device: string; interface: string }];
  state: LinkState;
  /** Why it is down or drifted, e.g. "router-b unreachable", "wireguard[wg-a].mtu". */
  why: string[];
}

export interface DriftReport {
  version: 1;
  ranAt: string;
  origin: string;
  revision?: string;
  /** Devices read (or tried) of the inventory's. */
  covered: { devices: number; of: number };
  devices: DeviceDrift[];
  links: LinkDrift[];
  /** What the down links do to traffic, from the routing model (impact/): links on changed paths. */
  rerouted?: { links: Record<string, "moved" | "lost">; moved: number; unreachable: number };
  totals: Record<DeviceDriftState, number>;
}

function deviceState(d: DevicePlan): DeviceDriftState {
  if (d.status === "error") return d.error?.kind === "UnsupportedPlatform" ? "unsupported" : "unreachable";
  return d.status === "changes" ? "drifted" : "in-sync";
}

/** A change path names an interface as `[name]` after a section: wireguard[wg-b], interfaces[wg-b]. */
const touches = (path: string, ifname: string) => path.includes(`[${ifname}]`);

export function driftReport(
  plan: Plan,
  repo: DesiredRepo,
  meta: { ranAt: Date; revision?: string },
): DriftReport {
  const devices: DeviceDrift[] = plan.devices.map((d) => ({
    device: d.device,
    platform: d.platform,
    state: deviceState(d),
    changes: d.changes.length,
    unmanaged: d.unmanaged.length,
    ...(d.status === "error" && d.error ? { error: d.error.message } : {}),
  }));
  const byName = new Map(plan.devices.map((d) => [d.device, d]));
  const links: LinkDrift[] = [];
  for (const l of repo.links) {
    const [a, b] = l.ends;
    if (!a || !b) continue;
    const ends = [a, b].map((e) => ({ end: e, plan: byName.get(e.device) }));
    // Links whose ends were both left out of the run (--limit) say nothing.
    if (ends.every((e) => !e.plan)) continue;
    const down: string[] = [];
    const drifted: string[] = [];
    for (const { end, plan: p } of ends) {
      if (!p) continue;
      if (p.status === "error") down.push(`${end.device} unreachable`);
      for (const c of p.changes.filter((c) => touches(c.path, end.interface)))
        (c.path.startsWith("runtime.") ? down : drifted).push(`${end.device}: ${c.path}`);
    }
    links.push({
      name: l.name,
      ends: [
        { device: a.device, interface: a.interface },
        { device: b.device, interface: b.interface },
      ],
      state: down.length > 0 ? "down" : drifted.length > 0 ? "drifted" : "up",
      why: [...down, ...drifted],
    });
  }
  const totals: Record<DeviceDriftState, number> = {
    "in-sync": 0,
    drifted: 0,
    unreachable: 0,
    unsupported: 0,
  };
  for (const d of devices) totals[d.state]++;
  const down = links.filter((l) => l.state === "down").map((l) => l.name);
  const rerouted = down.length > 0 ? reroutedBy(repo, down) : undefined;
  return {
    version: 1,
    ranAt: meta.ranAt.toISOString(),
    origin: plan.origin,
    ...(meta.revision ? { revision: meta.revision } : {}),
    covered: { devices: devices.length, of: Object.keys(repo.devices).length },
    devices,
    links,
    ...(rerouted ? { rerouted } : {}),
    totals,
  };
}
