// `reconciler import`: the desired YAML a Debian router's live state becomes. Each section from
// parsed device text, defaults left out, secrets named by variables and never written, what
// links.yaml defines left out; and the round trip: for the example's Debian routers, render ->
// parse -> import -> load -> plan against the same live state shows no changes.
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { importDevice } from "../../../reconciler/adopt/import.ts";
import { envName } from "../../../reconciler/adopt/secrets.ts";
import { liveStateFrom } from "../../../reconciler/drivers/debian/live-state.ts";
import { normalizeDebian } from "../../../reconciler/drivers/debian/normalize.ts";
import { routingFrom } from "../../../reconciler/drivers/debian/parse.ts";
import {
  CMD_FRR_RUNNING,
  CMD_IP_ADDR,
  CMD_SYSCTL,
  CMD_WG_DUMP,
  FRR_CONF,
} from "../../../reconciler/drivers/debian/paths.ts";
import { renderDebian } from "../../../reconciler/drivers/debian/render.ts";
import type { LiveState } from "../../../reconciler/model/live.ts";
import type { DeviceIntent } from "../../../reconciler/schema/device.ts";
import { testDevice } from "../../helpers/device.ts";
import { exampleFiles, loadExample } from "../../helpers/example-repo.ts";
import { birdEdge, DEBIAN_ROUTERS, example, fixture, KEY_A, KEY_B } from "../debian/helpers.ts";
import { diagLine, filesWith, liveRunning, loadOk, planOne } from "./helpers.ts";

const yamlOf = (text: string) => parseDocument(text).toJS() as DeviceIntent;

