// The live command outputs: `wg show all dump`, `ip -j -d addr show`, sysctl values, and the
// ifupdown file; and the LiveState of a bird router assembled from them.
import { describe, expect, it } from "vitest";
import { liveStateFrom } from "../../../reconciler/drivers/debian/live-state.ts";
import { normalizeDebian } from "../../../reconciler/drivers/debian/normalize.ts";
import { parseIfupdown } from "../../../reconciler/drivers/debian/parse-ifupdown.ts";
import { eui64LinkLocal, parseIpAddrJson } from "../../../reconciler/drivers/debian/parse-ip.ts";
import { parseSysctlConf, parseSysctlValues } from "../../../reconciler/drivers/debian/parse-sysctl.ts";
import { parseWgDump } from "../../../reconciler/drivers/debian/parse-wg-dump.ts";
import { CMD_IP_ADDR, CMD_SYSCTL, CMD_WG_DUMP } from "../../../reconciler/drivers/debian/paths.ts";
import { renderDebian } from "../../../reconciler/drivers/debian/render.ts";
import type { DeviceIntent } from "../../../reconciler/schema/device.ts";
import { device, example, fixture, KEY_A, KEY_B } from "./helpers.ts";

const hostSection = (name: string) => {
  const m = new RegExp(
    `begin ${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}@@\\n([\\s\\S]*?)\\n@@reconciler`,
  ).exec(fixture("host-read.out"));
  return m?.[1] ?? "";
};

/** An ip -j link in iproute2 6.1's format. */
function link(
  ifindex: number,
  ifname: string,
  kind: string | undefined,
  addrs: [string, number, Record<string, unknown>?][],
  more: Record<string, unknown> = {},
) {
  return {
    ifindex,
    ifname,
    flags: ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"],
    mtu: 1500,
    qdisc: "noqueue",
    operstate: "UP",
    group: "default",
    link_type: "ether",
    address: `02:00:00:00:00:${ifindex.toString(16).padStart(2, "0")}`,
    broadcast: "ff:ff:ff:ff:ff:ff",
    ...(kind ? { linkinfo: { info_kind: kind } } : {}),
    addr_info: addrs.map(([local, prefixlen, extra]) => ({
      family: local.includes(":") ? "inet6" : "inet",
      local,
      prefixlen,
      scope: local.startsWith("fe80") ? "link" : "global",
      valid_life_time: 4294967295,
      preferred_life_time: 4294967295,
      ...extra,
    })),
    ...more,
  };
}

describe("wg show all dump", () => {
  it("reads this machine's recorded dump (wireguard-go, keys stripped on the device)", () => {
    const parsed = parseWgDump(hostSection("cmd:wg show all dump"));
    expect(parsed.unrecognized).toEqual([]);
    expect(parsed.interfaces).toEqual([
      {
        name: "rclexp0",
        publicKey: "Bn5eEL2aHQ3sf5spbGb/j/1Dd0IMS20zM+kEN5r6b08=",
        listenPort: 51999,
        peers: [
          {
            publicKey: "TCTAGRjT7t61T/JVqpe6U0X00T8ob/Lm+Ije2BTOajE=",
            hasPresharedKey: false,
            endpoint: "[2001:db8::1]:51820",
            allowedIps: ["2001:db8:ffff::2/128", "192.0.2.194/32"],
          },
          {
            publicKey: "WXLGsDsD179U/V/m3mWFcXKJRIdtNnct8uywQBsyIyI=",
            hasPresharedKey: true,
            endpoint: "198.51.100.65:51820",
            allowedIps: ["0.0.0.0/0", "::/0"],
            keepalive: 25,
          },
        ],
      },
      {
        name: "rclexp1",
        publicKey: "tluQfHFa7KZiGaoSF0yJm4ws/s9F7qo6yQsCevNGIyI=",
        listenPort: 51998,
        peers: [],
      },
    ]);
  });

  it("reads (none) allowed IPs, a fwmark, and reports malformed lines without their content", () => {
    const parsed = parseWgDump(
      `wg0\t(hidden)\t${KEY_A}\t0\t0x10\nwg0\t${KEY_B}\t(none)\t(none)\t(none)\t0\t0\t0\toff\nwg0\tgarbage\n`,
    );
    expect(parsed.interfaces).toEqual([
      {
        name: "wg0",
        publicKey: KEY_A,
        fwmark: "0x10",
        peers: [{ publicKey: KEY_B, hasPresharedKey: false, allowedIps: [] }],
      },
    ]);
    expect(parsed.unrecognized).toEqual(["wg show all dump line 3: 2 fields, expected 5 or 9"]);
  });
});

