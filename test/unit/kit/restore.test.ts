// The device's own restore points, run in dash against a temporary state directory: a confirmed
// run keeps its snapshot and lists it; a restore run copies that snapshot into its candidate on
// the device, commits it (the files byte-identical to before the old run, a file the old run
// created removed), and its confirm marks the old run undone, so the next restore goes further
// back. Pruning keeps confirmed snapshots and drops the others.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RestorePoint } from "../../../reconciler/drivers/apply-contract.ts";
import { candidateRel } from "../../../reconciler/drivers/kit/files.ts";
import type { DeviceLayout } from "../../../reconciler/drivers/kit/layout.ts";
import {
  copyLines,
  parseRestorePoints,
  restoreFiles,
  restorePointsScript,
} from "../../../reconciler/drivers/kit/restore.ts";
import {
  type CommitFile,
  commitScript,
  libScript,
  revertScript,
  stageScript,
} from "../../../reconciler/drivers/kit/run-scripts.ts";
import { pruneLines } from "../../../reconciler/drivers/kit/rundir.ts";
import { confirmScript, timerScript } from "../../../reconciler/drivers/kit/timer.ts";
import { dash, dashSyntax } from "./dash.ts";

const NONCE = "00112233445566778899";

function device() {
  const root = mkdtempSync(join(tmpdir(), "kit-restore-"));
  const layout: DeviceLayout = { stateDir: join(root, "state") };
  const etc = join(root, "etc");
  mkdirSync(etc);
  const kept = join(etc, "kept.conf");
  const made = join(etc, "made.conf");
  writeFileSync(kept, "good bytes\n", { mode: 0o640 });
  return { root, layout, etc, kept, made };
}
type Device = ReturnType<typeof device>;
const runDir = (d: Device, id: string) => join(d.layout.stateDir, "runs", id);
const managed = (d: Device) => (p: string) => p.startsWith(`${d.etc}/`);

function uploadsFor(d: Device, runId: string, files: readonly CommitFile[]) {
  return [
    { rel: "lib.sh", content: libScript(d.layout, runId, []) },
    { rel: "converge.sh", content: `echo converged >> ${d.root}/converge.trace\n` },
    { rel: "commit.sh", content: commitScript(files) },
    { rel: "revert.sh", content: revertScript(d.layout, runId, files) },
    { rel: "timer.sh", content: timerScript() },
  ];
}

/** A whole run: stage, commit, confirm (armed by hand: no revert timer in a unit test). */
function runToConfirm(d: Device, runId: string, files: CommitFile[], copies?: string[]) {
  const uploads = [
    ...uploadsFor(d, runId, files),
    ...(copies
      ? []
      : files
          .filter((f) => f.content !== null)
          .map((f) => ({ rel: candidateRel(f), content: f.content as string }))),
  ];
  const script = stageScript({
    layout: d.layout,
    runId,
    nonce: NONCE,
    uploads,
    ...(copies ? { copies } : {}),
    files,
    checkDirs: ["check"],
    validate: [],
    record: [],
  });
  expect(dashSyntax(script)).toBe("ok");
  expect(dash(script).stdout).toContain("@@staged");
  expect(dash(`sh ${runDir(d, runId)}/commit.sh`).status).toBe(0);
  writeFileSync(join(runDir(d, runId), "armed"), "");
  expect(dash(confirmScript(d.layout, runId, "2026-11-01T00:00:00.000Z")).stdout).toBe("@@confirmed\n");
}

const points = (d: Device): RestorePoint[] => {
  const script = restorePointsScript(d.layout);
  expect(dashSyntax(script)).toBe("ok");
  return parseRestorePoints(dash(script).stdout, managed(d));
};

const changeFiles = (d: Device, text: string): CommitFile[] => [
  { index: 0, path: d.kept, content: text, mode: "644", owner: "root:root", dirMode: "755" },
  {
    index: 1,
    path: d.made,
    content: "created by the run\n",
    mode: "600",
    owner: "root:root",
    dirMode: "755",
  },
];

