import { describe, expect, it } from "vitest";
import { healthProbes } from "../../reconciler/apply/expectations.ts";
import { loadExample } from "../helpers/example-repo.ts";

describe("health probes from the desired state", () => {
  it("asks router-a for its mesh neighbours, its tunnels proven after the commit, and their networks", async () => {
    const { repo } = await loadExample();
    if (!repo) throw new Error("example invalid");
    expect(healthProbes(repo, "router-a")).toEqual([
      { kind: "ospf-adjacency", interface: "wg-b", routerId: "192.0.2.194" },
      { kind: "ospf-adjacency", interface: "wg-c", routerId: "192.0.2.195" },
      // The peer's transfer address: the health check pings it through the tunnel.
      {
        kind: "wireguard-tunnel",
        interface: "wg-b",
        publicKey: repo.publicKeys["router-b"]?.["wg-a"],
        probe: "203.0.113.1",
      },
      {
        kind: "wireguard-tunnel",
        interface: "wg-c",
        publicKey: repo.publicKeys["router-c"]?.["wg-a"],
        probe: "203.0.113.3",
      },
      ...[
        "192.0.2.128/26",
        "192.0.2.194/32",
        "192.0.2.195/32",
        "192.0.2.64/26",
        "198.51.100.16/29",
        "198.51.100.8/29",
        "2001:db8:b::/64",
        "2001:db8:c::/64",
        "2001:db8:ffff::2/128",
        "2001:db8:ffff::3/128",
      ].map((prefix) => ({ kind: "route", prefix })),
    ]);
  });

  it("asks nothing of a device without links", async () => {
    const { repo } = await loadExample();
    if (!repo) throw new Error("example invalid");
    expect(healthProbes(repo, "oob-1")).toEqual([]);
  });
});
