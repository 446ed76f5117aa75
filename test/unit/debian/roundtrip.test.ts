// parse(render(x)) deep-equals normalize(x), section by section, for the example network's four
// Debian routers and for edge cases; and normalize is idempotent.
import { describe, expect, it } from "vitest";
import { normalizeDebian } from "../../../reconciler/drivers/debian/normalize.ts";
import { parseDebianFiles } from "../../../reconciler/drivers/debian/parse.ts";
import { renderDebian } from "../../../reconciler/drivers/debian/render.ts";
import type { DeviceIntent } from "../../../reconciler/schema/device.ts";
import { birdEdge, DEBIAN_ROUTERS, device, example, frrEdge, KEY_A, KEY_B } from "./helpers.ts";

const SECTIONS = [
  "routing_daemon",
  "interfaces",
  "wireguard",
  "ospf",
  "bgp",
  "static_routes",
  "forwarding",
  "raw",
] as const;

function roundTrip(intent: DeviceIntent, name = "edge") {
  const files = renderDebian(intent, device(name)).files;
  const parsed = parseDebianFiles(files);
  const want = normalizeDebian(intent);
  for (const section of SECTIONS) expect.soft(parsed.state[section], section).toEqual(want[section]);
  expect(parsed.state).toEqual(want);
  expect(parsed.unrecognized).toEqual({});
}

describe("round trip: parse(render(x)) equals normalize(x)", () => {
  it.each(DEBIAN_ROUTERS)("%s of the example network", async (name) => {
    const repo = await example();
    roundTrip(repo.expanded[name] as DeviceIntent, name);
  });

  it("bird with several instances and areas, passive interfaces, auth, static routes and a BGP route reflector", () => {
    roundTrip(birdEdge());
  });

  it("FRR with OSPFv2 and OSPFv3, auth, static routes, IPv6 BGP and raw", () => {
    roundTrip(frrEdge());
  });

  it("WireGuard: no peers, IPv6 endpoints, unsorted and uppercase addresses", () => {
    roundTrip({
      wireguard: [
        { name: "wg0", peers: [] },
        {
          name: "wg1",
          listen_port: 51820,
          mtu: 1380,
          addresses: ["2001:DB8::0:1/64", "192.0.2.1/31"],
          peers: [
            {
              public_key: KEY_B,
              endpoint: "[2001:DB8:0::1]:51820",
              allowed_ips: ["2001:db8::/32", "10.0.0.0/8"],
            },
            { public_key: KEY_A, endpoint: "vpn.example.net:51820", allowed_ips: [] },
          ],
        },
      ],
    });
  });

  it("an empty state renders nothing and reads back as nothing", () => {
    expect(renderDebian({}, device("x")).files).toEqual({});
    roundTrip({});
  });
});