describe("restore points kept on the device", () => {
  it("a confirmed run is listed with its files; restoring it puts back the bytes from before it", () => {
    const d = device();
    const before = statSync(d.kept);
    runToConfirm(d, "20261101T000000Z-000001", changeFiles(d, "bad bytes\n"));
    expect(readFileSync(d.kept, "utf8")).toBe("bad bytes\n");
    const [point, ...others] = points(d);
    expect(others).toEqual([]);
    expect(point).toEqual({
      runId: "20261101T000000Z-000001",
      confirmedAt: "2026-11-01T00:00:00.000Z",
      files: [
        { path: d.kept, snapshotIndex: 0 },
        { path: d.made, absent: true },
      ],
    });
    // The restore run: its candidate copied on the device from the old run's snapshot.
    const files = restoreFiles(point as RestorePoint);
    const commitFiles: CommitFile[] = files.map((f) => ({
      ...f,
      mode: "644",
      owner: "root:root",
      dirMode: "755",
    }));
    runToConfirm(
      d,
      "20261101T000100Z-000002",
      commitFiles,
      copyLines(d.layout, "20261101T000000Z-000001", files),
    );
    expect(readFileSync(d.kept, "utf8")).toBe("good bytes\n");
    expect(statSync(d.kept).mode).toBe(before.mode);
    expect(existsSync(d.made)).toBe(false);
    // The old run is undone and the restore run is no point of its own: nothing left to undo.
    expect(existsSync(join(runDir(d, "20261101T000000Z-000001"), "undone"))).toBe(true);
    expect(points(d)).toEqual([]);
  });

  it("points come newest first, and an undone run sends the next restore one further back", () => {
    const d = device();
    runToConfirm(d, "20261101T000000Z-000001", changeFiles(d, "second\n"));
    runToConfirm(d, "20261101T000200Z-000003", changeFiles(d, "third\n"));
    expect(points(d).map((p) => p.runId)).toEqual(["20261101T000200Z-000003", "20261101T000000Z-000001"]);
    writeFileSync(join(runDir(d, "20261101T000200Z-000003"), "undone"), "");
    expect(points(d).map((p) => p.runId)).toEqual(["20261101T000000Z-000001"]);
  });

  it("pruning keeps a confirmed run's snapshot and removes an unconfirmed one's", () => {
    const d = device();
    runToConfirm(d, "20261101T000000Z-000001", changeFiles(d, "x\n"));
    mkdirSync(join(runDir(d, "20261101T000100Z-000002"), "snapshot"), { recursive: true });
    const prune = [
      "set -f",
      `RUN=${runDir(d, "20261101T000300Z-000009")}`,
      ...pruneLines(d.layout, "20261101T000300Z-000009"),
    ].join("\n");
    expect(dash(prune).status).toBe(0);
    expect(existsSync(join(runDir(d, "20261101T000000Z-000001"), "snapshot", "0"))).toBe(true);
    expect(existsSync(join(runDir(d, "20261101T000100Z-000002"), "snapshot"))).toBe(false);
  });

  it("device output is hostile: a point with a path not managed, a missing copy or a cut listing is refused", () => {
    const ok = (p: string) => p.startsWith("/etc/");
    expect(
      parseRestorePoints(
        "@@point r1\n@@file 0 /etc/a\n@@point r2\n@@file 0 /root/.ssh/authorized_keys\n@@point r3\n@@missing /etc/b\n@@point ../x\n@@file 0 /etc/c\n@@end\n",
        ok,
      ),
    ).toEqual([{ runId: "r1", files: [{ path: "/etc/a", snapshotIndex: 0 }] }]);
    expect(parseRestorePoints("@@point r1\n@@file 0 /etc/../etc/shadow\n@@end\n", ok)).toEqual([]);
    expect(() => parseRestorePoints("@@point r1\n@@file 0 /etc/a\n", ok)).toThrow(/cut short/);
  });
});