describe("import: the round trip on the example's Debian routers", () => {
  it.each(DEBIAN_ROUTERS)("%s: render -> parse -> import -> load -> plan shows no changes", async (name) => {
    const repo = await example();
    const live = liveRunning(name, repo.expanded[name] as DeviceIntent);
    const imported = importDevice(live, repo);
    expect(imported.path).toBe(`desired/${name}.yaml`);
    expect(imported.text.split("\n")[0]).toBe(
      "# yaml-language-server: $schema=../reconciler/schema/json/device.schema.json",
    );
    // The file differs from the one written by hand (comments, order): the test is not circular.
    expect(imported.text).not.toBe(exampleFiles().get(imported.path));
    const baseline = (await loadExample()).diagnostics.map(diagLine);
    const { repo: again, diagnostics } = await loadOk(filesWith({ [imported.path]: imported.text }));
    expect(diagnostics.map(diagLine)).toEqual(baseline);
    const plan = planOne(again, name, live);
    expect(plan.changes).toEqual([]);
    expect(plan.files.map((f) => f.path)).toEqual([]);
    expect(plan.unmanaged).toEqual([]);
    expect(plan.status).toBe("unchanged");
  });

  it("leaves out what links.yaml defines, and names it", async () => {
    const repo = await example();
    const imported = importDevice(liveRunning("router-a", repo.expanded["router-a"] as DeviceIntent), repo);
    const intent = yamlOf(imported.text);
    expect(intent.wireguard).toBeUndefined();
    const body = imported.text
      .split("\n")
      .filter((l) => !l.startsWith("#"))
      .join("\n");
    expect(body).not.toMatch(/wg-b|wg-c/);
    expect(intent.ospf?.instances.map((i) => i.areas)).toEqual([
      [{ id: "0.0.0.0", stub_networks: ["192.0.2.0/26", "192.0.2.193/32", "198.51.100.0/29"] }],
      [{ id: "0.0.0.0", stub_networks: ["2001:db8:a::/64", "2001:db8:ffff::1/128"] }],
    ]);
    expect(imported.notes.join("\n")).toMatch(/left out, defined by desired\/links.yaml: wg-b, wg-c/);
    // Without the repository, the tunnels are the device's own and are imported.
    const alone = yamlOf(
      importDevice(liveRunning("router-a", repo.expanded["router-a"] as DeviceIntent), undefined).text,
    );
    expect(alone.wireguard?.map((w) => w.name)).toEqual(["wg-b", "wg-c"]);
    expect(alone.ospf?.instances[0]?.areas[0]?.interfaces?.map((i) => i.name)).toEqual(["wg-b", "wg-c"]);
  });

  it("core-1 from its recorded FRR running-config and ip -j output: loads and plans no changes", async () => {
    const repo = await example();
    const intent = repo.expanded["core-1"] as DeviceIntent;
    const files = renderDebian(intent, testDevice("core-1")).files;
    const keys = repo.publicKeys["core-1"] ?? {};
    const peer = (w: string) => intent.wireguard?.find((x) => x.name === w)?.peers[0]?.public_key ?? "";
    const live = liveStateFrom(testDevice("core-1"), {
      ...files,
      "/etc/bird/bird.conf": null,
      [CMD_WG_DUMP]: [
        `wg-fw\t(hidden)\t${keys["wg-fw"]}\t51820\toff`,
        `wg-fw\t${peer("wg-fw")}\t(none)\t(none)\t0.0.0.0/0,::/0\t-\t-\t-\t25`,
        `wg-tower\t(hidden)\t${keys["wg-tower"]}\t51821\toff`,
        `wg-tower\t${peer("wg-tower")}\t(none)\t(none)\t0.0.0.0/0,::/0\t-\t-\t-\t25`,
        "",
      ].join("\n"),
      [CMD_IP_ADDR]: fixture("core-1-ip-addr.json"),
      [CMD_SYSCTL]: "1\n1\n",
      [CMD_FRR_RUNNING]: fixture("core-1-running-config.txt"),
    });
    const imported = importDevice(live, repo);
    const got = yamlOf(imported.text);
    expect(got.routing_daemon).toBe("frr");
    // FRR's defaults (hello 10, dead 40, retransmit 5) are not written; the cluster id is, as frr.conf has it.
    expect(got.ospf?.instances).toEqual([
      { name: "ospf", version: 2, areas: [{ id: "0.0.0.0", interfaces: [{ name: "lo", passive: true }] }] },
    ]);
    expect(got.bgp?.cluster_id).toBe("192.0.2.196");
    expect(got.static_routes).toEqual([{ prefix: "192.0.2.0/24", blackhole: true }]);
    expect(got.interfaces).toEqual([
      {
        name: "lo",
        kind: "loopback",
        description: "router loopback, iBGP source",
        addresses: ["192.0.2.196/32", "2001:db8:ffff::4/128"],
      },
    ]);
    const { repo: again } = await loadOk(filesWith({ [imported.path]: imported.text }));
    const plan = planOne(again, "core-1", live);
    expect(plan.changes).toEqual([]);
    expect(plan.files.map((f) => f.path)).toEqual([]);
  });
});

