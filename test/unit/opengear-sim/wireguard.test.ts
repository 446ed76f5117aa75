// The WireGuard effects (commands recorded, not run) and the keys against the wg tool.
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { genPrivateKey, publicKeyOf } from "../../sim/opengear/wg-keys.ts";
import { applyWireguard, type Run } from "../../sim/opengear/wireguard.ts";

function recorder(existing: string[] = []): { run: Run; calls: string[] } {
  const calls: string[] = [];
  const run: Run = (cmd, args) => {
    calls.push([cmd, ...args].join(" "));
    if (cmd === "wg" && args[0] === "show" && args[1] === "interfaces")
      return { ok: true, out: existing.join(" "), err: "" };
    if (cmd === "ip" && args[0] === "link" && args[1] === "show" && args[2] === "dev")
      return { ok: existing.includes(args[3] as string), out: "", err: "" };
    return { ok: true, out: "", err: "" };
  };
  return { run, calls };
}

const dir = mkdtempSync(join(tmpdir(), "ogsim-wg-"));

describe("management VPN effects", () => {
  it("an enabled tunnel: wireguard-go, key, peers, addresses, up, routes to the peers' networks", () => {
    const { run, calls } = recorder(["wg-old"]);
    const key = genPrivateKey();
    const errs = applyWireguard(
      [
        {
          name: "wg-mgmt",
          enabled: true,
          private_key: key,
          listen_port: 51821,
          mtu: 1420,
          addresses: ["198.51.100.113/28"],
          peers: [
            {
              public_key: "iGQvJvWjzAlDYbTVmwLeL/PnOt+fAfkCnSp1OXCOMHg=",
              endpoint_address: "198.51.100.133",
              endpoint_port: 51820,
              allowed_ips: ["198.51.100.112/28", "198.51.100.128/26"],
              persistent_keepalive: 25,
            },
          ],
        },
      ],
      run,
      dir,
    );
    expect(errs).toEqual([]);
    expect(calls).toEqual(
      expect.arrayContaining([
        "ip link del dev wg-old",
        "wireguard-go wg-mgmt",
        `wg set wg-mgmt private-key ${join(dir, `.wg-private-${process.pid}`)} listen-port 51821`,
        "wg set wg-mgmt peer iGQvJvWjzAlDYbTVmwLeL/PnOt+fAfkCnSp1OXCOMHg= allowed-ips 198.51.100.112/28,198.51.100.128/26 endpoint 198.51.100.133:51820 persistent-keepalive 25",
        "ip addr add 198.51.100.113/28 dev wg-mgmt",
        "ip link set dev wg-mgmt up",
        "ip route replace 198.51.100.128/26 dev wg-mgmt",
      ]),
    );
    // the tunnel's own subnet is on the interface already: no route for it
    expect(calls).not.toContain("ip route replace 198.51.100.112/28 dev wg-mgmt");
  });

  it("a disabled tunnel loses its interface", () => {
    const { run, calls } = recorder(["wg-mgmt"]);
    applyWireguard([{ name: "wg-mgmt", enabled: false, peers: [] }], run, dir);
    expect(calls).toContain("ip link del dev wg-mgmt");
    expect(calls).not.toContain("wireguard-go wg-mgmt");
  });

  it("keys: the public key is what `wg pubkey` says", () => {
    const priv = genPrivateKey();
    let wg: string;
    try {
      wg = execFileSync("wg", ["pubkey"], { input: priv, encoding: "utf8" }).trim();
    } catch {
      return; // wireguard-tools absent: the lab packages are not installed here
    }
    expect(publicKeyOf(priv)).toBe(wg);
  });
});