describe("normalizeDebian", () => {
  it("is idempotent", async () => {
    const repo = await example();
    for (const intent of [
      ...DEBIAN_ROUTERS.map((n) => repo.expanded[n] as DeviceIntent),
      birdEdge(),
      frrEdge(),
    ]) {
      const once = normalizeDebian(intent);
      expect(normalizeDebian(once)).toEqual(once);
      expect(normalizeDebian(structuredClone(once))).toEqual(once);
    }
  });

  it("does not change its input", () => {
    const intent = birdEdge();
    const before = structuredClone(intent);
    normalizeDebian(intent);
    expect(intent).toEqual(before);
  });

  it("drops what the device cannot report and fills the daemons' defaults", () => {
    const n = normalizeDebian(birdEdge());
    expect(n.interfaces?.find((i) => i.name === "eth0")).toEqual({
      name: "eth0",
      kind: "ethernet",
      addresses: ["192.0.2.1/26"],
    });
    // bird: cost 10, hello 10, retransmit 5, dead and wait 4 x hello; WireGuard links are ptp.
    expect(n.ospf?.instances[0]?.areas[0]?.interfaces).toEqual([
      {
        name: "eth0",
        passive: true,
        type: "broadcast",
        cost: 10,
        hello: 10,
        dead: 40,
        retransmit: 5,
        wait: 40,
      },
      {
        name: "wg-v6",
        type: "ptp",
        cost: 5,
        hello: 10,
        dead: 40,
        retransmit: 5,
        wait: 40,
        authentication: { type: "cryptographic", key_id: 3, password_env: "OSPF_KEY" },
      },
    ]);
    expect(n.ospf?.instances[1]?.areas[0]?.interfaces?.[0]).toMatchObject({ hello: 3, dead: 12, wait: 12 });
    expect(n.wireguard?.find((w) => w.name === "wg-empty")).toEqual({
      name: "wg-empty",
      listen_port: 51900,
      mtu: 1420,
      table: "off",
      peers: [],
    });
    expect(n.static_routes?.map((r) => r.prefix)).toEqual([
      "10.0.0.0/8",
      "10.8.0.0/16",
      "10.9.0.0/16",
      "192.0.2.0/24",
      "2001:db8::/32",
    ]);
    expect(n.static_routes?.find((r) => r.prefix === "192.0.2.0/24")).toEqual({
      prefix: "192.0.2.0/24",
      blackhole: true,
    });
    expect(n.forwarding).toEqual({ ipv4: true, ipv6: false });
    expect(n.bgp?.router_id).toBe("192.0.2.1");
    expect(n.bgp?.neighbors.map((x) => x.address)).toEqual(["192.0.2.2", "2001:db8::2"]);
  });

  it("FRR: no wait timer, dead 40 whatever the hello, no instance names, secrets as SECRET_SET", () => {
    const n = normalizeDebian(frrEdge());
    const core = n.ospf?.instances.find((i) => i.version === 2);
    expect(core?.name).toBe("ospf");
    expect(core?.areas[0]?.interfaces?.[1]).toEqual({
      name: "wg-v6",
      type: "ptp",
      cost: 5,
      hello: 10,
      dead: 40,
      retransmit: 5,
      authentication: { type: "cryptographic", key_id: 3, password_env: "SECRET_SET" },
    });
    expect(n.ospf?.instances.find((i) => i.version === 3)?.name).toBe("ospf6");
    expect(n.bgp?.neighbors.find((x) => x.address === "2001:db8::2")?.password_env).toBe("SECRET_SET");
    expect(n.raw?.frr).toBe("log syslog informational\nroute-map RM permit 10\n set metric 5\n");
  });

  it("canonicalizes addresses and sorts sets and keyed lists", () => {
    const n = normalizeDebian({
      interfaces: [
        {
          name: "b",
          kind: "dummy",
          addresses: ["2001:DB8:0:0::1/64", "192.0.2.9/32", "192.0.2.1/32"],
          mtu: 1500,
        },
        { name: "a", kind: "loopback", mtu: 65536 },
      ],
      wireguard: [
        {
          name: "wg0",
          peers: [
            {
              public_key: KEY_B,
              allowed_ips: ["::/0", "10.0.0.1/8", "0.0.0.0/0"],
              endpoint: "[2001:DB8::0:1]:51820",
            },
            { public_key: KEY_A, allowed_ips: [] },
          ],
        },
      ],
    });
    expect(n.interfaces).toEqual([
      { name: "a", kind: "loopback" },
      { name: "b", kind: "dummy", addresses: ["192.0.2.1/32", "192.0.2.9/32", "2001:db8::1/64"] },
    ]);
    expect(n.wireguard?.[0]?.peers.map((p) => p.public_key)).toEqual([KEY_A, KEY_B]);
    expect(n.wireguard?.[0]?.peers[1]).toEqual({
      public_key: KEY_B,
      endpoint: "[2001:db8::1]:51820",
      allowed_ips: ["0.0.0.0/0", "10.0.0.0/8", "::/0"],
    });
  });
});
