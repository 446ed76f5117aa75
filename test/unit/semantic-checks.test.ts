// Every semantic check fails on a broken variant of the example network, at the right file and
// line, and the example network itself passes them all.
import { describe, expect, it } from "vitest";
import { errorsOf, expectDiagnostic, lineContaining } from "../helpers/diagnostics.ts";
import { type Edit, exampleFiles, loadExample, replaceOnce } from "../helpers/example-repo.ts";

const INV = "inventory/inventory.yaml";
const KEYS = "inventory/wireguard-keys.yaml";
const LINKS = "desired/links.yaml";
const A = "desired/router-a.yaml";

interface Case {
  name: string;
  edits: Record<string, Edit>;
  file: string;
  /** Text on the line the diagnostic must point at (in the edited file). */
  at?: string;
  message: RegExp;
  severity?: "error" | "warning";
}

const cases: Case[] = [
  {
    name: "a link end names an unknown device",
    edits: {
      [LINKS]: replaceOnce("device: tower-1, interface: wg-core", "device: tower-9, interface: wg-core"),
    },
    file: LINKS,
    at: "tower-9",
    message: /unknown device "tower-9"/,
  },
  {
    name: "a serial port is cabled to an unknown device",
    edits: { "desired/oob-1.yaml": replaceOnce("connected_to: router-a", "connected_to: router-z") },
    file: "desired/oob-1.yaml",
    at: "router-z",
    message: /unknown device "router-z"/,
  },
  {
    name: "via names an unknown device",
    edits: { [INV]: replaceOnce("via: core-1", "via: core-9") },
    file: INV,
    at: "via: core-9",
    message: /unknown device "core-9"/,
  },
  {
    name: "via chains loop",
    edits: { [INV]: replaceOnce("    groups: [core]\n", "    groups: [core]\n    via: tower-1\n") },
    file: INV,
    at: "via: tower-1",
    message: /loops back/,
  },
  {
    name: "a desired file for a device the inventory does not have",
    edits: { "desired/ghost.yaml": "description: nobody\n" },
    file: "desired/ghost.yaml",
    message: /no device named "ghost" in the inventory/,
  },
  {
    name: "a device in an unknown group",
    edits: { [INV]: replaceOnce("    groups: [core]", "    groups: [cores]") },
    file: INV,
    at: "groups: [cores]",
    message: /unknown group "cores"/,
  },
  {
    name: "two devices share a management address",
    edits: { [INV]: replaceOnce("host: 198.51.100.131", "host: 198.51.100.130") },
    file: INV,
    at: "host: 198.51.100.130\n    groups: [mesh]\n    labels:\n      site: site-b",
    message: /router-b and router-a have the same management address/,
  },
  {
    name: "credentials name two ways to authenticate",
    edits: {
      [INV]: replaceOnce(
        "    key_file_env: RECONCILER_SSH_KEY\n",
        "    key_file_env: RECONCILER_SSH_KEY\n    agent: true\n",
      ),
    },
    file: INV,
    message: /name 2 ways to authenticate/,
  },
  {
    name: "the ends of a link disagree on the OSPF dead interval",
    edits: {
      [LINKS]: replaceOnce(
        "device: router-b, interface: wg-a, listen_port: 51820, endpoint: 198.51.100.65, link_local: fe80::ab:2/64 }",
        "device: router-b, interface: wg-a, listen_port: 51820, endpoint: 198.51.100.65, link_local: fe80::ab:2/64, ospf: { dead: 40 } }",
      ),
    },
    file: LINKS,
    at: "ospf: { dead: 40 }",
    message: /disagree on OSPF dead: router-a 20, router-b 40; the adjacency would never form/,
  },
  {
    name: "the ends of a link disagree on the OSPF hello interval",
    edits: {
      [LINKS]: replaceOnce(
        "device: fw-1, interface: wg0 }",
        "device: fw-1, interface: wg0, ospf: { hello: 5 } }",
      ),
    },
    file: LINKS,
    at: "ospf: { hello: 5 }",
    message: /disagree on OSPF hello: core-1 10, fw-1 5/,
  },
  {
    name: "the ends of a link disagree on the OSPF area",
    edits: {
      [LINKS]: replaceOnce(
        "device: tower-1, interface: wg-core }",
        "device: tower-1, interface: wg-core, ospf: { area: 0.0.0.1 } }",
      ),
    },
    file: LINKS,
    at: "area: 0.0.0.1",
    message: /disagree on OSPF area/,
  },
  {
    name: "the ends of a link disagree on the OSPF network type",
    edits: {
      [LINKS]: replaceOnce(
        "device: tower-1, interface: wg-core }",
        "device: tower-1, interface: wg-core, ospf: { type: broadcast } }",
      ),
    },
    file: LINKS,
    at: "type: broadcast",
    message: /disagree on OSPF type/,
  },
  {
    name: "the ends of a link disagree on the MTU",
    edits: {
      [LINKS]: replaceOnce("device: fw-1, interface: wg0 }", "device: fw-1, interface: wg0, mtu: 1400 }"),
    },
    file: LINKS,
    at: "mtu: 1400",
    message: /disagree on the MTU: core-1 1420, fw-1 1400/,
  },
  {
    name: "both ends of a link on one device",
    edits: {
      [LINKS]: replaceOnce("device: tower-1, interface: wg-core }", "device: core-1, interface: wg-core }"),
    },
    file: LINKS,
    at: "device: core-1, interface: wg-core",
    message: /both ends of link core-tower are on core-1/,
  },
  {
    name: "neither end of a link can be dialled",
    edits: {
      [LINKS]: replaceOnce(
        "{ device: core-1, interface: wg-tower, listen_port: 51821, endpoint: 198.51.100.70 }",
        "{ device: core-1, interface: wg-tower }",
      ),
    },
    file: LINKS,
    message: /neither end of link core-tower can be dialled/,
  },
  {
    name: "an end with an endpoint but no listen port",
    edits: {
      [LINKS]: replaceOnce(
        "device: fw-1, interface: wg0 }",
        "device: fw-1, interface: wg0, endpoint: 198.51.100.33 }",
      ),
    },
    file: LINKS,
    at: "endpoint: 198.51.100.33",
    message: /fw-1 has an endpoint but does not listen/,
  },
  {
    name: "a transfer net that is not a /31",
    edits: { [LINKS]: replaceOnce("transfer_nets: [203.0.113.8/31]", "transfer_nets: [203.0.113.8/30]") },
    file: LINKS,
    at: "203.0.113.8/30",
    message: /transfer net 203.0.113.8\/30 is a \/30/,
  },
  {
    name: "overlapping transfer nets",
    edits: { [LINKS]: replaceOnce("transfer_nets: [203.0.113.8/31]", "transfer_nets: [203.0.113.4/31]") },
    file: LINKS,
    at: "transfer_nets: [203.0.113.4/31]\n    mtu: 1420\n    persistent_keepalive",
    message: /transfer net 203.0.113.4\/31 of link core-tower overlaps 203.0.113.4\/31 of link b-c/,
  },
  {
    name: "a LAN address inside a transfer net",
    edits: {
      [A]: replaceOnce("addresses: [198.51.100.1/29]", "addresses: [198.51.100.1/29, 203.0.113.3/32]"),
    },
    file: A,
    at: "203.0.113.3/32",
    message: /overlaps transfer net 203.0.113.2\/31 of link a-c/,
  },
  {
    name: "a LAN prefix that contains transfer nets",
    edits: {
      [A]: replaceOnce("addresses: [198.51.100.1/29]", "addresses: [198.51.100.1/29, 203.0.113.100/25]"),
    },
    file: A,
    at: "203.0.113.100/25",
    message:
      /203.0.113.100\/25 on router-a br-backbone overlaps transfer net 203.0.113.8\/31 of link core-tower/,
  },
  {
    name: "an address configured on two devices",
    edits: {
      "desired/router-b.yaml": replaceOnce("addresses: [192.0.2.194/32", "addresses: [192.0.2.193/32"),
    },
    file: "desired/router-b.yaml",
    at: "192.0.2.193/32, 2001",
    message: /address 192.0.2.193 is configured on router-a lo .* and on router-b lo/,
  },
  {
    name: "a WireGuard listen port used twice on one device",
    edits: {
      [LINKS]: replaceOnce(
        "device: router-a, interface: wg-c, listen_port: 51821",
        "device: router-a, interface: wg-c, listen_port: 51820",
      ),
    },
    file: LINKS,
    at: "interface: wg-c, listen_port: 51820",
    message: /listen port 51820 is already used by wg-b on router-a/,
  },
  {
    name: "a router id used twice",
    edits: { "desired/router-c.yaml": replaceOnce("router_id: 192.0.2.195", "router_id: 192.0.2.193") },
    file: "desired/router-c.yaml",
    at: "router_id: 192.0.2.193",
    message: /router id 192.0.2.193 is also used by router-a/,
  },
  {
    name: "an interface name longer than Linux allows",
    edits: {
      [LINKS]: replaceOnce(
        "device: router-a, interface: wg-b,",
        "device: router-a, interface: wg-to-router-b-x,",
      ),
      [KEYS]: replaceOnce("    wg-b: j/mi", "    wg-to-router-b-x: j/mi"),
    },
    file: LINKS,
    at: "wg-to-router-b-x",
    message: /interface name "wg-to-router-b-x" is refused by debian/,
  },
  {
    name: "a WireGuard interface name OPNsense refuses",
    edits: {
      [LINKS]: replaceOnce("device: fw-1, interface: wg0 }", "device: fw-1, interface: wg-core }"),
      [KEYS]: replaceOnce("    wg0: 4iTk", "    wg-core: 4iTk"),
    },
    file: LINKS,
    at: "device: fw-1, interface: wg-core",
    message: /refused by opnsense/,
  },
  {
    name: "an interface name used twice in a device file",
    edits: { [A]: replaceOnce("  - name: br-backbone", "  - name: br-lan") },
    file: A,
    at: "  - name: br-lan\n    kind: bridge\n    description: site A backbone",
    message: /router-a already has an interface br-lan \(desired\/router-a.yaml:\d+\)/,
  },
  {
    name: "a device file's interface named like a link's",
    edits: { [A]: replaceOnce("  - name: br-backbone", "  - name: wg-b") },
    file: A,
    at: "  - name: wg-b",
    message:
      /wg-b is the interface of link a-b \(desired\/links.yaml:\d+\); the device file cannot configure it again as an interface/,
  },
  {
    name: "a device file's WireGuard interface named like a link's",
    edits: {
      [A]: (t) => `${t}wireguard:\n  - name: wg-c\n    listen_port: 51900\n    peers: []\n`,
    },
    file: A,
    at: "  - name: wg-c",
    message: /wg-c is the interface of link a-c .* as a WireGuard interface/,
  },
  {
    name: "a device file's OSPF settings for a link's interface (the link's are dead 20)",
    edits: {
      [A]: replaceOnce(
        "          stub_networks: [192.0.2.0/26, 198.51.100.0/29, 192.0.2.193/32]\n",
        "          stub_networks: [192.0.2.0/26, 198.51.100.0/29, 192.0.2.193/32]\n" +
          "          interfaces:\n            - { name: wg-b, hello: 10, dead: 40 }\n",
      ),
    },
    file: A,
    at: "name: wg-b, hello: 10, dead: 40",
    message: /wg-b is the interface of link a-b .* as an OSPF interface of mesh4 area 0.0.0.0/,
  },
  {
    name: "a link runs OSPF to a device without OSPF",
    edits: {
      "desired/tower-1.yaml": (t) => t.replace(/\nospf:\n[\s\S]*?\nbgp:/, "\nbgp:"),
    },
    file: LINKS,
    message: /link core-tower runs OSPF but tower-1 has no OSPF instance/,
  },
  {
    name: "OSPFv3 on a link end without a link-local address",
    edits: {
      [LINKS]: replaceOnce(
        "endpoint: 198.51.100.64, link_local: fe80::ab:1/64 }",
        "endpoint: 198.51.100.64 }",
      ),
    },
    file: LINKS,
    at: "endpoint: 198.51.100.64 }",
    message: /router-a runs OSPFv3 on link a-b but its end has no link-local address/,
  },
  {
    name: "a link-local address outside fe80::/10",
    edits: { [LINKS]: replaceOnce("link_local: fe80::ab:1/64", "link_local: 2001:db8::ab:1/64") },
    file: LINKS,
    at: "2001:db8::ab:1/64",
    message: /is not an IPv6 link-local address/,
  },
  {
    name: "a section the platform does not manage",
    edits: { [A]: (t) => `${t}firewall:\n  rules: []\n` },
    file: A,
    at: "firewall:",
    message: /firewall is not managed on platform debian/,
  },
  {
    name: "a Debian router with OSPF but no routing daemon",
    edits: { [A]: replaceOnce("routing_daemon: bird\n", "") },
    file: A,
    at: "ospf:",
    message: /must say which daemon runs them/,
  },
  {
    name: "a raw bird snippet on an FRR router",
    edits: { "desired/core-1.yaml": replaceOnce("  frr: |", "  bird: |") },
    file: "desired/core-1.yaml",
    at: "bird: |",
    message: /raw bird needs routing_daemon: bird/,
  },
  {
    name: "a raw RouterOS line on a Debian router",
    edits: { [A]: (t) => `${t}raw:\n  routeros: ["/ip dns set servers=192.0.2.53"]\n` },
    file: A,
    at: "routeros:",
    message: /raw routeros does not apply to platform debian/,
  },
  {
    name: "OSPFv3 IPv4 address family on FRR",
    edits: {
      "desired/core-1.yaml": replaceOnce(
        "      version: 2\n",
        "      version: 3\n      address_family: ipv4\n",
      ),
    },
    file: "desired/core-1.yaml",
    at: "address_family: ipv4",
    message: /FRR's ospf6d carries IPv6 only/,
  },
  {
    name: "a dead interval not longer than hello",
    edits: {
      "desired/core-1.yaml": replaceOnce(
        "              passive: true\n",
        "              passive: true\n              hello: 10\n              dead: 10\n",
      ),
    },
    file: "desired/core-1.yaml",
    at: "dead: 10",
    message: /dead interval 10 is not longer than hello interval 10/,
  },
  {
    name: "an OSPF interface the device does not have",
    edits: {
      "desired/core-1.yaml": replaceOnce("            - name: lo\n", "            - name: loop9\n"),
    },
    file: "desired/core-1.yaml",
    at: "name: loop9",
    message: /OSPF interface loop9 is not an interface of this device/,
  },
  {
    name: "a static route with no next hop",
    edits: { "desired/core-1.yaml": replaceOnce("    blackhole: true\n", "") },
    file: "desired/core-1.yaml",
    at: "- prefix: 192.0.2.0/24",
    message: /route 192.0.2.0\/24 has no next hop/,
  },
  {
    name: "a firewall rule naming an unknown alias",
    edits: { "desired/fw-1.yaml": replaceOnce("destination: rdp_servers", "destination: rdp_farm") },
    file: "desired/fw-1.yaml",
    at: "destination: rdp_farm",
    message: /unknown alias "rdp_farm"/,
  },
  {
    name: "a firewall alias with an entry of the wrong kind",
    edits: {
      "desired/fw-1.yaml": replaceOnce(
        "content: [192.0.2.225, 192.0.2.226]",
        "content: [192.0.2.225, 192.0.2.0/24]",
      ),
    },
    file: "desired/fw-1.yaml",
    at: "content: [192.0.2.225, 192.0.2.0/24]",
    message: /"192.0.2.0\/24" is not a valid host entry/,
  },
  {
    name: "a peer's allowed IPs hold its own endpoint (the tunnel routed into itself)",
    edits: {
      "desired/oob-1.yaml": replaceOnce(
        "allowed_ips: [198.51.100.112/28]",
        "allowed_ips: [198.51.100.112/28, 198.51.100.128/26]",
      ),
    },
    file: "desired/oob-1.yaml",
    at: "allowed_ips: [198.51.100.112/28, 198.51.100.128/26]",
    message: /allowed IP 198.51.100.128\/26 holds the peer's own endpoint 198.51.100.129/,
  },
  {
    name: "two peers of one interface claim the same allowed IPs",
    edits: {
      "desired/fw-1.yaml": replaceOnce(
        "        allowed_ips: [203.0.113.130/32]\n",
        "        allowed_ips: [203.0.113.130/32]\n      - public_key: iGQvJvWjzAlDYbTVmwLeL/PnOt+fAfkCnSp1OXCOMHg=\n        allowed_ips: [203.0.113.128/30]\n",
      ),
    },
    file: "desired/fw-1.yaml",
    at: "203.0.113.128/30",
    message: /allowed IP 203.0.113.128\/30 overlaps 203.0.113.130\/32/,
  },
  {
    name: "SNMP enabled without a community or v3 user",
    edits: { "desired/oob-1.yaml": (t) => t.replace(/ {2}v3_users:\n( {4}.*\n)+/, "") },
    file: "desired/oob-1.yaml",
    at: "snmp:",
    message: /SNMP is enabled with no community and no v3 user/,
  },
  {
    name: "a management VPN on an interface that is not WireGuard",
    edits: { "desired/oob-2.yaml": replaceOnce("  interface: wg-mgmt", "  interface: wwan0") },
    file: "desired/oob-2.yaml",
    at: "interface: wwan0\nsnmp",
    message: /wwan0 is not a WireGuard interface of this device/,
  },
  {
    name: "two serial ports with the same number",
    edits: { "desired/oob-1.yaml": replaceOnce("  - port: 2", "  - port: 1") },
    file: "desired/oob-1.yaml",
    at: "  - port: 1\n    label: router-a",
    message: /serial port 1 is configured twice/,
  },
  {
    name: "a public key recorded for an unknown device",
    edits: { [KEYS]: (t) => `${t}  ghost:\n    wg0: 4iTkNb1jiCU5qLOcmlZwvCaFWE+tmfEhsSSMWJh8yVI=\n` },
    file: KEYS,
    at: "ghost:",
    message: /unknown device "ghost"/,
  },
  {
    name: "two interfaces with the same public key",
    edits: {
      [KEYS]: replaceOnce(
        "wg-c: z1q7DImQeomKxUFRjcr63+4PW8KkHRL+y9HTDDHqxTs=",
        "wg-c: j/miH2I9YXQ9m09gxeqElEm7enQqe9f37VWtV2f/Zgw=",
      ),
    },
    file: KEYS,
    at: "wg-c: j/mi",
    message: /share a private key/,
  },
  {
    name: "a missing public key leaves the peer out, with a warning",
    edits: {
      [KEYS]: replaceOnce("  tower-1:\n    wg-core: WfEgVzsm62EaNa7lvwPZ8WY/a5Nl5EzJJWoixM1iaEA=\n", ""),
    },
    file: LINKS,
    at: "{ device: core-1, interface: wg-tower",
    message: /public key of tower-1 wg-core is not recorded yet/,
    severity: "warning",
  },
  {
    name: "a device file ending in .yml",
    edits: { "desired/extra.yml": "description: typo\n" },
    file: "desired/extra.yml",
    message: /ends in \.yml and is not read/,
  },
  {
    name: "the inventory is missing",
    edits: { [INV]: undefined },
    file: INV,
    message: /the inventory file is missing/,
  },
  {
    name: "an unreadable known_hosts line",
    edits: { "inventory/known_hosts": "198.51.100.130 ssh-dss AAAAB3NzaC1kc3M=\n" },
    file: "inventory/known_hosts",
    line: 1,
    message: /unreadable known_hosts line: key type "ssh-dss"/,
  } as Case & { line: number },
  {
    name: "a hashed known_hosts entry",
    edits: {
      "inventory/known_hosts":
        "# pinned\n|1|c2FsdA==|aGFzaA== ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHEQMlgFUzkbZE2hmBuI/vp38sbrjzTVoYBn8KR3LlEe\n",
    },
    file: "inventory/known_hosts",
    line: 2,
    message: /hashed host name/,
  } as Case & { line: number },
  {
    name: "a stale known_hosts entry, with a warning",
    edits: {
      "inventory/known_hosts":
        "198.51.100.99 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHEQMlgFUzkbZE2hmBuI/vp38sbrjzTVoYBn8KR3LlEe\n",
    },
    file: "inventory/known_hosts",
    line: 1,
    message: /host key for 198.51.100.99, which is no device of the inventory/,
    severity: "warning",
  } as Case & { line: number },
  {
    name: "a WireGuard private key pasted into a raw snippet",
    edits: {
      "desired/core-1.yaml": replaceOnce(
        "    log syslog informational\n",
        "    log syslog informational\n    ! PrivateKey = mBXD7N6/XoCUdQ8rkKwGyOiNUjXm/Mc6ijfEY4WoQ1E=\n",
      ),
    },
    file: "desired/core-1.yaml",
    at: "PrivateKey =",
    message: /WireGuard PrivateKey line is in the repository/,
  },
  {
    name: "an OpenSSH private key committed under inventory/",
    edits: {
      "inventory/id_ed25519":
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
    },
    file: "inventory/id_ed25519",
    line: 1,
    message: /private key is in the repository/,
  } as Case & { line: number },
];

