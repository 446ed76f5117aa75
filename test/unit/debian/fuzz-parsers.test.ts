// Property-based tests of every parser of Debian device output, seeded with real recorded output
// (test/fixtures/debian, test/unit/debian/apply/fixtures) and with what render writes to a device,
// then mutated as a broken or hostile device might print it (fuzz-mutations.ts). Each parser must
// return, or throw its documented error; never crash otherwise, and never take long (a regex that
// backtracks catastrophically on a huge line shows up here as a slow call).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  parseBirdOspfNeighbors,
  parseFrrOspfNeighbors,
  parseIpRoutes,
  parseLatestHandshakes,
} from "../../../reconciler/drivers/debian/apply/parse-health.ts";
import { parseBirdConf } from "../../../reconciler/drivers/debian/parse-bird.ts";
import { OutputFormatError } from "../../../reconciler/drivers/debian/parse-error.ts";
import { parseFrrConf } from "../../../reconciler/drivers/debian/parse-frr.ts";
import { parseIfupdown } from "../../../reconciler/drivers/debian/parse-ifupdown.ts";
import { parseIpAddrJson } from "../../../reconciler/drivers/debian/parse-ip.ts";
import { parseSysctlConf, parseSysctlValues } from "../../../reconciler/drivers/debian/parse-sysctl.ts";
import { parseWgDump, sanitizeWgDump } from "../../../reconciler/drivers/debian/parse-wg-dump.ts";
import { parseWireguardConf } from "../../../reconciler/drivers/debian/parse-wireguard.ts";
import { CMD_IP_ADDR, CMD_WG_DUMP } from "../../../reconciler/drivers/debian/paths.ts";
import { readDebian } from "../../../reconciler/drivers/debian/read.ts";
import { renderDebian } from "../../../reconciler/drivers/debian/render.ts";
import { splitSections } from "../../../reconciler/drivers/kit/sections.ts";
import { CommandError, ParseError } from "../../../reconciler/model/errors.ts";
import type { DeviceIntent } from "../../../reconciler/schema/device.ts";
import { mutated } from "./fuzz-mutations.ts";
import { birdEdge, DEBIAN_ROUTERS, device, example, fixture, frrEdge, replaySession } from "./helpers.ts";

const RECORDED_NONCE = "0123456789abcdef0123";
const APPLY_FIXTURES = join(import.meta.dirname, "apply", "fixtures");
const applyFixture = (name: string) => readFileSync(join(APPLY_FIXTURES, name), "utf8");
const hostRead = fixture("host-read.out");
const hostSections = splitSections(hostRead, RECORDED_NONCE);
const section = (name: string) => hostSections.get(name)?.text ?? "";

/**
 * Runs per property: the whole file stays within a few seconds. fast-check prints the seed and
 * path of a failure, to replay it with { seed, path } in fc.assert's options.
 */
const RUNS = 200;
/** Linear parsers read even the 200k-character lines in a few milliseconds. */
const SLOW_MS = 1000;

/** Calls `parse`; passes if it returns or throws an `allowed` error, within SLOW_MS. */
function survives(parse: () => unknown, allowed: (e: unknown) => boolean = () => false): void {
  const started = performance.now();
  try {
    parse();
  } catch (e) {
    if (!allowed(e)) throw e;
  }
  const ms = performance.now() - started;
  if (ms > SLOW_MS) throw new Error(`took ${Math.round(ms)} ms`);
}
const formatError = (e: unknown) => e instanceof OutputFormatError;

function property(seeds: readonly string[], check: (input: string) => void, numRuns = RUNS): void {
  expect(seeds.filter((s) => s.trim() !== "").length).toBeGreaterThan(0);
  fc.assert(
    fc.property(mutated(seeds), (input) => check(input)),
    { numRuns },
  );
}

/** What render writes to a device, for the parsers of files without a recorded example. */
const rendered: Record<string, string[]> = {};
beforeAll(async () => {
  const repo = await example();
  const intents: [string, DeviceIntent][] = [
    ...DEBIAN_ROUTERS.map((n): [string, DeviceIntent] => [n, repo.expanded[n] as DeviceIntent]),
    ["router-a", birdEdge()],
    ["core-1", frrEdge()],
  ];
  for (const [name, intent] of intents) {
    for (const [path, text] of Object.entries(renderDebian(intent, device(name)).files)) {
      if (text === null) continue;
      const kind = path.startsWith("/etc/wireguard/") ? "wireguard" : path;
      rendered[kind] = [...(rendered[kind] ?? []), text];
    }
  }
});

