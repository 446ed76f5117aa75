// A whole run of the kit's scripts in dash, against a temporary state directory and temporary
// "managed" files: stage (upload, snapshot, a validator), commit, rollback byte-identical; the
// revert timer firing by itself; confirm winning the race against it; abandon and prune.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { candidateRel } from "../../../reconciler/drivers/kit/files.ts";
import type { DeviceLayout } from "../../../reconciler/drivers/kit/layout.ts";
import { lockScript } from "../../../reconciler/drivers/kit/lock.ts";
import type { CommitFile } from "../../../reconciler/drivers/kit/run-scripts.ts";
import {
  commitScript,
  libScript,
  revertScript,
  stageScript,
} from "../../../reconciler/drivers/kit/run-scripts.ts";
import { abandonScript, KEEP_RUNS } from "../../../reconciler/drivers/kit/rundir.ts";
import { splitSections } from "../../../reconciler/drivers/kit/sections.ts";
import {
  armScript,
  confirmScript,
  rearmScript,
  rollbackScript,
  timerScript,
} from "../../../reconciler/drivers/kit/timer.ts";
import { dash, dashSyntax } from "./dash.ts";

const NONCE = "00112233445566778899";
// Where systemd runs, arm starts a transient unit of the host's system manager: not in a unit test.
const systemd = existsSync("/run/systemd/system");

function device() {
  const root = mkdtempSync(join(tmpdir(), "kit-run-"));
  const layout: DeviceLayout = { stateDir: join(root, "state") };
  const etc = join(root, "etc");
  mkdirSync(etc);
  const kept = join(etc, "kept.conf");
  writeFileSync(kept, "old bytes\n", { mode: 0o640 });
  utimesSync(kept, new Date("2020-01-01T00:00:00Z"), new Date("2020-01-01T00:00:00Z"));
  const files: CommitFile[] = [
    { index: 0, path: kept, content: "new bytes\n", mode: "644", owner: "root:root", dirMode: "755" },
    {
      index: 1,
      path: join(etc, "sub", "created.conf"),
      content: "created\n",
      mode: "600",
      owner: "root:root",
      dirMode: "700",
    },
  ];
  return { root, layout, etc, kept, files };
}

function stage(
  d: ReturnType<typeof device>,
  runId: string,
  opts: { reject?: boolean; timerS?: number } = {},
) {
  const uploads = [
    { rel: "lib.sh", content: libScript(d.layout, runId, []) },
    // The platform's converge: here it only leaves a trace of each run.
    { rel: "converge.sh", content: `echo converged >> ${d.root}/converge.trace\n` },
    { rel: "commit.sh", content: commitScript(d.files) },
    { rel: "revert.sh", content: revertScript(d.layout, runId, d.files) },
    { rel: "timer.sh", content: timerScript() },
    ...d.files.map((f) => ({ rel: candidateRel(f), content: f.content as string })),
  ];
  const validate = [
    `_o=$(grep -c bytes "$RUN/${candidateRel(d.files[0] as CommitFile)}" 2>&1); _rc=$?`,
    opts.reject ? "_rc=1; _rej=1" : `[ "$_rc" = 0 ] || _rej=1`,
    `begin check:grep; printf '%s' "$_o"; end check:grep "$_rc"`,
  ];
  const script = stageScript({
    layout: d.layout,
    runId,
    nonce: NONCE,
    uploads,
    files: d.files,
    checkDirs: ["check"],
    validate,
    record: [`date +%s > "$RUN/recorded"`],
  });
  expect(dashSyntax(script)).toBe("ok");
  return dash(script);
}

const run = (d: ReturnType<typeof device>, runId: string) => join(d.layout.stateDir, "runs", runId);
const sh = (d: ReturnType<typeof device>, runId: string, name: string, ...args: string[]) =>
  dash(`sh ${run(d, runId)}/${name} ${args.join(" ")}`);

