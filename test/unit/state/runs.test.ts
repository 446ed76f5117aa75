// Run records: one file per run, written whole and redacted, read back sorted by run id; a damaged
// record is named, never thrown; each device's last run is the newest that reached it.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { addRunSecrets, clearRunSecrets } from "../../../reconciler/report/run-secrets.ts";
import {
  lastRunPerDevice,
  type RunRecord,
  readRunRecords,
  writeRunRecord,
} from "../../../reconciler/state/runs.ts";

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "reconciler-runs-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  clearRunSecrets();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const record = (runId: string, over: Partial<RunRecord> = {}): RunRecord => ({
  version: 1,
  runId,
  command: "apply",
  startedAt: "2026-11-29T12:00:00.000Z",
  endedAt: "2026-11-29T12:01:00.000Z",
  revision: "0123456789abcdef0123456789abcdef01234567",
  origin: "revision main (0123456789ab)",
  by: "op@host",
  result: "confirmed",
  waves: [["router-a", "router-b"]],
  devices: [
    { device: "router-a", result: "confirmed", changes: 3, seconds: 12.34 },
    { device: "router-b", result: "confirmed", changes: 1, seconds: 10 },
  ],
  ...over,
});

describe("run records", () => {
  it("writes one file per run and reads them back sorted by run id, whatever the order written", async () => {
    const dir = tmp();
    const p2 = await writeRunRecord(dir, record("20261129T120000Z-000002"));
    await writeRunRecord(dir, record("20261129T110000Z-000001", { result: "failed" }));
    expect(p2).toBe(join(dir, "runs", "20261129T120000Z-000002.json"));
    expect(readdirSync(join(dir, "runs")).sort()).toEqual([
      "20261129T110000Z-000001.json",
      "20261129T120000Z-000002.json",
    ]);
    const { records, damaged } = await readRunRecords(dir);
    expect(damaged).toEqual([]);
    expect(records.map((r) => [r.runId, r.result])).toEqual([
      ["20261129T110000Z-000001", "failed"],
      ["20261129T120000Z-000002", "confirmed"],
    ]);
    expect(records[1]).toEqual(record("20261129T120000Z-000002"));
  });

  it("redacts the run's secrets in what it writes", async () => {
    const dir = tmp();
    addRunSecrets(["hunter2-very-secret"]);
    const path = await writeRunRecord(
      dir,
      record("r1", {
        devices: [
          {
            device: "router-a",
            result: "failed",
            changes: 0,
            error: "bird: bad password hunter2-very-secret",
          },
        ],
      }),
    );
    const text = readFileSync(path, "utf8");
    expect(text).not.toContain("hunter2");
    expect(text).toContain("bad password (secret)");
  });

  it("refuses a run id that could name another path", async () => {
    const dir = tmp();
    await expect(writeRunRecord(dir, record("../escape"))).rejects.toThrow(
      'invalid run id for the state store: "../escape"',
    );
    await expect(writeRunRecord(dir, record(".hidden"))).rejects.toThrow("invalid run id");
  });

  it("lists damaged records by file name and still reads the others; temporary files are not records", async () => {
    const dir = tmp();
    await writeRunRecord(dir, record("r1"));
    await writeRunRecord(dir, record("r4"));
    const runs = join(dir, "runs");
    writeFileSync(join(runs, "r2.json"), '{"version":1,"runId":"r2","comm'); // torn
    writeFileSync(join(runs, "r3.json"), JSON.stringify({ ...record("r3"), devices: "nope" })); // wrong shape
    writeFileSync(join(runs, "r5.json"), JSON.stringify(record("r6"))); // names another run
    writeFileSync(join(runs, ".r7.json.abc.tmp"), "half");
    writeFileSync(join(runs, "notes.txt"), "not a record");
    const { records, damaged } = await readRunRecords(dir);
    expect(records.map((r) => r.runId)).toEqual(["r1", "r4"]);
    expect(damaged).toEqual(["r2.json", "r3.json", "r5.json"]);
  });

  it("reads a missing store as no runs, and says which directory cannot be listed", async () => {
    const dir = tmp();
    expect(await readRunRecords(join(dir, "absent"))).toEqual({ records: [], damaged: [] });
    writeFileSync(join(dir, "runs"), "a file where the directory should be");
    await expect(readRunRecords(dir)).rejects.toThrow(`cannot list the run records in ${join(dir, "runs")}`);
  });
});

describe("lastRunPerDevice", () => {
  it("gives each device the newest run that reached it, not one that did not reach it", () => {
    const runs = [
      record("r3", {
        result: "halted",
        endedAt: "t3",
        revision: "c3",
        devices: [
          { device: "router-a", result: "rolled-back", changes: 2 },
          { device: "router-b", result: "not-reached", changes: 0 },
        ],
      }),
      record("r1", { endedAt: "t1", revision: "c1" }),
      record("r2", {
        endedAt: "t2",
        devices: [{ device: "router-c", result: "not-reached", changes: 0 }],
      }),
    ];
    const last = lastRunPerDevice(runs);
    expect([...last.keys()]).toEqual(["router-a", "router-b", "router-c"]);
    expect(last.get("router-a")).toEqual({
      runId: "r3",
      result: "rolled-back",
      endedAt: "t3",
      revision: "c3",
    });
    // r3 did not reach router-b: its last run is still r1.
    expect(last.get("router-b")).toEqual({ runId: "r1", result: "confirmed", endedAt: "t1", revision: "c1" });
    // No run ever reached router-c: the newest that named it.
    expect(last.get("router-c")?.result).toBe("not-reached");
    expect(last.get("router-c")?.runId).toBe("r2");
  });

  it("counts a rollback run for the devices it restored", () => {
    const runs = [
      record("r1"),
      record("r2", {
        command: "rollback",
        endedAt: "t2",
        revision: undefined,
        devices: [],
        restored: [{ device: "router-b", fromRun: "r1" }],
      }),
    ];
    const last = lastRunPerDevice(runs);
    expect(last.get("router-b")).toEqual({ runId: "r2", result: "restored", endedAt: "t2" });
    expect(last.get("router-a")?.runId).toBe("r1");
  });
});

it("a directory in runs/ named like a record is damaged, not fatal", async () => {
  const dir = tmp();
  await writeRunRecord(dir, record("r1"));
  mkdirSync(join(dir, "runs", "r0.json"));
  const { records, damaged } = await readRunRecords(dir);
  expect(records.map((r) => r.runId)).toEqual(["r1"]);
  expect(damaged).toEqual(["r0.json"]);
});
