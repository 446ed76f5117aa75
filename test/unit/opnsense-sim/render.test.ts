// The renderers: config.xml to the files OPNsense's templates write (FRR's frr.conf, WireGuard's
// wg<instance>.conf), on the example's fw-1 (WireGuard to core-1, OSPF on the tunnel, iBGP).
import { describe, expect, it } from "vitest";
import { configureFw1 } from "../../sim/opnsense/example.ts";
import { wireguardModel } from "../../sim/opnsense/model.ts";
import { renderFrr } from "../../sim/opnsense/render-frr.ts";
import { renderWireguard } from "../../sim/opnsense/render-wg.ts";
import { parseXml } from "../../sim/opnsense/xml.ts";
import { fixtureText, KEYS } from "./helpers.ts";

function fw1() {
  const root = parseXml(fixtureText());
  configureFw1(root, KEYS);
  return root;
}

describe("FRR template", () => {
  it("renders nothing routing-wise while the plugin's services are disabled", () => {
    const conf = renderFrr(parseXml(fixtureText()));
    expect(conf).toBe("frr defaults traditional\nlog syslog notifications\nip forwarding\nipv6 forwarding\n");
  });

  it("renders OSPF: per-interface settings on the device, router-id, networks as ipaddr/netmask", () => {
    const conf = renderFrr(fw1());
    expect(conf).toContain(
      [
        "interface wg0",
        "  ip ospf network point-to-point",
        "  ip ospf cost 10",
        "  ip ospf dead-interval 40",
        "  ip ospf hello-interval 10",
        "router ospf",
        " ospf router-id 192.0.2.197",
        " network 203.0.113.6/31 area 0.0.0.0",
      ].join("\n"),
    );
  });

  it("renders passive interfaces from the comma-separated list, by device", () => {
    const root = fw1();
    const ospf = root.children.find((c) => c.name === "OPNsense")?.children.find((c) => c.name === "quagga");
    const passive = ospf?.children
      .find((c) => c.name === "ospf")
      ?.children.find((c) => c.name === "passiveinterfaces");
    if (!passive) throw new Error("fixture lacks passiveinterfaces");
    passive.text = "lan,opt1";
    expect(renderFrr(root)).toContain(
      "interface eth-core\n  ip ospf passive\ninterface wg0\n  ip ospf passive\n",
    );
  });

  it("renders BGP: AS, the fixed defaults, neighbours and their address-family options", () => {
    const conf = renderFrr(fw1());
    expect(conf).toContain(
      [
        "router bgp 64500",
        " no bgp default ipv4-unicast",
        " no bgp ebgp-requires-policy",
        " bgp network import-check",
        " bgp router-id 192.0.2.197",
        " neighbor 203.0.113.6 remote-as 64500",
        " neighbor 203.0.113.6 description core-1 route reflector",
        " neighbor 203.0.113.6 update-source wg0",
        " address-family ipv4 unicast",
        "  neighbor 203.0.113.6 activate",
        "  neighbor 203.0.113.6 next-hop-self",
        " exit-address-family",
        " address-family ipv6 unicast",
        " exit-address-family",
      ].join("\n"),
    );
  });
});

describe("WireGuard template", () => {
  it("renders one wg<instance>.conf per enabled instance with its enabled peers", () => {
    const files = renderWireguard(wireguardModel(fw1()));
    expect(files.map((f) => f.path)).toEqual(["/usr/local/etc/wireguard/wg0.conf"]);
    const conf = files[0]?.content ?? "";
    expect(conf).toContain(`[Interface]\nPrivateKey = ${KEYS.privkey}\n`);
    expect(conf).not.toContain("ListenPort");
    expect(conf).toContain(
      `[Peer]\n# friendly_name = core-1\nPublicKey = ${KEYS.corePubkey}\nEndpoint = 198.51.100.70:51820\n\nAllowedIPs = 0.0.0.0/0\nPersistentKeepalive = 25\n`,
    );
    expect(conf).toContain("# Address =  203.0.113.7/31\n");
  });

  it("renders an empty file when WireGuard is disabled, and port 51820 for a peer without one", () => {
    const root = fw1();
    const m = wireguardModel(root);
    expect(renderWireguard({ ...m, enabled: false })).toEqual([
      { path: "/usr/local/etc/wireguard/wg0.conf", content: "" },
    ]);
    expect(renderWireguard({ ...m, servers: [] })).toEqual([]);
    const noPort = { ...m, clients: m.clients.map((c) => ({ ...c, serverport: "" })) };
    expect(renderWireguard(noPort)[0]?.content).toContain("Endpoint = 198.51.100.70:51820\n");
    const disabledPeer = { ...m, clients: m.clients.map((c) => ({ ...c, enabled: false })) };
    expect(renderWireguard(disabledPeer)[0]?.content).not.toContain("[Peer]");
  });
});
