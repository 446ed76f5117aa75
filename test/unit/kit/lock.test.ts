// The device lock, run in dash against a temporary state directory: take, refuse, name the
// holder and its run's state, release only one's own, break only a dead unarmed run's.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { DeviceLayout } from "../../../reconciler/drivers/kit/layout.ts";
import {
  breakLockScript,
  lockHolder,
  lockScript,
  releaseIfOursLines,
  unlockScript,
} from "../../../reconciler/drivers/kit/lock.ts";
import { dash, dashSyntax } from "./dash.ts";

const layout = (): DeviceLayout => ({ stateDir: join(mkdtempSync(join(tmpdir(), "kit-lock-")), "state") });

describe("lock scripts", () => {
  it("are valid POSIX sh", () => {
    const l = layout();
    for (const s of [
      lockScript(l, "run-1", "host pid 1", "t"),
      unlockScript(l, "run-1"),
      breakLockScript(l, "run-1"),
      releaseIfOursLines(l, "run-1").join("\n"),
    ])
      expect(dashSyntax(s)).toBe("ok");
  });

  it("take the lock once; a second run is told who holds it and what its run is doing", () => {
    const l = layout();
    expect(dash(lockScript(l, "run-1", "ops pid 42", "2026-01-01T00:00:00Z")).stdout).toBe("@@locked\n");
    // Taking it again from the same run is fine (a retried step).
    expect(dash(lockScript(l, "run-1", "ops pid 42", "t")).stdout).toBe("@@locked\n");
    const held = dash(lockScript(l, "run-2", "ops pid 43", "t")).stdout;
    expect(held).toMatch(
      /^@@held\nrun=run-1\nholder=ops pid 42\ntime=2026-01-01T00:00:00Z\nstate=absent\nage=\d+\n$/,
    );
    mkdirSync(join(l.stateDir, "runs", "run-1"), { recursive: true });
    writeFileSync(join(l.stateDir, "runs", "run-1", "armed"), "");
    const armed = dash(lockScript(l, "run-2", "ops pid 43", "t")).stdout;
    expect(lockHolder(armed, { host: "ops", alive: () => true })).toMatchObject({
      run: "run-1",
      state: "armed",
    });
  });

  it("unlock frees only this run's lock", () => {
    const l = layout();
    dash(lockScript(l, "run-1", "h", "t"));
    expect(dash(unlockScript(l, "run-2")).stdout).toBe("@@not-ours\n");
    expect(existsSync(join(l.stateDir, "lock"))).toBe(true);
    expect(dash(unlockScript(l, "run-1")).stdout).toBe("@@unlocked\n");
    expect(existsSync(join(l.stateDir, "lock"))).toBe(false);
  });

  it("break frees a dead run's lock and its candidate, never an armed run's nor another's", () => {
    const l = layout();
    expect(dash(breakLockScript(l, "run-1")).stdout).toBe("@@not-locked\n");
    dash(lockScript(l, "run-1", "h", "t"));
    const run = join(l.stateDir, "runs", "run-1");
    mkdirSync(join(run, "candidate"), { recursive: true });
    writeFileSync(join(run, "armed"), "");
    expect(dash(breakLockScript(l, "run-1"))).toMatchObject({ stdout: "state=armed\n@@armed\n", status: 4 });
    expect(dash(breakLockScript(l, "run-9"))).toMatchObject({ status: 3 });
    expect(dash(breakLockScript(l, "run-9")).stdout).toMatch(/^@@other\nrun=run-1\n/);
    dash(`mv ${run}/armed ${run}/confirmed`);
    expect(dash(breakLockScript(l, "run-1")).stdout).toBe("state=confirmed\n@@unlocked\n");
    expect(existsSync(join(run, "candidate"))).toBe(false);
    expect(existsSync(join(l.stateDir, "lock"))).toBe(false);
  });

  it("the timer's release frees the lock only for its own run", () => {
    const l = layout();
    dash(lockScript(l, "run-1", "h", "t"));
    dash(releaseIfOursLines(l, "run-2").join("\n"));
    expect(existsSync(join(l.stateDir, "lock"))).toBe(true);
    dash(releaseIfOursLines(l, "run-1").join("\n"));
    expect(existsSync(join(l.stateDir, "lock"))).toBe(false);
  });

  it("quotes a hostile holder text and refuses a hostile run id", () => {
    const l = { stateDir: "/var/lib/reconciler" };
    const s = lockScript(l, "run-1", "evil'$(reboot)`id`\nhost", "t");
    expect(s).toContain(`'run=run-1\nholder=evil'\\''$(reboot)\`id\`?host\ntime=t\n'`);
    expect(() => lockScript(l, "$(reboot)", "h", "t")).toThrow(/run id/);
    expect(() => unlockScript(l, "../x")).toThrow(/run id/);
  });
});

describe("lockHolder", () => {
  const text = (holder: string, state: string) =>
    `@@held\nrun=r-1\nholder=${holder}\ntime=t0\nstate=${state}\nage=12\n`;

  it("calls a lock stale when its process on this host is gone, or its run already ended", () => {
    const here = { host: "ops", alive: (pid: number) => pid !== 7 };
    expect(lockHolder(text("ops pid 7", "staged"), here).stale).toBe(
      "its process (pid 7 on this host) is gone",
    );
    expect(lockHolder(text("ops pid 8", "confirmed"), here).stale).toBe(
      "its run already ended on the device (confirmed)",
    );
    expect(lockHolder(text("ops pid 8", "staged"), here).stale).toBeUndefined();
    // Another host's pid says nothing here.
    expect(lockHolder(text("elsewhere pid 7", "armed"), here)).toMatchObject({
      deadProcess: false,
      state: "armed",
    });
    expect(lockHolder(text("ops pid 8", "staged"), here).describe).toBe(
      "run r-1 (ops pid 8, since t0, 12 s ago; on the device: staged)",
    );
  });
});
