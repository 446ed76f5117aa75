// Fault catalogue, part 2: faults around the real CLI (bin/reconciler.js as a child process),
// injected through the lab or the machine: sshd down before the run, a host key that changed,
// the daemon rejecting the candidate on one device of a wave, the device's disk full when
// staging, the reconciler killed (SIGKILL) mid-wave and rerun, two runs at once, and the state
// store missing or corrupt.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { StateStore } from "../../reconciler/state/store.ts";
import { nsExec, nsExecOk } from "../lab/lab.ts";
import {
  type CliRun,
  cli,
  FAST_ARGS,
  Fault,
  faultTest,
  freshCost,
  readJournal,
  router,
  startCli,
  startSshd,
  stopSshd,
  useMesh,
} from "./harness.ts";

const mesh = useMesh();
const PAIR = ["router-a", "router-b"] as const;
const applyArgs = ["apply", "--limit", PAIR.join(","), "--yes", ...FAST_ARGS];

/** The first line of a run's output that reports a failure, for the results' notes. */
const firstProblem = (r: CliRun) =>
  `${r.stdout}\n${r.stderr}`
    .split("\n")
    .find((l) => /FAILED|failed|refus|locked|rolled back|revert/i.test(l))
    ?.trim() ?? "no failure line";

const show = (r: CliRun) => `exit ${r.code ?? r.signal}\n${r.stdout}\n${r.stderr}`;