describe("ip -j -d addr show", () => {
  it("reads this machine's links: kinds, MTUs, and only the addresses someone configured", () => {
    const links = parseIpAddrJson(hostSection("cmd:ip -j -d addr show"));
    expect(links.map((l) => [l.name, l.kind, l.mtu, l.addresses])).toEqual([
      ["lo", undefined, 65536, []],
      ["ifb0", "ifb", 1500, []],
      ["ifb1", "ifb", 1500, []],
      // Its EUI-64 link-local (fe80::fc:ff:fe00:1 from 02:fc:00:00:00:01) is the kernel's.
      ["eth0", undefined, 1400, ["192.0.2.2/24", "fd00::2/64"]],
      // wireguard-go makes a TUN link; the kernel adds a stable-privacy link-local when it is up.
      ["rclexp0", "tun", 1400, ["203.0.113.0/31", "fe80::ab:1/64"]],
      ["rclexp1", "tun", 1420, ["203.0.113.2/31"]],
    ]);
    expect(eui64LinkLocal("02:fc:00:00:00:01")).toBe("fe80::fc:ff:fe00:1/64");
  });

  it("managed interfaces: dummy, VLAN, bridge; a declared Ethernet or loopback; not veth, TUN or WireGuard", () => {
    const ip = [
      link(
        1,
        "lo",
        undefined,
        [
          ["127.0.0.1", 8],
          ["192.0.2.255", 32],
          ["::1", 128],
        ],
        { flags: ["LOOPBACK", "UP"], mtu: 65536 },
      ),
      link(2, "eth0", undefined, [
        ["192.0.2.1", 26],
        ["fe80::ff:fe00:2", 64],
      ]),
      link(
        3,
        "vlan100",
        "vlan",
        [
          ["2001:db8:0:1::1", 64],
          ["2001:db8:0:1:aaaa::1", 64, { dynamic: true }],
        ],
        {
          link: "eth0",
          mtu: 1496,
          linkinfo: { info_kind: "vlan", info_data: { protocol: "802.1Q", id: 100, flags: ["REORDER_HDR"] } },
        },
      ),
      link(4, "br0", "bridge", []),
      link(5, "loop0", "dummy", [["192.0.2.193", 32]], { mtu: 1500 }),
      link(6, "eth-b", "veth", [["198.51.100.64", 31]]),
      link(7, "wg-b", "tun", [["203.0.113.0", 31]], { flags: ["POINTOPOINT", "UP"], mtu: 1420 }),
      link(8, "stray0", "tun", [["10.9.9.9", 32]], { flags: ["POINTOPOINT"] }),
      link(9, "wg-k", "wireguard", [["10.9.9.10", 32]], { flags: ["POINTOPOINT"] }),
    ];
    const live = liveStateFrom(device("x"), {
      "/etc/network/interfaces.d/reconciler": "auto eth0\niface eth0 inet static\n\taddress 192.0.2.1/26\n",
      [CMD_WG_DUMP]: `wg-b\t(hidden)\t${KEY_A}\t51820\toff\n`,
      [CMD_IP_ADDR]: JSON.stringify(ip),
      [CMD_SYSCTL]: "1\n0\n",
    });
    expect(live.state.interfaces).toEqual([
      { name: "br0", kind: "bridge" },
      { name: "eth0", kind: "ethernet", addresses: ["192.0.2.1/26"] },
      { name: "lo", kind: "loopback", addresses: ["192.0.2.255/32"] },
      { name: "loop0", kind: "dummy", addresses: ["192.0.2.193/32"] },
      {
        name: "vlan100",
        kind: "vlan",
        addresses: ["2001:db8:0:1::1/64"],
        mtu: 1496,
        vlan: { parent: "eth0", id: 100 },
      },
    ]);
    expect(live.state.wireguard?.map((w) => w.name)).toEqual(["wg-b"]);
    expect(live.state.forwarding).toEqual({ ipv4: true, ipv6: false });
  });
});