describe("device-output parsers survive mutated real output", () => {
  it("wg show all dump", () => {
    property([section(CMD_WG_DUMP)], (t) => {
      survives(() => parseWgDump(t));
      survives(() => sanitizeWgDump(t));
    });
  });

  it("ip -j -d addr show: a result or OutputFormatError", () => {
    property([section(CMD_IP_ADDR), fixture("core-1-ip-addr.json")], (t) =>
      survives(() => parseIpAddrJson(t), formatError),
    );
  });

  it("bird.conf", () => {
    property([section("file:/etc/bird/bird.conf"), ...(rendered["/etc/bird/bird.conf"] ?? [])], (t) =>
      survives(() => parseBirdConf(t), formatError),
    );
  });

  it("frr.conf and show running-config", () => {
    property(
      [
        section("file:/etc/frr/frr.conf"),
        fixture("core-1-running-config.txt"),
        fixture("edge-running-config.txt"),
        ...(rendered["/etc/frr/frr.conf"] ?? []),
      ],
      (t) => survives(() => parseFrrConf(t)),
    );
  });

  it("ifupdown", () => {
    property(rendered["/etc/network/interfaces.d/reconciler"] ?? [], (t) => survives(() => parseIfupdown(t)));
  });

  it("wg-quick files", () => {
    property(rendered.wireguard ?? [], (t) => survives(() => parseWireguardConf("wg0", t)));
  });

  it("sysctl file and values", () => {
    property(
      [
        section("cmd:sysctl -n net.ipv4.ip_forward net.ipv6.conf.all.forwarding"),
        ...(rendered["/etc/sysctl.d/90-reconciler.conf"] ?? []),
      ],
      (t) => {
        survives(() => parseSysctlConf(t));
        survives(() => parseSysctlValues(t));
      },
    );
  });

  it("health: birdc ospf neighbours and wg latest-handshakes", () => {
    property(
      [
        applyFixture("birdc-ospf-neighbors-mesh4.txt"),
        applyFixture("birdc-ospf-neighbors-mesh6.txt"),
        applyFixture("wg-latest-handshakes.txt"),
      ],
      (t) => {
        survives(() => parseBirdOspfNeighbors(t, "mesh4"));
        survives(() => parseLatestHandshakes(t));
      },
    );
  });

  it("health: ip -j route and FRR's neighbour JSON, a result or OutputFormatError", () => {
    const frrV2 = JSON.stringify({
      neighbors: {
        "192.0.2.197": [
          { priority: 1, state: "Full/-", address: "203.0.113.7", ifaceName: "wg-fw:203.0.113.6" },
        ],
      },
    });
    const frrV3 = JSON.stringify({
      neighbors: [{ neighborId: "192.0.2.197", priority: 1, state: "Full", interfaceName: "wg-fw" }],
    });
    property([applyFixture("ip-j-route.json"), applyFixture("ip-6-j-route.json"), frrV2, frrV3], (t) => {
      survives(() => parseIpRoutes(t, 4), formatError);
      survives(() => parseIpRoutes(t, 6), formatError);
      survives(() => parseFrrOspfNeighbors(t, "ospf"), formatError);
    });
  });

  it("the read script's sections", () => {
    property([hostRead], (t) => survives(() => splitSections(t, RECORDED_NONCE)));
  });

  it("the whole read: a live state, or ParseError / CommandError naming the device", async () => {
    await fc.assert(
      fc.asyncProperty(mutated([hostRead]), async (t) => {
        const started = performance.now();
        const session = replaySession((nonce) => t.replaceAll(RECORDED_NONCE, nonce));
        await readDebian(session, device("router-a")).catch((e: unknown) => {
          if (!(e instanceof ParseError || e instanceof CommandError)) throw e;
          expect(e.device).toBe("router-a");
        });
        expect(performance.now() - started).toBeLessThan(SLOW_MS);
      }),
      { numRuns: RUNS },
    );
  });
});
