// The pure expansion of a link into both ends' state, asserted field by field.
import { describe, expect, it } from "vitest";
import { effectiveOspf, endAddresses, expandLinks } from "../../reconciler/intent/links.ts";
import type { DeviceIntent } from "../../reconciler/schema/device.ts";
import type { Link } from "../../reconciler/schema/links.ts";

const KEY_A = "j/miH2I9YXQ9m09gxeqElEm7enQqe9f37VWtV2f/Zgw=";
const KEY_B = "XXKoN58A8Jsu60NYAsxubzGXX+1K/z8oKYjEx+PI6jQ=";

const link: Link = {
  name: "a-b",
  transport: "wireguard",
  transfer_nets: ["203.0.113.0/31", "2001:db8:ff::/127"],
  ospf: { cost: 10, hello: 5, dead: 20, retransmit: 2, wait: 10 },
  ends: [
    {
      device: "a",
      interface: "wg-b",
      listen_port: 51820,
      endpoint: "198.51.100.64",
      link_local: "fe80::1/64",
    },
    {
      device: "b",
      interface: "wg-a",
      endpoint: "2001:db8::b",
      listen_port: 51821,
      link_local: "fe80::2/64",
      ospf: { cost: 30 },
    },
  ],
};

const ospfDevice = (routerId: string): DeviceIntent => ({
  routing_daemon: "bird",
  ospf: {
    router_id: routerId,
    instances: [
      {
        name: "v4",
        version: 3,
        address_family: "ipv4",
        areas: [{ id: "0.0.0.0", stub_networks: ["192.0.2.0/26"] }],
      },
      { name: "v6", version: 3, address_family: "ipv6", areas: [] },
    ],
  },
});

describe("link expansion", () => {
  it("gives each end its transfer address and link-local address", () => {
    expect(endAddresses(link, 0)).toEqual(["203.0.113.0/31", "2001:db8:ff::/127", "fe80::1/64"]);
    expect(endAddresses(link, 1)).toEqual(["203.0.113.1/31", "2001:db8:ff::1/127", "fe80::2/64"]);
  });

  it("merges per-end OSPF overrides over the link's, with ptp and the backbone as defaults", () => {
    expect(effectiveOspf(link, 0)).toEqual({
      area: "0.0.0.0",
      type: "ptp",
      cost: 10,
      hello: 5,
      dead: 20,
      retransmit: 2,
      wait: 10,
    });
    expect(effectiveOspf(link, 1)?.cost).toBe(30);
  });

  it("expands into a tunnel with one peer on each end", () => {
    const { devices, notes } = expandLinks(
      { a: ospfDevice("192.0.2.1"), b: ospfDevice("192.0.2.2") },
      [link],
      {
        a: { "wg-b": KEY_A },
        b: { "wg-a": KEY_B },
      },
    );
    expect(notes).toEqual([]);
    expect(devices.a?.wireguard).toEqual([
      {
        name: "wg-b",
        listen_port: 51820,
        addresses: ["203.0.113.0/31", "2001:db8:ff::/127", "fe80::1/64"],
        mtu: 1420,
        table: "off",
        description: "link a-b to b",
        peers: [
          {
            public_key: KEY_B,
            description: "b wg-a",
            endpoint: "[2001:db8::b]:51821",
            allowed_ips: ["0.0.0.0/0", "::/0"],
          },
        ],
      },
    ]);
    expect(devices.b?.wireguard?.[0]?.peers[0]).toEqual({
      public_key: KEY_A,
      description: "a wg-b",
      endpoint: "198.51.100.64:51820",
      allowed_ips: ["0.0.0.0/0", "::/0"],
    });
    // The OSPF interface lands in every instance, in the existing area or a new one.
    const [v4, v6] = devices.b?.ospf?.instances ?? [];
    expect(v4?.areas).toEqual([
      {
        id: "0.0.0.0",
        stub_networks: ["192.0.2.0/26"],
        interfaces: [{ name: "wg-a", type: "ptp", cost: 30, hello: 5, dead: 20, retransmit: 2, wait: 10 }],
      },
    ]);
    expect(v6?.areas).toEqual([
      {
        id: "0.0.0.0",
        interfaces: [{ name: "wg-a", type: "ptp", cost: 30, hello: 5, dead: 20, retransmit: 2, wait: 10 }],
      },
    ]);
  });

  it("leaves the peer out and says so when the other end's key is not recorded", () => {
    const { devices, notes } = expandLinks({}, [link], { a: { "wg-b": KEY_A } });
    expect(devices.a?.wireguard?.[0]?.peers).toEqual([]);
    expect(devices.b?.wireguard?.[0]?.peers).toHaveLength(1);
    expect(notes).toEqual([
      { link: 0, end: 0, message: expect.stringContaining("public key of b wg-a is not recorded yet") },
    ]);
  });

  it("never mutates its input and is deterministic", () => {
    const input = { a: ospfDevice("192.0.2.1") };
    const frozen = structuredClone(input);
    const first = expandLinks(input, [link], {});
    const second = expandLinks(input, [link], {});
    expect(input).toEqual(frozen);
    expect(JSON.stringify(first)).toBe(JSON.stringify(second));
  });

  it("does not add OSPF for a link without ospf", () => {
    const { ospf: _o, ...noOspf } = link;
    const { devices } = expandLinks({ a: ospfDevice("192.0.2.1") }, [noOspf], {});
    expect(devices.a?.ospf?.instances[0]?.areas[0]?.interfaces).toBeUndefined();
  });
});