describe("the kit's run scripts", () => {
  it("are valid POSIX sh", () => {
    const d = device();
    for (const s of [
      libScript(d.layout, "r1", []),
      commitScript(d.files, { before: ["true"], after: ["true"] }),
      revertScript(d.layout, "r1", d.files),
      timerScript(),
      armScript(d.layout, "r1", 60),
      rearmScript(d.layout, "r1", 60),
      confirmScript(d.layout, "r1", "t"),
      rollbackScript(d.layout, "r1"),
      abandonScript(d.layout, "r1"),
    ])
      expect(dashSyntax(s)).toBe("ok");
  });

  it("stage, commit, rollback: the files byte-identical (mode and times too), a created one gone", () => {
    const d = device();
    const before = statSync(d.kept);
    const staged = stage(d, "r1");
    expect(staged.stdout).toContain("@@staged");
    expect(splitSections(staged.stdout, NONCE).get("check:grep")).toEqual({ text: "1", rc: "0" });
    expect(existsSync(join(run(d, "r1"), "check"))).toBe(false);
    expect(sh(d, "r1", "commit.sh").status).toBe(0);
    expect(readFileSync(d.kept, "utf8")).toBe("new bytes\n");
    // An existing file keeps its mode; a created one gets the candidate's.
    expect(statSync(d.kept).mode & 0o777).toBe(0o640);
    expect(statSync(join(d.etc, "sub")).mode & 0o777).toBe(0o700);
    expect(statSync(join(d.etc, "sub", "created.conf")).mode & 0o777).toBe(0o600);
    const back = dash(rollbackScript(d.layout, "r1"));
    expect(back.stdout).toContain("@@rolled-back 0");
    expect(readFileSync(d.kept, "utf8")).toBe("old bytes\n");
    const after = statSync(d.kept);
    expect([after.mode, after.mtimeMs]).toEqual([before.mode, before.mtimeMs]);
    expect(existsSync(join(d.etc, "sub", "created.conf"))).toBe(false);
    // The candidate (it may hold secrets) is gone; converge ran for the commit and the revert.
    expect(existsSync(join(run(d, "r1"), "candidate"))).toBe(false);
    expect(readFileSync(join(d.root, "converge.trace"), "utf8")).toBe("converged\nconverged\n");
    expect(dash(rollbackScript(d.layout, "r1")).stdout).toContain("@@already-reverted");
  });

  it("a rejected candidate leaves nothing: no run directory, the live files untouched", () => {
    const d = device();
    const r = stage(d, "r1", { reject: true });
    expect(r.stdout).toContain("@@rejected");
    expect(splitSections(r.stdout, NONCE).get("check:grep")?.rc).toBe("1");
    expect(existsSync(run(d, "r1"))).toBe(false);
    expect(readFileSync(d.kept, "utf8")).toBe("old bytes\n");
  });

  it("abandon removes a staged run, and refuses a committed one", () => {
    const d = device();
    stage(d, "r1");
    expect(dash(abandonScript(d.layout, "r1")).stdout).toBe("@@abandoned\n");
    expect(existsSync(run(d, "r1"))).toBe(false);
    stage(d, "r2");
    sh(d, "r2", "commit.sh");
    expect(dash(abandonScript(d.layout, "r2"))).toMatchObject({ stdout: "@@committed\n", status: 4 });
    // Stage again of a committed run is refused too.
    expect(stage(d, "r2")).toMatchObject({ status: 9 });
  });

  it("stage prunes other runs: their candidates at once, whole directories beyond the newest kept", () => {
    const d = device();
    const runs = join(d.layout.stateDir, "runs");
    for (let i = 0; i < KEEP_RUNS + 3; i++)
      mkdirSync(join(runs, `old-${String(i).padStart(3, "0")}`, "candidate"), { recursive: true });
    mkdirSync(join(runs, "old-000", "candidate"), { recursive: true });
    writeFileSync(join(runs, "old-000", "armed"), "");
    stage(d, "zz-new");
    const left = readdirSync(runs).sort();
    // The armed one stays (its timer is pending), with its candidate; the newest are kept, emptied.
    expect(left).toContain("old-000");
    expect(existsSync(join(runs, "old-000", "candidate"))).toBe(true);
    expect(left).not.toContain("old-001");
    expect(existsSync(join(runs, `old-0${KEEP_RUNS + 2}`, "candidate"))).toBe(false);
    // The newest KEEP_RUNS others, this run and the armed one: old-002 and old-001 went.
    expect(left).not.toContain("old-002");
    expect(left).toHaveLength(KEEP_RUNS + 2);
  });

  it.skipIf(systemd)("the timer reverts by itself, leaves a notice and frees the run's lock", async () => {
    const d = device();
    dash(lockScript(d.layout, "r1", "h", "t"));
    stage(d, "r1");
    sh(d, "r1", "commit.sh");
    const armed = dash(armScript(d.layout, "r1", 1));
    expect(armed.stdout).toMatch(/^@@armed \d+\n$/);
    const deadline = Date.now() + 10_000;
    while (!existsSync(join(run(d, "r1"), "reverted")) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(readFileSync(d.kept, "utf8")).toBe("old bytes\n");
    expect(readFileSync(join(d.layout.stateDir, "notices", "r1"), "utf8")).toMatch(
      /^run r1 was not confirmed within 1 s: the device reverted by itself at /,
    );
    expect(existsSync(join(d.layout.stateDir, "lock"))).toBe(false);
    // Too late for the reconciler: confirm and rearm say so.
    expect(dash(confirmScript(d.layout, "r1", "t")).stdout).toMatch(/^@@reverted\nrun r1 was not confirmed/);
    expect(dash(rearmScript(d.layout, "r1", 60)).stdout).toMatch(/^@@not-armed/);
  });

  it.skipIf(systemd)("confirm wins the race: the timer is killed and the change stays", async () => {
    const d = device();
    stage(d, "r1");
    sh(d, "r1", "commit.sh");
    expect(dash(armScript(d.layout, "r1", 2)).status).toBe(0);
    expect(dash(rearmScript(d.layout, "r1", 2)).stdout).toBe("@@rearmed\n");
    expect(dash(confirmScript(d.layout, "r1", "2026-01-01T00:00:00Z")).stdout).toBe("@@confirmed\n");
    await new Promise((r) => setTimeout(r, 3500));
    expect(readFileSync(d.kept, "utf8")).toBe("new bytes\n");
    expect(existsSync(join(run(d, "r1"), "reverted"))).toBe(false);
    expect(readFileSync(join(run(d, "r1"), "record"), "utf8")).toBe(
      "run=r1\nconfirmed=2026-01-01T00:00:00Z\n",
    );
    // The snapshot stays: the device's own restore point (kit/restore.ts).
    expect(readFileSync(join(run(d, "r1"), "snapshot", "0"), "utf8")).toBe("old bytes\n");
    expect(existsSync(join(run(d, "r1"), "candidate"))).toBe(false);
  });
});
