// The out-of-band path is the path of last resort: the devices whose management VPN changes go
// one site per wave (each wave confirmed before the next); other devices fill the waves as usual;
// a changed link joining two sites' management VPNs is refused. And which plans count as such.
import { describe, expect, it } from "vitest";
import type { DevicePlan, Plan } from "../../../reconciler/model/plan.ts";
import type { DesiredRepo } from "../../../reconciler/model/repo.ts";
import { outOfBandChanges } from "../../../reconciler/rollout/out-of-band.ts";
import { OrderError, orderWaves } from "../../../reconciler/rollout/waves.ts";
import { testDevice } from "../../helpers/device.ts";

const devices = {
  "oob-1": testDevice("oob-1", { platform: "opengear", labels: { site: "pop-1" } }),
  "oob-2": testDevice("oob-2", { platform: "opengear", labels: { site: "pop-2" } }),
  "oob-3": testDevice("oob-3", { platform: "opengear", labels: { site: "pop-1" } }),
  "core-1": testDevice("core-1", { labels: { site: "pop-1" } }),
};

describe("out-of-band changes in the fleet order", () => {
  it("one site per wave: pop-1's two boxes together, pop-2's in the next wave", () => {
    const waves = orderWaves({
      changed: ["core-1", "oob-1", "oob-2", "oob-3"],
      devices,
      links: [],
      outOfBand: ["oob-1", "oob-2", "oob-3"],
    });
    expect(waves.map((w) => w.devices)).toEqual([["core-1", "oob-1", "oob-3"], ["oob-2"]]);
  });

  it("devices whose management VPN does not change are not held apart", () => {
    const waves = orderWaves({ changed: ["oob-1", "oob-2"], devices, links: [], outOfBand: [] });
    expect(waves.map((w) => w.devices)).toEqual([["oob-1", "oob-2"]]);
  });

  it("a changed link between two sites' management VPNs is refused, naming both sites", () => {
    expect(() =>
      orderWaves({
        changed: ["oob-1", "oob-2"],
        devices,
        links: [["oob-1", "oob-2"]],
        outOfBand: ["oob-1", "oob-2"],
      }),
    ).toThrow(OrderError);
    expect(() =>
      orderWaves({
        changed: ["oob-1", "oob-2"],
        devices,
        links: [["oob-1", "oob-2"]],
        outOfBand: ["oob-1", "oob-2"],
      }),
    ).toThrow(/pop-1 and pop-2/);
  });

  it("a change of the management_vpn section, or of the WireGuard interface it names, counts", () => {
    const dp = (device: string, paths: string[]): DevicePlan => ({
      device,
      platform: "opengear",
      status: paths.length > 0 ? "changes" : "unchanged",
      changes: paths.map((path) => ({ device, path, action: "update", before: 1, after: 2 })),
      files: [],
      unmanaged: [],
    });
    const plan: Plan = {
      version: 1,
      createdAt: "2026-11-30T00:00:00Z",
      origin: "test",
      devices: [
        dp("oob-1", ["wireguard[wg-mgmt].peers[x].endpoint"]),
        dp("oob-2", ["management_vpn.type"]),
        dp("oob-3", ["snmp.location", "wireguard[wg-other].mtu"]),
        dp("core-1", []),
      ],
    };
    const vpn = { management_vpn: { type: "wireguard" as const, interface: "wg-mgmt" } };
    const repo = {
      expanded: { "oob-1": vpn, "oob-2": vpn, "oob-3": vpn, "core-1": {} },
    } as unknown as DesiredRepo;
    expect(outOfBandChanges(plan, repo)).toEqual(["oob-1", "oob-2"]);
  });
});
