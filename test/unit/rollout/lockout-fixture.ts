// A two-device topology for the lockout analysis: core-1 reached directly at its management
// address, tower-1 reached through core-1 at its loopback, over the tunnel between them. Plans
// are computed by the real semantic diff, so the changes have the shapes the planner emits.
import type { DevicePlan, Plan } from "../../../reconciler/model/plan.ts";
import type { DesiredRepo, ResolvedDevice } from "../../../reconciler/model/repo.ts";
import { diffStates } from "../../../reconciler/plan/diff.ts";
import type { DeviceIntent } from "../../../reconciler/schema/device.ts";
import { testDevice } from "../../helpers/device.ts";

export const KEY_CORE = "XXKoN58A8Jsu60NYAsxubzGXX+1K/z8oKYjEx+PI6jQ=";
export const KEY_TOWER = "iyKVpaLwCMZ5P4j1ZQk8Olz4S1hb3VV867kesNs9WQM=";

export const coreState = (): DeviceIntent => ({
  interfaces: [{ name: "mgmt0", kind: "ethernet", addresses: ["192.0.2.1/24"] }],
  wireguard: [
    {
      name: "wg-tower",
      addresses: ["203.0.113.4/31"],
      peers: [{ public_key: KEY_TOWER, allowed_ips: ["0.0.0.0/0"] }],
    },
  ],
  ospf: {
    router_id: "192.0.2.1",
    instances: [
      { name: "mesh", version: 2, areas: [{ id: "0.0.0.0", interfaces: [{ name: "wg-tower", cost: 10 }] }] },
    ],
  },
});

export const towerState = (): DeviceIntent => ({
  interfaces: [{ name: "lo", kind: "loopback", addresses: ["198.51.100.150/32"] }],
  wireguard: [
    {
      name: "wg-core",
      addresses: ["203.0.113.5/31"],
      peers: [{ public_key: KEY_CORE, allowed_ips: ["0.0.0.0/0"] }],
    },
  ],
});

export type States = Record<string, DeviceIntent>;

export const liveStates = (): States => ({ "core-1": coreState(), "tower-1": towerState() });

export function repoOf(
  desired: States,
  hosts: Partial<Record<string, Partial<ResolvedDevice>>> = {},
): DesiredRepo {
  return {
    origin: "test",
    devices: {
      "core-1": testDevice("core-1", { host: "192.0.2.1", ...hosts["core-1"] }),
      "tower-1": testDevice("tower-1", { host: "198.51.100.150", via: "core-1", ...hosts["tower-1"] }),
    },
    links: [],
    publicKeys: { "core-1": { "wg-tower": KEY_CORE }, "tower-1": { "wg-core": KEY_TOWER } },
    expanded: desired,
  };
}

/** The plan from live to desired, with the tunnels owned by the reconciler (it may delete them). */
export function planOf(desired: States, live: States): Plan {
  const owned = new Set(["wireguard[wg-tower]", "wireguard[wg-core]"]);
  const devices: DevicePlan[] = Object.keys(live).map((device) => {
    const { changes, unmanaged } = diffStates(desired[device], live[device], { device, owned });
    return {
      device,
      platform: "debian",
      status: changes.length ? "changes" : "unchanged",
      changes,
      files: [],
      unmanaged,
    };
  });
  return { version: 1, createdAt: "2026-01-01T00:00:00Z", origin: "test", devices };
}
