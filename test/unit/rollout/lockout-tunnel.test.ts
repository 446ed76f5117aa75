// Lockout analysis, rules 4 and 5 (reconciler/rollout/lockout/tunnel.ts): an out-of-band box
// reached over its own management VPN, whose hub would have to follow a change first; and a
// tunnel whose allowed IPs would swallow the replies to the reconciler.
import { describe, expect, it } from "vitest";
import type { DevicePlan, Plan } from "../../../reconciler/model/plan.ts";
import type { DesiredRepo } from "../../../reconciler/model/repo.ts";
import { diffStates } from "../../../reconciler/plan/diff.ts";
import { lockoutFindings } from "../../../reconciler/rollout/lockout.ts";
import type { DeviceIntent } from "../../../reconciler/schema/device.ts";
import { testDevice } from "../../helpers/device.ts";

const HUB = "iGQvJvWjzAlDYbTVmwLeL/PnOt+fAfkCnSp1OXCOMHg=";
const HUB_NEW = "XXKoN58A8Jsu60NYAsxubzGXX+1K/z8oKYjEx+PI6jQ=";

const box = (tunnel: boolean, peer: Record<string, unknown> = {}): DeviceIntent => ({
  interfaces: [{ name: "net1", kind: "ethernet", addresses: ["192.0.2.10/24"] }],
  ...(tunnel
    ? {
        wireguard: [
          {
            name: "wg-mgmt",
            addresses: ["198.51.100.113/28"],
            peers: [
              {
                public_key: HUB,
                endpoint: "203.0.113.1:51820",
                allowed_ips: ["198.51.100.112/28"],
                persistent_keepalive: 25,
                ...peer,
              },
            ],
          },
        ],
      }
    : {}),
});

function findings(
  live: DeviceIntent,
  desired: DeviceIntent,
  host: string,
  sources?: string[],
  routed: string[] = ["wg-mgmt"],
) {
  const { changes, unmanaged } = diffStates(desired, live, {
    device: "oob-1",
    owned: new Set(["wireguard[wg-mgmt]"]),
  });
  const device: DevicePlan = {
    device: "oob-1",
    platform: "opengear",
    status: changes.length ? "changes" : "unchanged",
    changes,
    files: [],
    unmanaged,
  };
  const plan: Plan = { version: 1, createdAt: "2026-11-30T00:00:00Z", origin: "test", devices: [device] };
  const repo: DesiredRepo = {
    origin: "test",
    devices: { "oob-1": testDevice("oob-1", { host, platform: "opengear" }) },
    links: [],
    publicKeys: {},
    expanded: { "oob-1": desired },
    routedTunnels: { "oob-1": routed },
  };
  return lockoutFindings({ repo, plan, waves: [["oob-1"]], ...(sources ? { sources } : {}) });
}

describe("rule 4: the management VPN that carries the reconciler's own path", () => {
  const overVpn = "198.51.100.113";

  it("refuses a new hub key: the tunnel is down until the hub follows", () => {
    const f = findings(box(true), box(true, { public_key: HUB_NEW }), overVpn);
    expect(f).toHaveLength(1);
    expect(f[0]?.device).toBe("oob-1");
    expect(f[0]?.path).toBe("reconciler → oob-1 (198.51.100.113:22)");
    expect(f[0]?.message).toMatch(
      /^oob-1 is reached over its own tunnel wg-mgmt \(198.51.100.113\), whose other end must follow this change: make this change over another path .* or pass --allow-lockout$/,
    );
  });

  it("refuses a new endpoint and changed allowed IPs", () => {
    expect(findings(box(true), box(true, { endpoint: "203.0.113.2:51820" }), overVpn)).toHaveLength(1);
    const f = findings(box(true), box(true, { allowed_ips: ["198.51.100.112/29"] }), overVpn);
    expect(f[0]?.change).toContain("allowed_ips");
  });

  it("lets a keepalive change through, and the same key change when the box is reached outside the tunnel", () => {
    expect(findings(box(true), box(true, { persistent_keepalive: 20 }), overVpn)).toEqual([]);
    expect(findings(box(true), box(true, { public_key: HUB_NEW }), "192.0.2.10")).toEqual([]);
  });
});

describe("rule 5: replies to the reconciler routed into a tunnel", () => {
  const direct = "192.0.2.10";
  const reconciler = ["198.51.100.129"];

  it("refuses a new tunnel whose allowed IPs hold the reconciler's address", () => {
    const f = findings(box(false), box(true, { allowed_ips: ["198.51.100.128/26"] }), direct, reconciler);
    expect(f).toHaveLength(1);
    expect(f[0]?.message).toMatch(
      /^oob-1 would route its replies to 198.51.100.129 into wg-mgmt \(allowed IP 198.51.100.128\/26 of peer iGQv.*\): leave 198.51.100.129 out of the tunnel's allowed IPs, or reach oob-1 through that tunnel, or pass --allow-lockout$/,
    );
  });

  it("refuses allowed IPs widened onto the reconciler on an existing tunnel", () => {
    const f = findings(
      box(true),
      box(true, { allowed_ips: ["198.51.100.112/28", "198.51.100.129/32"] }),
      direct,
      reconciler,
    );
    expect(f.map((x) => x.change)).toEqual([expect.stringContaining("allowed_ips")]);
  });

  it("finds nothing when the tunnel leaves the reconciler out, or the sources are not known", () => {
    expect(findings(box(false), box(true), direct, reconciler)).toEqual([]);
    expect(findings(box(false), box(true, { allowed_ips: ["198.51.100.128/26"] }), direct)).toEqual([]);
  });

  it("finds nothing when a more specific connected prefix keeps the replies on the interface", () => {
    const withLan = (tunnel: boolean, peer: Record<string, unknown> = {}): DeviceIntent => ({
      ...box(tunnel, peer),
      interfaces: [{ name: "net1", kind: "ethernet", addresses: ["192.0.2.10/24", "198.51.100.136/26"] }],
    });
    expect(
      findings(withLan(false), withLan(true, { allowed_ips: ["198.51.100.0/24"] }), direct, reconciler),
    ).toEqual([]);
  });

  it("does not judge a tunnel whose routes the platform leaves to a routing daemon (Table = off)", () => {
    expect(
      findings(box(false), box(true, { allowed_ips: ["198.51.100.128/26"] }), direct, reconciler, []),
    ).toEqual([]);
  });

  it("judges only what the plan changes: a tunnel already live as it is was how the path worked", () => {
    const live = box(true, { allowed_ips: ["198.51.100.128/26"] });
    expect(findings(live, live, direct, reconciler)).toEqual([]);
  });
});
