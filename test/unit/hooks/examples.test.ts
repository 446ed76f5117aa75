// The example hooks (hooks/examples/, written with zx), run as the runner runs them: the file
// itself (its shebang), the document on stdin, a minimal environment. The change window is judged
// at a fixed time (RECONCILER_HOOK_NOW, the example's input for testing it); the notification
// posts to a local webhook.
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { PreApplyDocument } from "../../../reconciler/hooks/phases.ts";
import { runHooks } from "../../../reconciler/hooks/run.ts";

const ROOT = resolve(import.meta.dirname, "..", "..", "..");
const EXAMPLES = join(ROOT, "hooks", "examples");

function run(
  script: string,
  env: Record<string, string>,
  stdin: unknown,
): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    const child = execFile(
      join(EXAMPLES, script),
      [],
      {
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/", ...env },
        timeout: 20_000,
      },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number }).code ?? -1) : 0;
        done({ code: typeof code === "number" ? code : -1, out: `${stdout}${stderr}`.trim() });
      },
    );
    child.stdin?.end(stdin === undefined ? "" : JSON.stringify(stdin));
  });
}

const planWithChanges = {
  phase: "pre-apply",
  runId: "20261129T120000Z-3f9a1c",
  command: "apply",
  time: "2026-11-29T12:00:00.000Z",
  repository: { path: "/repo" },
  plan: { devices: [{ device: "router-a", platform: "debian", changes: 2 }] },
};

describe("hooks/examples/pre-apply.change-window.mjs", () => {
  const WINDOW = "Tue,Thu 22:00-04:00 Europe/Berlin";
  // 2026-12-01 is a Tuesday; Berlin is UTC+1 in December.
  const judge = (now: string, window = WINDOW, extra: Record<string, string> = {}) =>
    run(
      "pre-apply.change-window.mjs",
      { RECONCILER_HOOK_CHANGE_WINDOW: window, RECONCILER_HOOK_NOW: now, ...extra },
      planWithChanges,
    );

  it("passes inside the window, also after midnight of a window that crosses it", async () => {
    const tue = await judge("2026-12-01T21:30:00Z"); // Tue 22:30 Berlin
    expect(tue).toEqual({
      code: 0,
      out: 'change window open: "Tue,Thu 22:00-04:00 Europe/Berlin" until Wed 2026-12-02 04:00 Europe/Berlin',
    });
    expect((await judge("2026-12-02T02:59:00Z")).code).toBe(0); // Wed 03:59 Berlin: Tuesday's window
  });

  it("refuses outside it, saying when the next window opens", async () => {
    expect(await judge("2026-12-01T20:30:00Z")).toEqual({
      code: 1,
      out:
        "outside the change window at 2026-12-01T20:30:00.000Z: the next window opens " +
        'Tue 2026-12-01 22:00 Europe/Berlin (in 30m): "Tue,Thu 22:00-04:00 Europe/Berlin"',
    });
    const wed = await judge("2026-12-02T03:00:00Z"); // Wed 04:00 Berlin: just closed
    expect(wed.code).toBe(1);
    expect(wed.out).toContain("the next window opens Thu 2026-12-03 22:00 Europe/Berlin (in 1d 18h 0m)");
    // Wednesday 22:30 is not a window day (and Thursday's has not opened).
    expect((await judge("2026-12-02T21:30:00Z")).code).toBe(1);
  });

  it("takes several windows, day ranges and a default zone of UTC", async () => {
    const windows = "Mon-Fri 22:00-05:00 Europe/Berlin; Sat,Sun 00:00-24:00";
    expect((await judge("2026-12-05T10:00:00Z", windows)).code).toBe(0); // Saturday, all day UTC
    expect((await judge("2026-12-03T12:00:00Z", windows)).code).toBe(1); // Thursday noon
    expect((await judge("2026-12-03T21:15:00Z", windows)).code).toBe(0); // Thursday 22:15 Berlin
    const fri = await judge("2026-12-04T12:00:00Z", windows);
    expect(fri.out).toContain("the next window opens Fri 2026-12-04 22:00 Europe/Berlin (in 9h 0m)");
  });

  it("fails closed without a window, passes a plan with nothing to change, honours an override", async () => {
    const none = await run(
      "pre-apply.change-window.mjs",
      { RECONCILER_HOOK_NOW: "2026-12-01T12:00:00Z" },
      planWithChanges,
    );
    expect(none.code).toBe(1);
    expect(none.out).toContain("RECONCILER_HOOK_CHANGE_WINDOW is not set");

    const nothing = await run(
      "pre-apply.change-window.mjs",
      { RECONCILER_HOOK_NOW: "2026-12-01T12:00:00Z" },
      { ...planWithChanges, plan: { devices: [{ device: "router-a", platform: "debian", changes: 0 }] } },
    );
    expect(nothing).toEqual({ code: 0, out: "change window: nothing to change, no window needed" });

    const overridden = await judge("2026-12-01T12:00:00Z", WINDOW, {
      RECONCILER_HOOK_CHANGE_WINDOW_OVERRIDE: "INC-4711 core link down",
    });
    expect(overridden.code).toBe(0);
    expect(overridden.out).toMatch(
      /^change window closed, OVERRIDDEN \(INC-4711 core link down\); the next window/,
    );
  });

  it("refuses a window it cannot read (exit 2), naming it", async () => {
    const bad = await judge("2026-12-01T12:00:00Z", "Tue 22:00 Europe/Berlin");
    expect(bad).toEqual({
      code: 2,
      out: 'change window: change window "Tue 22:00 Europe/Berlin": expected DAYS HH:MM-HH:MM [ZONE]',
    });
    expect((await judge("2026-12-01T12:00:00Z", "Tue 22:00-23:00 Mars/Olympus")).out).toContain(
      "unknown time zone Mars/Olympus",
    );
    expect((await judge("2026-12-01T12:00:00Z", "Tue,Xyz 22:00-23:00")).out).toContain(
      'unknown day in "Xyz"',
    );
  });
});

