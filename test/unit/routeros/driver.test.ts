// The driver over a scripted CLI session: one exec, bounded, typed errors, no secret kept, and a
// candidate that does not depend on the live state being the object read returned.
import { describe, expect, it } from "vitest";
import { routerosDriver, routerosUnmanaged } from "../../../reconciler/drivers/routeros/driver.ts";
import {
  EXPORT_ARTIFACT,
  MAX_EXPORT_BYTES,
  READ_COMMAND,
} from "../../../reconciler/drivers/routeros/read.ts";
import { CommandError, ParseError } from "../../../reconciler/model/errors.ts";
import type { CommandResult, DeviceSession, RunOptions } from "../../../reconciler/transport/session.ts";
import { testDevice } from "../../helpers/device.ts";
import { loadExample } from "../../helpers/example-repo.ts";
import { COMPACT_OLD_HEADER, PRIVATE_KEY, PUBLIC_KEY, TOWER_CONVERGED } from "./fixtures.ts";

const device = testDevice("tower-1", { platform: "routeros", user: "reconciler" });

function session(stdout: string, exitCode = 0) {
  const calls: { line: string; opts?: RunOptions }[] = [];
  const s = {
    device: "tower-1",
    async line(line: string, opts?: RunOptions): Promise<CommandResult> {
      calls.push({ line, ...(opts ? { opts } : {}) });
      return { command: line, stdout, stderr: exitCode ? "boom" : "", exitCode };
    },
    async run(): Promise<CommandResult> {
      throw new Error("RouterOS has no POSIX shell");
    },
    async sh(): Promise<CommandResult> {
      throw new Error("RouterOS has no POSIX shell");
    },
  } satisfies DeviceSession;
  return { s, calls };
}

describe("routerosDriver.read", () => {
  it("is one bounded exec of /export terse show-sensitive", async () => {
    const { s, calls } = session(TOWER_CONVERGED);
    const live = await routerosDriver.read(s, device);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.line).toBe(READ_COMMAND);
    expect(calls[0]?.opts?.maxOutputBytes).toBe(MAX_EXPORT_BYTES);
    expect(live.platform).toBe("routeros");
    expect(live.publicKeys).toEqual({ "wg-core": PUBLIC_KEY });
    expect(live.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it("keeps no private key, and its fingerprint ignores the volatile header", async () => {
    const live = await routerosDriver.read(session(COMPACT_OLD_HEADER).s, device);
    expect(JSON.stringify(live)).not.toContain(PRIVATE_KEY);
    expect(live.artifacts[EXPORT_ARTIFACT]).not.toMatch(/RouterOS 7|ABCD-1234|HGF0123456/);
    const later = COMPACT_OLD_HEADER.replace("jan/02/2023 03:04:05", "feb/03/2024 04:05:06");
    expect((await routerosDriver.read(session(later).s, device)).fingerprint).toBe(live.fingerprint);
  });

  it("turns an export it cannot read into a ParseError naming the device and the command", async () => {
    const bad = '/interface bridge\nadd name="never closed\n';
    const err = await routerosDriver.read(session(bad).s, device).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParseError);
    expect((err as ParseError).device).toBe("tower-1");
    expect((err as ParseError).command).toBe(READ_COMMAND);
    expect((err as Error).message).toMatch(
      /^tower-1: read: the export could not be read: line 2: a quoted value/,
    );
  });

  it("refuses a CLI error, a RouterOS v6 export and text that is no export", async () => {
    for (const [out, why] of [
      ["bad command name show-sensitive (line 1 column 15)\n", /refused the export/],
      ["# nov/14/2022 17:12:03 by RouterOS 6.49.7\n/interface bridge\nadd name=b\n", /RouterOS 6.49.7/],
      ["Welcome, this is not an export at all\n", /not an export|could not be read/],
    ] as const) {
      const err = await routerosDriver.read(session(out).s, device).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ParseError);
      expect((err as Error).message).toMatch(why);
    }
  });

  it("ignores terminal colour codes", async () => {
    const coloured = TOWER_CONVERGED.replace("/interface bridge", "\x1b[9999B\x1b[m/interface bridge");
    const live = await routerosDriver.read(session(coloured).s, device);
    expect(live.state.interfaces?.map((i) => i.name)).toEqual(["bridge-sector", "loopback"]);
  });

  it("turns a failed exec into a CommandError", async () => {
    const err = await routerosDriver.read(session("", 1).s, device).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandError);
  });
});

describe("routerosDriver.candidate, normalize, owned", () => {
  it("plans the same commands from a copy of the live state (parsed again from its redacted artifact)", async () => {
    const { repo } = await loadExample();
    const desired = structuredClone(repo?.expanded["tower-1"] ?? {});
    if (desired.bgp) desired.bgp.neighbors[0] = { ...desired.bgp.neighbors[0], remote_asn: 64501 } as never;
    const live = await routerosDriver.read(session(TOWER_CONVERGED).s, device);
    const copy = JSON.parse(JSON.stringify(live));
    const a = routerosDriver.candidate(desired, device, live);
    const b = routerosDriver.candidate(desired, device, copy);
    expect(a.kind).toBe("commands");
    expect(b).toEqual(a);
    expect(a.kind === "commands" ? a.commands.map((c) => c.line) : []).toEqual([
      "/routing bgp connection set [ find where name=peer-192.0.2.196 ] remote.as=64501 local.role=ebgp",
    ]);
    expect([...routerosDriver.owned(copy)]).toEqual([...routerosDriver.owned(live)]);
  });

  it("lists what the model cannot express, also from a copy of the live state", async () => {
    const live = await routerosDriver.read(session(TOWER_CONVERGED).s, device);
    const expected = ["/ip dns set servers=192.0.2.53", "/system identity set name=tower-1"];
    expect(routerosUnmanaged(live).map((u) => u.text)).toEqual(expected);
    expect(routerosUnmanaged(JSON.parse(JSON.stringify(live))).map((u) => u.text)).toEqual(expected);
  });

  it("normalizes desired and live of a converged device to the same state", async () => {
    const { repo } = await loadExample();
    const live = await routerosDriver.read(session(TOWER_CONVERGED).s, device);
    expect(routerosDriver.normalize(live.state)).toEqual(
      routerosDriver.normalize(repo?.expanded["tower-1"] ?? {}),
    );
  });
});
