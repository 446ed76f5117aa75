// The loader records, per device, the WireGuard tunnels whose allowed IPs its platform routes
// (the lockout analysis judges only those): an Opengear routes every tunnel; a Debian tunnel only
// with "table: auto" (unset renders "Table = off", routing left to bird or FRR).
import { describe, expect, it } from "vitest";
import { loadExample } from "../helpers/example-repo.ts";

describe("routedTunnels", () => {
  it("the example: the out-of-band boxes' management VPNs, none of the mesh's tunnels", async () => {
    const { repo } = await loadExample();
    expect(repo?.routedTunnels).toEqual({ "oob-1": ["wg-mgmt"], "oob-2": ["wg-mgmt"] });
  });

  it("a Debian tunnel with table: auto is routed by wg-quick", async () => {
    const tunnel = (name: string, table: string) =>
      [
        `  - name: ${name}`,
        ...(table ? [`    table: ${table}`] : []),
        "    addresses: [192.0.2.250/31]",
        "    peers:",
        "      - public_key: iGQvJvWjzAlDYbTVmwLeL/PnOt+fAfkCnSp1OXCOMHg=",
        "        allowed_ips: [192.0.2.251/32]",
      ].join("\n");
    const { repo, diagnostics } = await loadExample({
      "desired/router-a.yaml": (t) => `${t}\nwireguard:\n${tunnel("wg-x", "auto")}\n`,
    });
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(repo?.routedTunnels?.["router-a"]).toEqual(["wg-x"]);
    const off = await loadExample({
      "desired/router-a.yaml": (t) => `${t}\nwireguard:\n${tunnel("wg-x", "")}\n`,
    });
    expect(off.repo?.routedTunnels?.["router-a"]).toBeUndefined();
  });
});