describe("faults around the CLI", () => {
  faultTest("sshd down before the run", async ({ use }) => {
    const repo = mesh();
    repo.setCost("a-b", freshCost());
    const f = use(new Fault("sshd down before the run", repo, PAIR));
    await f.begin();
    let run: CliRun;
    try {
      await stopSshd("router-b");
      run = await cli(repo, applyArgs);
    } finally {
      await startSshd("router-b");
    }
    expect(run.code, show(run)).toBe(1);
    expect(run.stdout).toMatch(/router-b/);
    await f.settle();
    // router-b was never reached; router-a alone may go ahead or not: each whole.
    f.check({ "router-b": ["byte-identical"] }, { oneWave: false });
  });

  faultTest("host key that changed", async ({ use }) => {
    const repo = mesh();
    repo.setCost("a-b", freshCost());
    const f = use(new Fault("host key that changed", repo, PAIR));
    await f.begin();
    const r = router("router-b");
    const key = join(r.dir, "ssh", "ssh_host_ed25519_key");
    const saved = { priv: readFileSync(key), pub: readFileSync(`${key}.pub`) };
    let run: CliRun;
    try {
      rmSync(key);
      rmSync(`${key}.pub`);
      await nsExecOk(r, ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "changed", "-f", key]);
      await stopSshd("router-b");
      await startSshd("router-b");
      run = await cli(repo, applyArgs);
    } finally {
      writeFileSync(key, saved.priv, { mode: 0o600 });
      writeFileSync(`${key}.pub`, saved.pub);
      await stopSshd("router-b");
      await startSshd("router-b");
    }
    expect(run.code, show(run)).toBe(1);
    expect(`${run.stdout}${run.stderr}`).toMatch(/host key/i);
    await f.settle();
    f.check({ "router-b": ["byte-identical"] }, { oneWave: false });
  });

  faultTest("the daemon rejects the candidate on one device of a wave", async ({ use }) => {
    const repo = mesh();
    const rel = "desired/router-b.yaml";
    const original = repo.read(rel);
    const f = use(new Fault("the daemon rejects the candidate on one device of a wave", repo, PAIR));
    let run: CliRun;
    try {
      repo.setCost("a-b", freshCost());
      repo.write(
        rel,
        `${original}raw:\n  bird: |\n    protocol static broken {\n      route 192.0.2.0/24 via;\n    }\n`,
        "a snippet bird refuses, on router-b",
      );
      await f.begin();
      run = await cli(repo, applyArgs);
    } finally {
      repo.write(rel, original, "without the broken snippet");
    }
    expect(run.code, show(run)).toBe(1);
    expect(run.stdout).toMatch(/router-b: failed at stage/);
    await f.settle();
    f.check({ "router-a": ["byte-identical"], "router-b": ["byte-identical"] });
    // Nothing is armed or committed anywhere until every device of the wave staged.
    const steps = readJournal(repo.stateDir).filter((e) => e.runId === run.runId);
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.filter((e) => e.step === "arm" || e.step === "commit").map((e) => e.device)).toEqual([]);
  });

  faultTest("device disk full when staging", async ({ use }) => {
    const repo = mesh();
    repo.setCost("a-b", freshCost());
    const f = use(new Fault("device disk full when staging (small tmpfs)", repo, PAIR));
    await f.begin();
    const r = router("router-b");
    let run: CliRun;
    await nsExecOk(r, [
      "sh",
      "-c",
      "mkdir -p /var/lib/reconciler/runs && mount -t tmpfs -o size=8k,mode=0700 faults-full /var/lib/reconciler/runs",
    ]);
    try {
      run = await cli(repo, applyArgs);
    } finally {
      await nsExec(r, ["umount", "/var/lib/reconciler/runs"]);
    }
    expect(run.code, show(run)).toBe(1);
    expect(run.stdout).toMatch(/router-b: failed at stage/);
    await f.settle();
    f.check({ "router-a": ["byte-identical"], "router-b": ["byte-identical"] });
  });

  faultTest("reconciler killed (SIGKILL) mid-wave and rerun", async ({ use, note }) => {
    const repo = mesh();
    repo.setCost("a-b", freshCost());
    const f = use(new Fault("reconciler killed (SIGKILL) mid-wave and rerun", repo, PAIR));
    await f.begin();
    let killedAt = "";
    const first = await startCli(repo, applyArgs, {
      onStderr: (all, child) => {
        const m = /^ {2}(\S+): commit (ok|FAILED)/m.exec(all);
        if (m && !killedAt) {
          killedAt = m[0].trim();
          child.kill("SIGKILL");
        }
      },
    }).done;
    expect(first.signal, show(first)).toBe("SIGKILL");
    expect(killedAt).toMatch(/commit/);
    const rerun = await cli(repo, applyArgs);
    note(`killed at "${killedAt}"; rerun exit ${rerun.code}: ${firstProblem(rerun)}`);
    await f.settle({ maxWaitMs: 180_000 });
    f.check({});
    // A rerun that reports success (exit 0) left the devices on the new config, healthy: it must
    // not call "nothing to apply" a change the dead run committed and that reverts by itself.
    if (rerun.code === 0)
      expect(f.outcome?.states, `the rerun exited 0:\n${show(rerun)}`).toEqual({
        "router-a": "new+healthy",
        "router-b": "new+healthy",
      });
    else expect(f.outcome?.states["router-a"], show(rerun)).toBe("byte-identical");
  });

  faultTest("two runs at once", async ({ use, note }) => {
    const repo = mesh();
    repo.setCost("a-b", freshCost());
    const f = use(new Fault("two runs at once", repo, PAIR));
    await f.begin();
    const [one, two] = await Promise.all([cli(repo, applyArgs), cli(repo, applyArgs)]);
    note(`exits ${one.code} and ${two.code}: ${firstProblem(one)} / ${firstProblem(two)}`);
    await f.settle();
    f.check({});
    // At most one of them changed the devices; the other said why it did not.
    const codes = [one.code, two.code].sort();
    expect(codes, `${show(one)}\n---\n${show(two)}`).not.toEqual([0, 0]);
    const loser = one.code === 0 ? two : one;
    expect(`${loser.stdout}${loser.stderr}`).toMatch(/lock/i);
  });

  faultTest("state store missing", async ({ use }) => {
    const repo = mesh();
    repo.setCost("a-b", freshCost());
    const f = use(new Fault("state store missing", repo, PAIR));
    const base = mkdtempSync(join(tmpdir(), "faults-state-"));
    const stateDir = join(base, "gone", "state");
    try {
      await f.begin();
      const run = await cli(repo, applyArgs, { RECONCILER_STATE_DIR: stateDir });
      expect(run.code, show(run)).toBe(0);
      await f.settle({ stateDir });
      f.check({ "router-a": ["new+healthy"], "router-b": ["new+healthy"] });
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  faultTest("state store corrupt", async ({ use }) => {
    const repo = mesh();
    repo.setCost("a-b", freshCost());
    const f = use(new Fault("state store corrupt (garbage, torn journal line)", repo, PAIR));
    const stateDir = mkdtempSync(join(tmpdir(), "faults-state-"));
    try {
      // A journal with a foreign line and a torn last line (no newline), a garbage snapshot.
      writeFileSync(
        join(stateDir, "journal.jsonl"),
        'not json at all\n{"time":"2026-01-01T00:00:00.000Z","runId":"old","device":"router-a","st',
      );
      mkdirSync(join(stateDir, "snapshots", "router-a"), { recursive: true });
      writeFileSync(join(stateDir, "snapshots", "router-a", "00000000T000000Z-000000.json"), "{torn");
      await f.begin();
      const run = await cli(repo, applyArgs, { RECONCILER_STATE_DIR: stateDir });
      expect(run.code, show(run)).toBe(0);
      await f.settle({ stateDir });
      f.check({ "router-a": ["new+healthy"], "router-b": ["new+healthy"] });
      // The product reads its own journal back, torn line and all.
      const entries = await new StateStore(stateDir).readJournal();
      expect(entries.filter((e) => e.runId === run.runId && e.device === "router-a").length).toBeGreaterThan(
        0,
      );
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