describe("an example enabled as the README says (copied into hooks/pre-apply.d/)", () => {
  it("is run by runHooks, configured by a RECONCILER_HOOK_* variable of the reconciler's environment", async () => {
    const repo = realpathSync(mkdtempSync(join(tmpdir(), "reconciler-hooks-example-")));
    try {
      // The repository's node_modules (npm ci), where the hook finds zx.
      symlinkSync(join(ROOT, "node_modules"), join(repo, "node_modules"));
      mkdirSync(join(repo, "hooks", "pre-apply.d"), { recursive: true });
      copyFileSync(
        join(EXAMPLES, "pre-apply.change-window.mjs"),
        join(repo, "hooks", "pre-apply.d", "10-change-window.mjs"),
      );
      const doc = { ...planWithChanges, repository: { path: repo } } as PreApplyDocument;
      const at = (now: string) =>
        runHooks("pre-apply", doc, {
          repoRoot: repo,
          baseEnv: {
            PATH: process.env.PATH,
            HOME: process.env.HOME,
            RECONCILER_HOOK_CHANGE_WINDOW: "Tue,Thu 22:00-04:00 Europe/Berlin",
            RECONCILER_HOOK_NOW: now,
          },
        });
      const closed = await at("2026-12-01T12:00:00Z");
      expect(closed).toMatchObject({ ok: false, aborted: true });
      expect(closed.reason).toMatch(
        /^pre-apply hook hooks\/pre-apply.d\/10-change-window.mjs failed \(exit 1\): outside the change window at .* the next window opens Tue 2026-12-01 22:00 Europe\/Berlin/,
      );
      expect(await at("2026-12-01T21:30:00Z")).toMatchObject({ ok: true, aborted: false });
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});

describe("hooks/examples/post-apply.notify.mjs", () => {
  const doc = {
    phase: "post-apply",
    runId: "20261129T120000Z-3f9a1c",
    command: "apply",
    time: "2026-11-29T12:00:00.000Z",
    repository: { path: "/repo", revision: "0123456789abcdef0123456789abcdef01234567" },
    ok: false,
    exitCode: 1,
    outcomes: [
      { device: "router-a", result: "confirmed" },
      { device: "router-b", result: "rolled-back" },
    ],
    summary: { confirmed: 1, "rolled-back": 1, unchanged: 3 },
    durationMs: 42_000,
  };
  const line =
    "reconciler apply 20261129T120000Z-3f9a1c @ 0123456789ab: FAILED " +
    "(1 confirmed, 1 rolled-back, 3 unchanged) in 42 s; router-b rolled-back";

  it("prints the one-line summary without a webhook", async () => {
    expect(await run("post-apply.notify.mjs", {}, doc)).toEqual({ code: 0, out: line });
  });

  it("posts it to the webhook, never printing the URL", async () => {
    const bodies: string[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        bodies.push(`${req.method} ${req.url} ${req.headers["content-type"]} ${body}`);
        res.end("ok");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    try {
      const r = await run(
        "post-apply.notify.mjs",
        { RECONCILER_HOOK_NOTIFY_URL: `http://127.0.0.1:${port}/T0/B0/s3cret` },
        doc,
      );
      expect(r).toEqual({ code: 0, out: `notified 127.0.0.1:${port}: ${line}` });
      expect(bodies).toEqual([`POST /T0/B0/s3cret application/json ${JSON.stringify({ text: line })}`]);
    } finally {
      server.close();
    }
  });

  it("gives up after its timeout and exits 1", async () => {
    const server = createServer(() => {
      // never answers
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    try {
      const t0 = Date.now();
      const r = await run(
        "post-apply.notify.mjs",
        {
          RECONCILER_HOOK_NOTIFY_URL: `http://127.0.0.1:${port}/hook`,
          RECONCILER_HOOK_NOTIFY_TIMEOUT_S: "1",
        },
        doc,
      );
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(r.code).toBe(1);
      expect(r.out).toContain("notify: the webhook failed: timed out");
      expect(r.out).not.toContain("/hook");
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it("summarises an on-failure document too", async () => {
    const r = await run(
      "post-apply.notify.mjs",
      {},
      {
        ...doc,
        phase: "on-failure",
        stage: "lockout",
        error: { kind: "Error", message: "router-c out of reach" },
      },
    );
    expect(r.out).toBe(
      "reconciler apply 20261129T120000Z-3f9a1c @ 0123456789ab: FAILED at lockout: router-c out of reach",
    );
  });
});
