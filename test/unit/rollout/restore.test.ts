// Choosing what an emergency rollback restores (which run, which devices), the revision a restored
// configuration came from, and the run record a rollout leaves. Pure.
import { describe, expect, it } from "vitest";
import { revisionBefore } from "../../../reconciler/cli/rollback.ts";
import type { RestorePoint } from "../../../reconciler/drivers/apply-contract.ts";
import { runRecordOf } from "../../../reconciler/rollout/record.ts";
import { chooseRestores, type RestoreChoice } from "../../../reconciler/rollout/restore.ts";
import type { RunRecord } from "../../../reconciler/state/runs.ts";
import { testDevice } from "../../helpers/device.ts";

const point = (runId: string): RestorePoint => ({
  runId,
  files: [{ path: "/etc/bird/bird.conf", snapshotIndex: 0 }],
});
const kept = (device: string, ...runs: string[]): RestoreChoice => ({
  device: testDevice(device),
  points: runs.map(point),
});
const summary = (r: ReturnType<typeof chooseRestores>) =>
  r.choices.map((c) => [c.device.name, c.point?.runId ?? c.skipped ?? c.problem]);

describe("chooseRestores", () => {
  it("undoes the newest run: the devices it changed are restored, the others left as they are", () => {
    const r = chooseRestores([kept("a", "R2", "R1"), kept("b", "R1"), kept("c", "R2.2", "R1")]);
    expect(r.run).toBe("R2");
    expect(summary(r)).toEqual([
      ["a", "R2"],
      ["b", "not changed by run R2: left as it is"],
      // A retry of the same rollout on the device (R2.2) is the same run.
      ["c", "R2.2"],
    ]);
  });

  it("with --run, a device whose newest run came later is not restored out of order", () => {
    const r = chooseRestores([kept("a", "R2", "R1"), kept("b", "R1")], "R1");
    expect(summary(r)).toEqual([
      ["a", "run R2 came after run R1 on this device: undo it first"],
      ["b", "R1"],
    ]);
  });

  it("keeps the problems of devices that could not be asked", () => {
    const r = chooseRestores([kept("a", "R1"), { device: testDevice("b"), problem: "unreachable" }]);
    expect(summary(r)).toEqual([
      ["a", "R1"],
      ["b", "unreachable"],
    ]);
    expect(chooseRestores([{ device: testDevice("b"), problem: "x" }]).run).toBeUndefined();
  });
});

const record = (
  runId: string,
  command: RunRecord["command"],
  revision: string,
  devices: [string, string][],
): RunRecord => ({
  version: 1,
  runId,
  command,
  startedAt: "t",
  endedAt: "t",
  revision,
  origin: "working tree",
  by: "ops@host",
  result: "confirmed",
  waves: [],
  devices: devices.map(([device, result]) => ({ device, result, changes: 1 })),
});

describe("revisionBefore", () => {
  const records = [
    record("R1", "apply", "rev-1", [
      ["a", "confirmed"],
      ["b", "confirmed"],
    ]),
    record("R2", "apply", "rev-2", [["a", "rolled-back"]]),
    record("R3", "apply", "rev-3", [["a", "confirmed"]]),
    record("R4", "rollback", "rev-3", [["a", "confirmed"]]),
  ];
  it("is the newest apply before the undone run that confirmed the device", () => {
    expect(revisionBefore(records, "a", "R3")).toBe("rev-1");
    expect(revisionBefore(records, "a", "R3.2")).toBe("rev-1");
    expect(revisionBefore(records, "a", "R5")).toBe("rev-3");
    expect(revisionBefore(records, "b", "R3")).toBe("rev-1");
    expect(revisionBefore(records, "a", "R1")).toBeUndefined();
  });
});

describe("runRecordOf", () => {
  it("summarises a halted rollout: outcomes, the devices not reached, the waves", () => {
    const rec = runRecordOf({
      runId: "R1",
      command: "apply",
      startedAt: new Date("2026-11-01T00:00:00Z"),
      endedAt: new Date("2026-11-01T00:01:00Z"),
      revision: "abc",
      origin: "working tree",
      by: "ops@host",
      result: {
        waves: [
          { devices: ["a"], canary: true },
          { devices: ["b"], canary: false },
        ],
        outcomes: [{ device: "a", result: "rolled-back", failedStep: "health" }],
        notReached: ["b"],
        halted: { wave: 0, reason: "failed", failed: ["a"] },
      },
    });
    expect(rec).toMatchObject({
      result: "halted",
      waves: [["a"], ["b"]],
      devices: [
        { device: "a", result: "rolled-back", failedStep: "health", changes: 0 },
        { device: "b", result: "not-reached", changes: 0 },
      ],
      startedAt: "2026-11-01T00:00:00.000Z",
    });
    expect(
      runRecordOf({
        runId: "R2",
        command: "apply",
        startedAt: new Date(),
        endedAt: new Date(),
        origin: "o",
        by: "b",
      }).result,
    ).toBe("nothing");
  });
});