describe("semantic checks", () => {
  it("the example network passes every check with no warning", async () => {
    const result = await loadExample();
    expect(result.diagnostics).toEqual([]);
    expect(Object.keys(result.repo?.devices ?? {})).toHaveLength(8);
  });

  for (const c of cases) {
    it(`rejects ${c.name}`, async () => {
      const result = await loadExample(c.edits);
      const files = exampleFiles();
      for (const [p, e] of Object.entries(c.edits)) {
        if (typeof e === "string") files.set(p, e);
        else if (typeof e === "function") files.set(p, e(files.get(p) ?? ""));
      }
      const line =
        (c as { line?: number }).line ?? (c.at ? lineContaining(files.get(c.file) ?? "", c.at) : undefined);
      const d = expectDiagnostic(result.diagnostics, {
        file: c.file,
        message: c.message,
        severity: c.severity ?? "error",
        ...(line !== undefined ? { line } : {}),
      });
      expect(d.expected ?? d.message).toBeTruthy();
      if ((c.severity ?? "error") === "error") expect(result.repo).toBeUndefined();
      else expect(errorsOf(result.diagnostics)).toEqual([]);
    });
  }

  it("accepts a pinned key for a device on a non-standard port", async () => {
    const result = await loadExample({
      "inventory/inventory.yaml": replaceOnce(
        "    host: 198.51.100.136\n",
        "    host: 198.51.100.136\n    port: 2222\n",
      ),
      "inventory/known_hosts":
        "[198.51.100.136]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHEQMlgFUzkbZE2hmBuI/vp38sbrjzTVoYBn8KR3LlEe\n",
    });
    expect(result.diagnostics).toEqual([]);
  });

  it("lets the ends of a link differ in cost, which OSPF allows", async () => {
    const result = await loadExample({
      [LINKS]: replaceOnce(
        "device: fw-1, interface: wg0 }",
        "device: fw-1, interface: wg0, ospf: { cost: 30 } }",
      ),
    });
    expect(errorsOf(result.diagnostics)).toEqual([]);
    const fwOspf = result.repo?.expanded["fw-1"]?.ospf?.instances[0]?.areas[0]?.interfaces;
    expect(fwOspf?.find((i) => i.name === "wg0")?.cost).toBe(30);
    const coreOspf = result.repo?.expanded["core-1"]?.ospf?.instances[0]?.areas[0]?.interfaces;
    expect(coreOspf?.find((i) => i.name === "wg-fw")?.cost).toBe(10);
  });

  it("collects problems from several files in one run", async () => {
    const result = await loadExample({
      [A]: replaceOnce("routing_daemon: bird\n", ""),
      "desired/router-c.yaml": replaceOnce("router_id: 192.0.2.195", "router_id: 192.0.2.193"),
      [LINKS]: replaceOnce("transfer_nets: [203.0.113.8/31]", "transfer_nets: [203.0.113.8/30]"),
    });
    const files = new Set(errorsOf(result.diagnostics).map((d) => d.file));
    expect(files).toEqual(new Set([A, "desired/router-c.yaml", LINKS]));
  });
});