describe("import: each Debian section from parsed device text", () => {
  const edge = () => liveRunning("edge", birdEdge());

  it("bird: the file rendered from the import is the file the device has, byte for byte", () => {
    const live = edge();
    const imported = importDevice(live, undefined);
    const intent = yamlOf(imported.text);
    expect(normalizeDebian(intent)).toEqual(live.state);
    expect(renderDebian(intent, testDevice("edge")).files).toEqual(live.artifacts);
  });

  it("interfaces: kinds, VLANs, MTUs other than the kernel's, descriptions from the file's comments", () => {
    const intent = yamlOf(importDevice(edge(), undefined).text);
    expect(intent.interfaces).toEqual([
      { name: "br0", kind: "bridge" },
      { name: "eth0", kind: "ethernet", addresses: ["192.0.2.1/26"] },
      { name: "lo", kind: "loopback", addresses: ["192.0.2.255/32"] },
      {
        name: "vlan100",
        kind: "vlan",
        addresses: ["2001:db8:0:1::1/64"],
        mtu: 1496,
        vlan: { parent: "eth0", id: 100 },
      },
    ]);
    const described = liveRunning("d", {
      interfaces: [
        { name: "lo", kind: "loopback", description: "router loopback", addresses: ["192.0.2.1/32"] },
      ],
    });
    expect(yamlOf(importDevice(described, undefined).text).interfaces?.[0]?.description).toBe(
      "router loopback",
    );
  });

  it("wireguard: the default MTU and Table = off left out, table auto kept, a named preshared key kept as its variable", () => {
    const imported = importDevice(edge(), undefined);
    const intent = yamlOf(imported.text);
    expect(intent.wireguard).toEqual([
      { name: "wg-empty", listen_port: 51900, peers: [] },
      {
        name: "wg-v6",
        addresses: ["203.0.113.10/31", "fe80::1/64"],
        table: "auto",
        peers: [
          { public_key: KEY_B, endpoint: "[2001:db8::1]:51820", allowed_ips: ["0.0.0.0/0", "::/0"] },
          {
            public_key: KEY_A,
            allowed_ips: ["192.0.2.0/24"],
            persistent_keepalive: 25,
            preshared_key_env: "WG_PSK",
          },
        ].sort((a, b) => (a.public_key < b.public_key ? -1 : 1)),
      },
    ]);
    expect(imported.variables).toContainEqual(expect.objectContaining({ name: "WG_PSK", derived: false }));
  });

  it("ospf: bird's defaults left out, what differs from them kept, authentication by variable", () => {
    const intent = yamlOf(importDevice(edge(), undefined).text);
    const core = intent.ospf?.instances.find((i) => i.name === "core");
    expect(core?.redistribute).toEqual(["connected", "static"]);
    expect(core?.address_family).toBeUndefined();
    expect(core?.areas[0]?.interfaces).toEqual([
      { name: "eth0", passive: true },
      {
        name: "wg-v6",
        cost: 5,
        authentication: { type: "cryptographic", key_id: 3, password_env: "OSPF_KEY" },
      },
    ]);
    expect(core?.areas[1]).toEqual({
      id: "0.0.0.1",
      stub: true,
      interfaces: [
        { name: "vlan100", type: "nbma", authentication: { type: "simple", password_env: "OSPF_SIMPLE" } },
      ],
      stub_networks: ["10.0.0.0/16", "10.1.0.0/16"],
    });
    const v6 = intent.ospf?.instances.find((i) => i.name === "v6");
    expect(v6?.router_id).toBe("192.0.2.9");
    expect(v6?.areas[0]?.interfaces).toEqual([{ name: "vlan100", hello: 3, dead: 12 }]);
  });

  it("bgp and static routes: bird's router id left out, other families and distances kept", () => {
    const intent = yamlOf(importDevice(edge(), undefined).text);
    expect(intent.bgp?.router_id).toBeUndefined();
    expect(intent.bgp?.cluster_id).toBe("192.0.2.100");
    expect(intent.bgp?.neighbors).toEqual([
      {
        address: "192.0.2.2",
        remote_asn: 64500,
        description: "rr client",
        update_source: "192.0.2.1",
        route_reflector_client: true,
        next_hop_self: true,
      },
      {
        address: "2001:db8::2",
        remote_asn: 64501,
        password_env: "BGP_PW",
        address_families: ["ipv4", "ipv6"],
      },
    ]);
    expect(intent.static_routes).toEqual([
      { prefix: "10.0.0.0/8", via: "192.0.2.62" },
      { prefix: "10.8.0.0/16", via: "192.0.2.62", interface: "eth0", distance: 250 },
      { prefix: "10.9.0.0/16", interface: "eth0" },
      { prefix: "192.0.2.0/24", blackhole: true },
      { prefix: "2001:db8::/32", blackhole: true, distance: 10 },
    ]);
  });

  it("forwarding and raw: only the families on, the raw text as it is", () => {
    const intent = yamlOf(importDevice(edge(), undefined).text);
    expect(intent.forwarding).toEqual({ ipv4: true });
    expect(intent.raw).toEqual({ bird: "protocol bfd {\n}\n" });
  });

  it("FRR secrets the device shows only as set get a variable of their own, listed for the operator", () => {
    const running = fixture("edge-running-config.txt");
    expect(running).toContain("(hidden)");
    const routing = routingFrom("frr", running);
    const live: LiveState = {
      device: "edge-1",
      platform: "debian",
      state: normalizeDebian({ routing_daemon: "frr", ...routing.state }),
      artifacts: { [CMD_FRR_RUNNING]: running, [FRR_CONF]: null },
      publicKeys: {},
      fingerprint: "f",
    };
    const imported = importDevice(live, undefined);
    expect(imported.text).not.toMatch(/SECRET_SET|\(hidden\)/);
    const intent = yamlOf(imported.text);
    const v2 = intent.ospf?.instances.find((i) => i.version === 2);
    const wg = v2?.areas[0]?.interfaces?.find((i) => i.name === "wg-v6");
    expect(wg?.authentication).toEqual({
      type: "cryptographic",
      key_id: 3,
      password_env: "EDGE_1_OSPF_WG_V6_PASSWORD",
    });
    const neighbor = intent.bgp?.neighbors.find((n) => n.address === "2001:db8::2");
    expect(neighbor?.password_env).toBe("EDGE_1_BGP_2001_DB8_2_PASSWORD");
    const names = imported.variables.map((v) => v.name);
    expect(names).toContain("EDGE_1_OSPF_WG_V6_PASSWORD");
    expect(names).toContain("EDGE_1_BGP_2001_DB8_2_PASSWORD");
    expect(new Set(names).size).toBe(names.length);
    expect(imported.variables.every((v) => v.derived)).toBe(true);
    // The header tells the operator too.
    expect(imported.text).toMatch(
      /^# {3}EDGE_1_BGP_2001_DB8_2_PASSWORD: the BGP password of neighbour 2001:db8::2$/m,
    );
  });

  it("a WireGuard preshared key the device shows only as set: a derived variable; no private key anywhere", () => {
    const live = liveStateFrom(testDevice("edge-2"), {
      [CMD_WG_DUMP]: `wg0\t(hidden)\t${KEY_A}\t51820\toff\nwg0\t${KEY_B}\t(hidden)\t198.51.100.9:51820\t0.0.0.0/0\t-\t-\t-\toff\n`,
      [CMD_IP_ADDR]: "[]",
      [CMD_SYSCTL]: "0\n0\n",
      "/etc/wireguard/wg0.conf":
        "[Interface]\nPrivateKey = (hidden)\nListenPort = 51820\n\n[Peer]\nPublicKey = " +
        `${KEY_B}\nPresharedKey = (hidden)\nEndpoint = 198.51.100.9:51820\nAllowedIPs = 0.0.0.0/0\n`,
    });
    expect(live.state.wireguard?.[0]?.peers[0]?.preshared_key_env).toBe("SECRET_SET");
    const imported = importDevice(live, undefined);
    expect(imported.text).not.toMatch(/SECRET_SET|hidden|PrivateKey|private/i);
    expect(yamlOf(imported.text).wireguard?.[0]?.peers[0]?.preshared_key_env).toBe("EDGE_2_WG0_PSK_1");
    expect(imported.variables).toEqual([
      expect.objectContaining({ name: "EDGE_2_WG0_PSK_1", derived: true }),
    ]);
    // Forwarding off and no file of the reconciler's: not managed, not imported.
    expect(yamlOf(imported.text).forwarding).toBeUndefined();
    // The public key of the device's own interface is not desired state.
    expect(imported.text).not.toContain(KEY_A);
  });

  it("only the sections the platform manages", () => {
    const live: LiveState = {
      device: "x",
      platform: "debian",
      state: { forwarding: { ipv4: true, ipv6: false }, snmp: { enabled: true } },
      artifacts: {},
      publicKeys: {},
      fingerprint: "f",
    };
    expect(yamlOf(importDevice(live, undefined).text)).toEqual({ forwarding: { ipv4: true } });
  });

  it("derives variable names the schema accepts", () => {
    expect(envName("router-a", "OSPF", "eth0.100", "PASSWORD")).toBe("ROUTER_A_OSPF_ETH0_100_PASSWORD");
    expect(envName("1x", "bgp", "2001:db8::2")).toBe("_1X_BGP_2001_DB8_2");
    expect(envName("a".repeat(80))).toHaveLength(64);
  });
});
