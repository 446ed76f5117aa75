// `reconciler history` and `reconciler status` against a state store in a temporary directory:
// the exact lines printed, device text escaped, a damaged record named and skipped, an empty or
// missing store said as such, the run lock (free, held, stale) and the freeze (set, damaged).
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { historyCommand } from "../../../reconciler/cli/history.ts";
import { stateDir } from "../../../reconciler/cli/run-lock.ts";
import { statusCommand } from "../../../reconciler/cli/status.ts";
import { freeze } from "../../../reconciler/state/freeze.ts";
import { acquireRunLock } from "../../../reconciler/state/run-lock.ts";
import { type RunRecord, writeRunRecord } from "../../../reconciler/state/runs.ts";

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "reconciler-history-"));
  dirs.push(d);
  return d;
};
const saved = process.env.RECONCILER_STATE_DIR;
let store: string;
beforeEach(() => {
  store = join(tmp(), "state");
  process.env.RECONCILER_STATE_DIR = store;
});
afterEach(() => {
  if (saved === undefined) delete process.env.RECONCILER_STATE_DIR;
  else process.env.RECONCILER_STATE_DIR = saved;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function capture() {
  let text = "";
  const stream = {
    write: (chunk: string) => {
      text += chunk;
      return true;
    },
  } as unknown as NodeJS.WritableStream;
  return { stream, lines: () => text.split("\n").slice(0, -1), text: () => text };
}

const REV1 = "0123456789abcdef0123456789abcdef01234567";
const REV2 = "fedcba9876543210fedcba9876543210fedcba98";

const run1: RunRecord = {
  version: 1,
  runId: "20261129T100000Z-000001",
  command: "apply",
  startedAt: "2026-11-29T10:00:00.000Z",
  endedAt: "2026-11-29T10:02:00.000Z",
  revision: REV1,
  origin: "revision main (0123456789ab)",
  by: "op@host",
  result: "confirmed",
  waves: [["router-a", "router-b"]],
  devices: [
    { device: "router-a", result: "confirmed", changes: 3, seconds: 12.34 },
    { device: "router-b", result: "confirmed", changes: 1, seconds: 10 },
  ],
};
const run2: RunRecord = {
  version: 1,
  runId: "20261129T110000Z-000002",
  command: "apply",
  startedAt: "2026-11-29T11:00:00.000Z",
  endedAt: "2026-11-29T11:01:00.000Z",
  origin: "working tree",
  by: "ci@runner",
  result: "halted",
  waves: [["router-a"], ["router-b"]],
  devices: [
    {
      device: "router-a",
      result: "rolled-back",
      failedStep: "health",
      error: "neighbour down\n\u001b[2Jconfirmed",
      changes: 2,
      health: {
        ok: false,
        checks: [
          { name: "ospf neighbour router-b", ok: false, expected: "Full", seen: "Init\u202e" },
          { name: "wireguard handshake router-b", ok: true, expected: "after commit", seen: "after commit" },
        ],
      },
      seconds: 30,
    },
    { device: "router-b", result: "not-reached", changes: 0 },
  ],
};
const run3: RunRecord = {
  version: 1,
  runId: "20261129T120000Z-000003",
  command: "rollback",
  startedAt: "2026-11-29T12:00:00.000Z",
  endedAt: "2026-11-29T12:00:30.000Z",
  revision: REV2,
  origin: "revision main (fedcba987654)",
  by: "op@host",
  result: "confirmed",
  waves: [["router-c"]],
  devices: [{ device: "router-c", result: "rolled-back", changes: 1 }],
  restored: [{ device: "router-c", fromRun: "20261129T100000Z-000001" }],
};

async function writeAll() {
  for (const r of [run2, run1, run3]) await writeRunRecord(store, r);
}

describe("history", () => {
  it("lists every run newest first, with each device's result, escaped device text and failed health checks", async () => {
    await writeAll();
    const out = capture();
    expect(await historyCommand(undefined, {}, out.stream)).toBe(0);
    expect(out.lines()).toEqual([
      "20261129T120000Z-000003  2026-11-29T12:00:00.000Z  rollback  fedcba987654  confirmed  by op@host",
      "  router-c: rolled-back (1 change)",
      "  router-c: restored the snapshot of run 20261129T100000Z-000001",
      "20261129T110000Z-000002  2026-11-29T11:00:00.000Z  apply  working tree  halted  by ci@runner",
      "  router-a: rolled-back at health (2 changes, 30.0 s): neighbour down\\n\\x1b[2Jconfirmed",
      "    health check failed: ospf neighbour router-b: expected Full, seen Init\\u202e",
      "  router-b: not-reached (0 changes)",
      "20261129T100000Z-000001  2026-11-29T10:00:00.000Z  apply  0123456789ab  confirmed  by op@host",
      "  router-a: confirmed (3 changes, 12.3 s)",
      "  router-b: confirmed (1 change, 10.0 s)",
    ]);
  });

  it("with a device, shows only the runs that involve it and only its lines", async () => {
    await writeAll();
    const out = capture();
    expect(await historyCommand("router-b", {}, out.stream)).toBe(0);
    expect(out.lines()).toEqual([
      "20261129T110000Z-000002  2026-11-29T11:00:00.000Z  apply  working tree  halted  by ci@runner",
      "  router-b: not-reached (0 changes)",
      "20261129T100000Z-000001  2026-11-29T10:00:00.000Z  apply  0123456789ab  confirmed  by op@host",
      "  router-b: confirmed (1 change, 10.0 s)",
    ]);
    const none = capture();
    expect(await historyCommand("router-z", {}, none.stream)).toBe(0);
    expect(none.lines()).toEqual([`no runs of router-z recorded in ${store}`]);
  });

  it("names a damaged record on one line and still lists the others", async () => {
    await writeRunRecord(store, run1);
    writeFileSync(join(store, "runs", "20261129T110000Z-000002.json"), '{"version":1,"ru');
    const out = capture();
    expect(await historyCommand(undefined, {}, out.stream)).toBe(0);
    expect(out.lines()).toEqual([
      `warning: cannot read 1 run record in ${join(store, "runs")}, skipped: 20261129T110000Z-000002.json`,
      "20261129T100000Z-000001  2026-11-29T10:00:00.000Z  apply  0123456789ab  confirmed  by op@host",
      "  router-a: confirmed (3 changes, 12.3 s)",
      "  router-b: confirmed (1 change, 10.0 s)",
    ]);
  });

  it("says so for a missing store and for an empty one, and exits 0", async () => {
    const missing = capture();
    expect(await historyCommand(undefined, {}, missing.stream)).toBe(0);
    expect(missing.text()).toBe(`no runs recorded: no state store at ${store}\n`);
    mkdirSync(store);
    const empty = capture();
    expect(await historyCommand(undefined, {}, empty.stream)).toBe(0);
    expect(empty.text()).toBe(`no runs recorded in ${store}\n`);
  });

  it("finds the store of --repo when RECONCILER_STATE_DIR is not set", async () => {
    delete process.env.RECONCILER_STATE_DIR;
    const repo = tmp();
    await writeRunRecord(stateDir(repo), run1);
    const out = capture();
    expect(await historyCommand("router-a", { repo }, out.stream)).toBe(0);
    expect(out.lines()).toEqual([
      "20261129T100000Z-000001  2026-11-29T10:00:00.000Z  apply  0123456789ab  confirmed  by op@host",
      "  router-a: confirmed (3 changes, 12.3 s)",
    ]);
  });

  it("--json prints the records newest first, as JSON a terminal cannot act on", async () => {
    await writeAll();
    const out = capture();
    expect(await historyCommand(undefined, { json: true }, out.stream)).toBe(0);
    expect(out.text()).not.toContain("\u202e");
    expect(out.text()).toContain("Init\\u202e");
    const parsed = JSON.parse(out.text());
    expect(parsed.records.map((r: RunRecord) => r.runId)).toEqual([run3.runId, run2.runId, run1.runId]);
    expect(parsed.records[1]).toEqual(run2);
    expect(parsed.damaged).toEqual([]);
  });
});

/** The pid of a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
    encoding: "utf8",
  });
  return Number(r.stdout);
}

describe("status", () => {
  it("an empty store: lock free, not frozen, no runs", async () => {
    const out = capture();
    expect(await statusCommand({}, out.stream)).toBe(0);
    expect(out.lines()).toEqual([
      `state store: ${store}`,
      "run lock: free",
      "freeze: not frozen",
      "last runs: none recorded",
    ]);
  });

  it("the holder of the run lock, the freeze with its rolled-back revisions, and each device's last run", async () => {
    await writeAll();
    const lock = await acquireRunLock(store, { runId: "20261129T130000Z-000004", command: "apply" });
    await freeze(
      store,
      { runId: run3.runId, by: "op@host", reason: "router-c lost OSPF", revision: REV2 },
      new Date("2026-11-29T12:00:30.000Z"),
    );
    const out = capture();
    try {
      expect(await statusCommand({}, out.stream)).toBe(0);
    } finally {
      await lock.release();
    }
    expect(out.lines()).toEqual([
      `state store: ${store}`,
      `run lock: held by run 20261129T130000Z-000004 (apply, pid ${process.pid} on ${hostname()}, since ${lock.holder.time})`,
      "freeze: frozen since 2026-11-29T12:00:30.000Z by op@host (run 20261129T120000Z-000003): router-c lost OSPF",
      "rolled back: revision fedcba987654 by run 20261129T120000Z-000003 at 2026-11-29T12:00:30.000Z (not applied again unless overridden)",
      "last run per device:",
      "  router-a: rolled-back (run 20261129T110000Z-000002, ended 2026-11-29T11:01:00.000Z)",
      "  router-b: confirmed (run 20261129T100000Z-000001, ended 2026-11-29T10:02:00.000Z, revision 0123456789ab)",
      "  router-c: rolled-back (run 20261129T120000Z-000003, ended 2026-11-29T12:00:30.000Z, revision fedcba987654)",
    ]);
  });

  it("a stale lock, a damaged freeze file and a damaged run record are each shown as such", async () => {
    await writeRunRecord(store, run1);
    writeFileSync(join(store, "runs", "x.json"), "{");
    const pid = deadPid();
    writeFileSync(
      join(store, "run.lock"),
      JSON.stringify({
        runId: "r-dead",
        host: hostname(),
        pid,
        time: "2026-11-29T09:00:00.000Z",
        command: "keys",
      }),
    );
    writeFileSync(join(store, "freeze.json"), "{torn");
    const out = capture();
    expect(await statusCommand({}, out.stream)).toBe(0);
    const lines = out.lines();
    expect(lines[1]).toBe(
      `run lock: held by run r-dead (keys, pid ${pid} on ${hostname()}, since 2026-11-29T09:00:00.000Z); stale: its process on this host is gone, the next run takes it over`,
    );
    expect(lines[2]).toMatch(
      new RegExp(
        `^freeze: the freeze file cannot be read, so the fleet counts as frozen: ${join(store, "freeze.json").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is not valid JSON: .*; fix or remove it, or run reconciler unfreeze$`,
      ),
    );
    expect(lines.slice(3)).toEqual([
      "last run per device:",
      "  router-a: confirmed (run 20261129T100000Z-000001, ended 2026-11-29T10:02:00.000Z, revision 0123456789ab)",
      "  router-b: confirmed (run 20261129T100000Z-000001, ended 2026-11-29T10:02:00.000Z, revision 0123456789ab)",
      `warning: cannot read 1 run record in ${join(store, "runs")}, skipped: x.json`,
    ]);
  });

  it("an unreadable run lock says how to free it", async () => {
    mkdirSync(store);
    writeFileSync(join(store, "run.lock"), "not json");
    const out = capture();
    expect(await statusCommand({}, out.stream)).toBe(0);
    expect(out.lines()[1]).toMatch(
      new RegExp(
        `^run lock: cannot be read \\(.*\\); if no run is going on, remove ${join(store, "run.lock")}$`,
      ),
    );
  });

  it("--json", async () => {
    await writeAll();
    const out = capture();
    expect(await statusCommand({ json: true }, out.stream)).toBe(0);
    const v = JSON.parse(out.text());
    expect(v.store).toBe(store);
    expect(v.runLock).toEqual({ state: "free" });
    expect(v.freeze).toEqual({ version: 1, rolledBack: [] });
    expect(v.lastRuns["router-a"]).toEqual({
      runId: run2.runId,
      result: "rolled-back",
      endedAt: run2.endedAt,
    });
    expect(Object.keys(v.lastRuns)).toEqual(["router-a", "router-b", "router-c"]);
  });
});