describe("sysctl and ifupdown", () => {
  it("reads sysctl values and the sysctl file, reporting keys it does not manage", () => {
    expect(parseSysctlValues("1\n0\n")).toEqual({ ipv4: true, ipv6: false });
    expect(parseSysctlValues("")).toEqual({});
    expect(
      parseSysctlConf("# c\nnet.ipv4.ip_forward=1\nnet/ipv6/conf/all/forwarding = 0\nvm.swappiness = 10\n"),
    ).toEqual({
      forwarding: { ipv4: true, ipv6: false },
      unrecognized: ["sysctl file line 4: vm.swappiness = 10"],
    });
  });

  it("reads ifupdown stanzas and reports the options and methods it does not manage", () => {
    const parsed = parseIfupdown(
      [
        "auto loop0",
        "iface loop0 inet static",
        "\tpre-up ip link add dev loop0 type dummy || true",
        "\taddress 192.0.2.193/32",
        "\tdns-nameservers 192.0.2.53",
        "iface loop0 inet6 static",
        "\taddress 2001:db8:ffff::1/128",
        "iface eth1 inet dhcp",
        "",
      ].join("\n"),
    );
    expect(parsed.interfaces).toEqual([
      { name: "loop0", kind: "dummy", addresses: ["192.0.2.193/32", "2001:db8:ffff::1/128"] },
    ]);
    expect(parsed.unrecognized).toEqual([
      "interfaces.d line 5: dns-nameservers 192.0.2.53",
      "interfaces.d line 8: iface eth1 inet dhcp",
    ]);
  });
});

describe("the LiveState of a bird router", () => {
  it("router-a running its desired state reads as its normalized desired state", async () => {
    const repo = await example();
    const intent = repo.expanded["router-a"] as DeviceIntent;
    const files = renderDebian(intent, device("router-a")).files;
    const keys = repo.publicKeys["router-a"] ?? {};
    const dump: string[] = [];
    const addrPairs = (addresses: readonly string[] = []) =>
      addresses.map((a) => [a.split("/")[0] as string, Number(a.split("/")[1])] as [string, number]);
    const loopback = (intent.interfaces ?? []).find((i) => i.kind === "loopback");
    const ip: unknown[] = [
      link(1, "lo", undefined, [["127.0.0.1", 8], ["::1", 128], ...addrPairs(loopback?.addresses)], {
        flags: ["LOOPBACK", "UP"],
        mtu: 65536,
      }),
    ];
    let index = 2;
    for (const i of intent.interfaces ?? []) {
      if (i.kind === "loopback") continue;
      ip.push(link(index++, i.name, i.kind, addrPairs(i.addresses)));
    }
    for (const w of intent.wireguard ?? []) {
      dump.push(`${w.name}\t(hidden)\t${keys[w.name]}\t${w.listen_port}\toff`);
      for (const p of w.peers) {
        dump.push(
          `${w.name}\t${p.public_key}\t(none)\t${p.endpoint}\t${p.allowed_ips.join(",")}\t-\t-\t-\toff`,
        );
      }
      const addrs = (w.addresses ?? []).map(
        (a) => [a.split("/")[0] as string, Number(a.split("/")[1])] as [string, number],
      );
      addrs.push(["fe80::1234:5678:9abc:def0", 64, { "stable-privacy": true }] as never);
      ip.push(
        link(index++, w.name, "tun", addrs, {
          flags: ["POINTOPOINT", "MULTICAST", "NOARP", "UP"],
          mtu: 1420,
        }),
      );
    }
    const artifacts: Record<string, string | null> = {
      ...files,
      "/etc/frr/frr.conf": null,
      [CMD_WG_DUMP]: `${dump.join("\n")}\n`,
      [CMD_IP_ADDR]: JSON.stringify(ip),
      [CMD_SYSCTL]: "1\n1\n",
      "cmd:vtysh -c 'show running-config'": null,
    };
    const live = liveStateFrom(device("router-a"), artifacts);
    expect(live.state).toEqual(normalizeDebian(intent));
    expect(live.unrecognized).toEqual({});
    expect(live.publicKeys).toEqual(keys);
  });
});
