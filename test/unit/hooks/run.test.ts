// The hook runner with real processes in temporary repositories: the document arrives on stdin
// byte for byte; the environment is the minimal set (a secret of the parent's is not there);
// a timeout kills the hook's whole process group; the first failing pre-apply hook stops the
// others (at post-apply every hook runs); output is bounded and redacted; one journal entry per hook.
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { PostDeviceDocument, PreApplyDocument } from "../../../reconciler/hooks/phases.ts";
import { type HookJournalEntry, hookEnvironment, runHooks } from "../../../reconciler/hooks/run.ts";
import { addRunSecrets, clearRunSecrets } from "../../../reconciler/report/run-secrets.ts";

const dirs: string[] = [];
const tmp = () => {
  const d = realpathSync(mkdtempSync(join(tmpdir(), "reconciler-hooks-run-")));
  dirs.push(d);
  return d;
};
afterEach(() => {
  clearRunSecrets();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function hook(repo: string, rel: string, body: string, mode = 0o755): void {
  const path = join(repo, "hooks", rel);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, mode);
}

function preApply(repo: string, revision?: string): PreApplyDocument {
  return {
    phase: "pre-apply",
    runId: "20261129T120000Z-3f9a1c",
    command: "apply",
    time: "2026-11-29T12:00:00.000Z",
    repository: revision ? { path: repo, revision } : { path: repo },
    plan: {
      devices: [
        { device: "router-a", platform: "debian", changes: 3, labels: { site: "site-a" } },
        { device: "tower-1", platform: "routeros", changes: 0 },
      ],
      waves: [["router-a"]],
    },
    confirmTimeoutS: 180,
  };
}

function postDevice(repo: string): PostDeviceDocument {
  return {
    phase: "post-device",
    runId: "20261129T120000Z-3f9a1c",
    command: "apply",
    time: "2026-11-29T12:00:00.000Z",
    repository: { path: repo, revision: "0123456789abcdef0123456789abcdef01234567" },
    device: "router-a",
    platform: "debian",
    outcome: { device: "router-a", result: "confirmed" },
  };
}

/** Whether a process exists and is not a zombie (a container's init may not reap orphans). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

async function waitGone(pid: number, ms = 3000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return !alive(pid);
}

describe("runHooks", () => {
  it("with no hooks succeeds and runs nothing", async () => {
    const repo = tmp();
    const r = await runHooks("pre-apply", preApply(repo), { repoRoot: repo });
    expect(r).toEqual({
      phase: "pre-apply",
      ok: true,
      aborted: false,
      results: [],
      skipped: [],
      warnings: [],
    });
  });

  it("gives the hook the document on stdin exactly, and runs it in the repository", async () => {
    const repo = tmp();
    hook(repo, "pre-apply", 'cat > received.json\npwd > cwd.txt\necho "$@" > args.txt');
    const doc = preApply(repo, "abc123");
    const r = await runHooks("pre-apply", doc, { repoRoot: repo });
    expect(r.ok).toBe(true);
    expect(readFileSync(join(repo, "received.json"), "utf8")).toBe(`${JSON.stringify(doc)}\n`);
    expect(readFileSync(join(repo, "cwd.txt"), "utf8").trim()).toBe(repo);
    expect(readFileSync(join(repo, "args.txt"), "utf8").trim()).toBe("");
    expect(r.results).toEqual([
      {
        hook: "hooks/pre-apply",
        name: "hook:pre-apply:pre-apply",
        ok: true,
        exitCode: 0,
        timedOut: false,
        output: "",
        ms: expect.any(Number),
      },
    ]);
  });

  it("passes a minimal environment: never a secret of the parent's", async () => {
    const repo = tmp();
    hook(repo, "post-device.d/10-env", "env");
    process.env.RECONCILER_TEST_PARENT_SECRET = "parent-secret-not-for-hooks";
    try {
      const r = await runHooks("post-device", postDevice(repo), {
        repoRoot: repo,
        env: { RECONCILER_HOOK_EXTRA: "from-caller", UNSET_ONE: undefined },
      });
      expect(r.ok).toBe(true);
      const output = r.results[0]?.output ?? "";
      expect(output).not.toContain("parent-secret-not-for-hooks");
      const vars = Object.fromEntries(
        output.split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
      );
      delete vars.PWD; // the shell adds it
      delete vars.SHLVL;
      delete vars._;
      const expected: Record<string, string> = {
        PATH: process.env.PATH as string,
        RECONCILER_HOOK_EXTRA: "from-caller",
        RECONCILER_PHASE: "post-device",
        RECONCILER_RUN_ID: "20261129T120000Z-3f9a1c",
        RECONCILER_COMMAND: "apply",
        RECONCILER_REPO: repo,
        RECONCILER_REVISION: "0123456789abcdef0123456789abcdef01234567",
        RECONCILER_DEVICE: "router-a",
      };
      for (const k of ["HOME", "LANG"])
        if (process.env[k] !== undefined) expected[k] = process.env[k] as string;
      for (const [k, v] of Object.entries(process.env))
        if (k.startsWith("RECONCILER_HOOK_") && v !== undefined) expected[k] = v;
      expect(vars).toEqual(expected);
    } finally {
      delete process.env.RECONCILER_TEST_PARENT_SECRET;
    }
  });

  it("builds the environment from the base: PATH, HOME, LANG, RECONCILER_HOOK_*, the caller's, the run's", () => {
    const env = hookEnvironment("pre-apply", preApply("/repo"), {
      baseEnv: {
        PATH: "/bin",
        HOME: "/root",
        LANG: "C.UTF-8",
        RECONCILER_SSH_KEY: "/root/.ssh/id",
        DEVICE_PASSWORD: "pw",
        RECONCILER_HOOK_CHANGE_WINDOW: "daily 00:00-24:00",
      },
      // The run's own variables win over the caller's.
      env: { RECONCILER_PHASE: "spoofed", RECONCILER_DEVICE: "spoofed", X: "1" },
    });
    expect(env).toEqual({
      PATH: "/bin",
      HOME: "/root",
      LANG: "C.UTF-8",
      RECONCILER_HOOK_CHANGE_WINDOW: "daily 00:00-24:00",
      X: "1",
      RECONCILER_PHASE: "pre-apply",
      RECONCILER_RUN_ID: "20261129T120000Z-3f9a1c",
      RECONCILER_COMMAND: "apply",
      RECONCILER_REPO: "/repo",
    });
    // The caller may pass the whole environment, explicitly.
    expect(hookEnvironment("pre-apply", preApply("/repo"), { baseEnv: {}, env: { A: "1" } }).A).toBe("1");
  });

  it("on a timeout kills the hook's whole process group (the hook and what it started)", async () => {
    const repo = tmp();
    hook(repo, "pre-apply", "echo $$ > hook.pid\nsleep 300 &\necho $! > child.pid\necho started\nwait");
    const t0 = Date.now();
    const r = await runHooks("pre-apply", preApply(repo), {
      repoRoot: repo,
      timeoutMs: 500,
      killGraceMs: 300,
    });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.ok).toBe(false);
    expect(r.aborted).toBe(true);
    expect(r.results[0]).toMatchObject({ ok: false, timedOut: true, exitCode: null, signal: "SIGTERM" });
    expect(r.reason).toMatch(/^pre-apply hook hooks\/pre-apply timed out after \d+ s: started$/);
    const hookPid = Number(readFileSync(join(repo, "hook.pid"), "utf8"));
    const childPid = Number(readFileSync(join(repo, "child.pid"), "utf8"));
    expect(await waitGone(hookPid)).toBe(true);
    expect(await waitGone(childPid)).toBe(true);
  });

  it("escalates to SIGKILL when the hook ignores SIGTERM", async () => {
    const repo = tmp();
    hook(repo, "on-drift", "trap '' TERM\nsleep 300 &\necho $! > child.pid\nwhile :; do sleep 0.1; done");
    const r = await runHooks(
      "on-drift",
      { ...preApply(repo), phase: "on-drift", command: "drift", devices: [] },
      { repoRoot: repo, timeoutMs: 300, killGraceMs: 300 },
    );
    expect(r.results[0]).toMatchObject({ ok: false, timedOut: true, signal: "SIGKILL" });
    expect(r.aborted).toBe(false); // on-drift never aborts
    expect(await waitGone(Number(readFileSync(join(repo, "child.pid"), "utf8")))).toBe(true);
  });

  it("kills what a hook left running when it exits, and does not wait for it", async () => {
    const repo = tmp();
    hook(repo, "post-apply", "sleep 300 &\necho $! > child.pid\necho done");
    const t0 = Date.now();
    const r = await runHooks(
      "post-apply",
      {
        ...preApply(repo),
        phase: "post-apply",
        ok: true,
        exitCode: 0,
        outcomes: [],
        summary: { unchanged: 2 },
        durationMs: 1,
      },
      { repoRoot: repo, timeoutMs: 10_000 },
    );
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(r.results[0]).toMatchObject({ ok: true, exitCode: 0, timedOut: false, output: "done" });
    expect(await waitGone(Number(readFileSync(join(repo, "child.pid"), "utf8")))).toBe(true);
  });

  it("at pre-apply stops at the first failing hook: the next is not run, the run aborts", async () => {
    const repo = tmp();
    hook(repo, "pre-apply.d/10-ok", "echo fine");
    hook(repo, "pre-apply.d/20-fail", "echo checking\necho 'outside the change window' >&2\nexit 3");
    hook(repo, "pre-apply.d/30-never", "touch ran-30");
    const journal: HookJournalEntry[] = [];
    const r = await runHooks("pre-apply", preApply(repo), {
      repoRoot: repo,
      journal: async (e) => {
        journal.push(e);
      },
    });
    expect(r.ok).toBe(false);
    expect(r.aborted).toBe(true);
    expect(r.reason).toMatch(
      /^pre-apply hook hooks\/pre-apply.d\/20-fail failed \(exit 3\): (checking|outside the change window)$/,
    );
    expect(r.results.map((x) => [x.name, x.ok, x.exitCode])).toEqual([
      ["hook:pre-apply:10-ok", true, 0],
      ["hook:pre-apply:20-fail", false, 3],
    ]);
    // stdout and stderr both, as they arrived (across the two pipes the order is not guaranteed).
    expect(r.results[1]?.output.split("\n").sort()).toEqual(["checking", "outside the change window"]);
    expect(existsSync(join(repo, "ran-30"))).toBe(false);
    expect(journal).toEqual([
      {
        runId: "20261129T120000Z-3f9a1c",
        device: "-",
        step: "hook:pre-apply:10-ok",
        ok: true,
        detail: "fine",
      },
      {
        runId: "20261129T120000Z-3f9a1c",
        device: "-",
        step: "hook:pre-apply:20-fail",
        ok: false,
        detail: r.results[1]?.output,
      },
    ]);
  });

  it("at post-device runs every hook: a failure is reported, never aborts; the journal names the device", async () => {
    const repo = tmp();
    hook(repo, "post-device.d/10-fail", "exit 1");
    hook(repo, "post-device.d/20-runs", 'echo "$RECONCILER_DEVICE"');
    const journal: HookJournalEntry[] = [];
    const r = await runHooks("post-device", postDevice(repo), {
      repoRoot: repo,
      journal: async (e) => {
        journal.push(e);
      },
    });
    expect(r.ok).toBe(false);
    expect(r.aborted).toBe(false);
    expect(r.reason).toBe("post-device hook hooks/post-device.d/10-fail failed (exit 1)");
    expect(r.results.map((x) => x.ok)).toEqual([false, true]);
    expect(journal.map((e) => [e.device, e.step, e.ok, e.detail])).toEqual([
      ["router-a", "hook:post-device:10-fail", false, undefined],
      ["router-a", "hook:post-device:20-runs", true, "router-a"],
    ]);
  });

  it("bounds the output (the rest counted) and redacts the run's secrets, also one cut by the bound", async () => {
    const repo = tmp();
    addRunSecrets(["hunter2-secret-value"]);
    // A secret, x up to 3 bytes before the 64 KiB bound, the secret across the bound, 200 KiB more.
    hook(
      repo,
      "pre-apply",
      "echo 'password is hunter2-secret-value'\n" +
        "head -c 65500 /dev/zero | tr '\\0' x\n" +
        "printf 'hunter2-secret-value'\n" +
        "head -c 204800 /dev/zero | tr '\\0' y\n" +
        "echo 'webhook https://hooks.example.net/T000/B000/XXXX'",
    );
    const r = await runHooks("pre-apply", preApply(repo), {
      repoRoot: repo,
      env: { RECONCILER_HOOK_NOTIFY_URL: "https://hooks.example.net/T000/B000/XXXX" },
    });
    expect(r.ok).toBe(true);
    const out = r.results[0]?.output ?? "";
    expect(out).not.toContain("hunter");
    expect(out).not.toContain("hunter2-secret-value");
    // The usual patterns (model/errors.ts) and the run's secrets, both.
    expect(out.startsWith("password [redacted] (secret)\nxxx")).toBe(true);
    const total =
      Buffer.byteLength("password is hunter2-secret-value\n") +
      65500 +
      20 +
      204800 +
      Buffer.byteLength("webhook https://hooks.example.net/T000/B000/XXXX\n");
    // The secret began 3 bytes before the bound: redacted first, then cut.
    expect(out).toMatch(/xxx\(secret?\n… \(/);
    expect(out).not.toContain("hun");
    expect(out).toMatch(new RegExp(`\\n… \\(${total - 65536} more bytes of output not kept\\)$`));
    expect(Buffer.byteLength(out)).toBeLessThan(65536 + 100);
  });

  it("redacts the values of the hook's *_URL / *_TOKEN variables in its output", async () => {
    const repo = tmp();
    hook(repo, "pre-apply", 'echo "posting to $RECONCILER_HOOK_NOTIFY_URL with $RECONCILER_HOOK_API_TOKEN"');
    const r = await runHooks("pre-apply", preApply(repo), {
      repoRoot: repo,
      env: {
        RECONCILER_HOOK_NOTIFY_URL: "https://hooks.example.net/T000/B000/XXXX",
        RECONCILER_HOOK_API_TOKEN: "tok-123456",
      },
    });
    expect(r.results[0]?.output).toBe("posting to [redacted] with [redacted]");
  });

  it("redacts the run's secrets from the document on stdin", async () => {
    const repo = tmp();
    addRunSecrets(["s3cr3t-in-an-error"]);
    hook(repo, "pre-apply", "cat");
    const doc = preApply(repo);
    doc.plan.devices[0] = {
      device: "router-a",
      platform: "debian",
      changes: 1,
      labels: { note: "s3cr3t-in-an-error" },
    };
    const r = await runHooks("pre-apply", doc, { repoRoot: repo });
    expect(JSON.parse(r.results[0]?.output ?? "").plan.devices[0].labels.note).toBe("(secret)");
  });

  it("reports a hook that cannot be started, and aborts at pre-apply", async () => {
    const repo = tmp();
    const path = join(repo, "hooks", "pre-apply");
    mkdirSync(join(repo, "hooks"));
    writeFileSync(path, "#!/nonexistent/interpreter\n");
    chmodSync(path, 0o755);
    const r = await runHooks("pre-apply", preApply(repo), { repoRoot: repo });
    expect(r.aborted).toBe(true);
    expect(r.results[0]).toMatchObject({
      ok: false,
      exitCode: null,
      error: expect.stringContaining("ENOENT"),
    });
    expect(r.reason).toMatch(/^pre-apply hook hooks\/pre-apply could not be started: /);
  });

  it("refuses the phase's hooks when one leads outside the repository: aborts at pre-apply, journalled", async () => {
    const repo = tmp();
    const outside = tmp();
    hook(outside, "evil", "touch ran-evil");
    hook(repo, "pre-apply.d/10-ok", "touch ran-ok");
    const { symlinkSync } = await import("node:fs");
    symlinkSync(join(outside, "hooks", "evil"), join(repo, "hooks", "pre-apply.d", "20-evil"));
    const journal: HookJournalEntry[] = [];
    const r = await runHooks("pre-apply", preApply(repo), {
      repoRoot: repo,
      journal: async (e) => {
        journal.push(e);
      },
    });
    expect(r).toMatchObject({ ok: false, aborted: true, results: [] });
    expect(r.reason).toMatch(
      /^pre-apply hooks refused: hook hooks\/pre-apply.d\/20-evil leads outside the repository/,
    );
    expect(existsSync(join(repo, "ran-ok"))).toBe(false);
    expect(existsSync(join(outside, "ran-evil"))).toBe(false);
    expect(journal).toEqual([
      expect.objectContaining({
        step: "hook:pre-apply",
        ok: false,
        detail: expect.stringContaining("outside"),
      }),
    ]);
  });

  it("returns a non-executable hook as skipped, runs the others, and a journal that fails is a warning", async () => {
    const repo = tmp();
    hook(repo, "pre-apply.d/10-off", "exit 1", 0o644);
    hook(repo, "pre-apply.d/20-on", "echo on");
    const r = await runHooks("pre-apply", preApply(repo), {
      repoRoot: repo,
      journal: async () => {
        throw new Error("disk full");
      },
    });
    expect(r.ok).toBe(true);
    expect(r.results.map((x) => x.hook)).toEqual(["hooks/pre-apply.d/20-on"]);
    expect(r.skipped.map((s) => s.path)).toEqual(["hooks/pre-apply.d/10-off"]);
    expect(r.warnings).toEqual(["the journal could not be written: disk full"]);
  });

  it("an abort signal kills the running hook and runs no other", async () => {
    const repo = tmp();
    hook(repo, "pre-plan.d/10-slow", "sleep 300");
    hook(repo, "pre-plan.d/20-next", "touch ran-20");
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const r = await runHooks(
      "pre-plan",
      { ...preApply(repo), phase: "pre-plan", selection: { devices: ["router-a"] } },
      { repoRoot: repo, signal: ac.signal, killGraceMs: 200 },
    );
    expect(r.ok).toBe(false);
    expect(r.aborted).toBe(true);
    expect(r.results[0]).toMatchObject({ ok: false, signal: "SIGTERM" });
    expect(existsSync(join(repo, "ran-20"))).toBe(false);
  });
});
