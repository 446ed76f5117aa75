import { describe, expect, it } from "vitest";
import { healthExpectations } from "../../reconciler/apply/expectations.ts";
import { loadExample } from "../helpers/example-repo.ts";

describe("health expectations", () => {
  it("expects router-a's mesh neighbours, their handshakes and their networks", async () => {
    const { repo } = await loadExample();
    if (!repo) throw new Error("example invalid");
    expect(healthExpectations(repo, "router-a")).toEqual({
      ospfNeighbors: [
        { interface: "wg-b", routerId: "192.0.2.194" },
        { interface: "wg-c", routerId: "192.0.2.195" },
      ],
      wireguardPeers: [
        // The peer's transfer address: the health check pings it through the tunnel.
        { interface: "wg-b", publicKey: repo.publicKeys["router-b"]?.["wg-a"], probe: "203.0.113.1" },
        { interface: "wg-c", publicKey: repo.publicKeys["router-c"]?.["wg-a"], probe: "203.0.113.3" },
      ],
      routes: [
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
      ],
    });
  });

  it("expects nothing of a device without links", async () => {
    const { repo } = await loadExample();
    if (!repo) throw new Error("example invalid");
    expect(healthExpectations(repo, "oob-1")).toEqual({ ospfNeighbors: [], wireguardPeers: [], routes: [] });
  });
});
