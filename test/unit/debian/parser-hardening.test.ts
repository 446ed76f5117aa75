// What fuzzing the device-output parsers found (fuzz-parsers.test.ts), each pinned as a fixed
// case: quadratic regexes on long lines, a stack overflow on deep nesting, JSON of the wrong
// shape crashing with a TypeError, and a key value not hidden after a carriage return.
import { describe, expect, it } from "vitest";
import {
  parseFrrOspfNeighbors,
  parseIpRoutes,
} from "../../../reconciler/drivers/debian/apply/parse-health.ts";
import { parseBirdConf } from "../../../reconciler/drivers/debian/parse-bird.ts";
import { OutputFormatError } from "../../../reconciler/drivers/debian/parse-error.ts";
import { parseFrrConf } from "../../../reconciler/drivers/debian/parse-frr.ts";
import { parseIpAddrJson } from "../../../reconciler/drivers/debian/parse-ip.ts";
import { parseWireguardConf } from "../../../reconciler/drivers/debian/parse-wireguard.ts";

const timed = <T>(f: () => T): { value: T; ms: number } => {
  const started = performance.now();
  const value = f();
  return { value, ms: performance.now() - started };
};

describe("long lines are read in linear time", () => {
  it("FRR: a line of 200k blanks (was about 30 s: /\\s+$/ retried from every blank)", () => {
    const { value, ms } = timed(() => parseFrrConf(`interface wg0${" ".repeat(200_000)}x\n`));
    expect(ms).toBeLessThan(500);
    expect(value.unrecognized).toHaveLength(1);
  });

  it("wg-quick: a line of 100k '#' before a carriage return (was seconds: /#.*$/ retried from every '#')", () => {
    const { value, ms } = timed(() => parseWireguardConf("wg0", `[Interface]\n${"# ".repeat(100_000)}\r\n`));
    expect(ms).toBeLessThan(500);
    expect(value.unrecognized).toEqual([]);
  });
});

describe("wg-quick files", () => {
  it("hides a key's whole value even when it holds a carriage return", () => {
    const parsed = parseWireguardConf("wg0", "[Interface]\nPrivateKey = s3cr3t-value\rmore\n");
    expect(parsed.unrecognized.join("\n")).not.toContain("s3cr3t");
    expect(parsed.unrecognized).toEqual(["wg0.conf line 2: PrivateKey = (hidden)"]);
  });

  it("strips a comment after a carriage return, as wg-quick does", () => {
    const parsed = parseWireguardConf("wg0", "[Interface]\nListenPort = 51820 #\r note\n");
    expect(parsed.iface.listen_port).toBe(51820);
  });
});

describe("bird.conf", () => {
  it("throws OutputFormatError for blocks nested too deeply to read (was a stack overflow)", () => {
    expect(() => parseBirdConf(`protocol ospf x ${"{".repeat(100_000)}`)).toThrow(OutputFormatError);
    expect(() => parseBirdConf(`protocol ospf x ${"{".repeat(100_000)}`)).toThrow(/nested too deeply/);
  });
});

describe("JSON of the wrong shape is a typed error or skipped, never a TypeError", () => {
  it("ip -j addr: text that is not JSON, and not an array", () => {
    expect(() => parseIpAddrJson('\0[{"ifname":"lo"}]')).toThrow(OutputFormatError);
    expect(() => parseIpAddrJson('{"ifname":"lo"}')).toThrow(
      /ip -j -d addr show: did not print a JSON array/,
    );
  });

  it("ip -j addr: entries and fields of unexpected types are ignored", () => {
    const text = JSON.stringify([
      null,
      7,
      ["eth0"],
      { ifname: "eth0", flags: 7, addr_info: {}, address: 5, linkinfo: "vlan", mtu: "1500" },
      {
        ifname: "eth1",
        addr_info: [
          null,
          { family: "inet", local: 1 },
          { family: "inet", local: "192.0.2.1" },
          { family: "inet", local: "192.0.2.2", prefixlen: 24 },
        ],
      },
    ]);
    expect(parseIpAddrJson(text)).toEqual([
      { name: "eth0", loopback: false, addresses: [] },
      { name: "eth1", loopback: false, addresses: ["192.0.2.2/24"] },
    ]);
  });

  it("ip -j route: not JSON, or not an array, is OutputFormatError; odd rows are skipped", () => {
    expect(() => parseIpRoutes("Error: ipv4: FIB table does not exist.", 4)).toThrow(OutputFormatError);
    expect(() => parseIpRoutes('{"dst":"default"}', 4)).toThrow(
      /ip -4 -j route show: did not print a JSON array/,
    );
    expect(
      parseIpRoutes(
        '[null, 3, {"dst": {"toString": 1}, "protocol": []}, {"dst": "192.0.2.0/24", "protocol": "bird"}]',
        4,
      ),
    ).toEqual([
      { prefix: "/32", protocol: "" },
      { prefix: "192.0.2.0/24", protocol: "bird" },
    ]);
  });

  it("FRR neighbour JSON: null is OutputFormatError; rows of the wrong shape are skipped", () => {
    expect(() => parseFrrOspfNeighbors("null", "ospf")).toThrow(OutputFormatError);
    expect(() => parseFrrOspfNeighbors("% OSPF instance not found", "ospf")).toThrow(OutputFormatError);
    expect(
      parseFrrOspfNeighbors(
        '{"neighbors": {"192.0.2.1": [null, {"state": {"toString": 1}}, {"state": "Full/-"}]}}',
        "ospf",
      ),
    ).toEqual([{ routerId: "192.0.2.1", state: "Full/-", interface: "", instance: "ospf" }]);
  });
});
