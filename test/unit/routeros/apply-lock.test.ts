import { hostname } from "node:os";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ApplyContext } from "../../../reconciler/drivers/apply-contract.ts";
import { routerosApply } from "../../../reconciler/drivers/routeros/apply.ts";
import { routerosDriver } from "../../../reconciler/drivers/routeros/driver.ts";
import { LockHeldError } from "../../../reconciler/model/errors.ts";
import type { ResolvedDevice } from "../../../reconciler/model/repo.ts";
import type { SshTransport } from "../../../reconciler/transport/ssh.ts";
import { type SimTower, startSimTower } from "../../sim/routeros/harness.ts";
import type { RouterOsSsh } from "../../sim/routeros/ssh-server.ts";

let tower: SimTower;
let sim: RouterOsSsh;
let device: ResolvedDevice;
let transport: SshTransport;

beforeAll(async () => {
  tower = await startSimTower();
  ({ sim, device } = tower);
  transport = tower.transport();
});

afterAll(async () => {
  await transport?.closeAll();
  await tower?.close();
});

beforeEach(() => {
  sim.router.run('/file remove [find where name="reconciler-lock.txt"]');
});

const ctx = (runId: string): ApplyContext => ({ runId, device, intent: {}, env: {} });
const lockFile = () => sim.router.engine.readFile("reconciler-lock.txt");

describe("the RouterOS device lock", () => {
  it("refuses a second run with LockHeldError naming the holder: run, host, pid, since when", async () => {
    const s = await transport.session("tower-1");
    await routerosApply.lock(s, ctx("run-a"));
    expect(lockFile()).toMatch(new RegExp(`^run=run-a host=\\S+ pid=${process.pid} time=\\d{4}-`));
    const err = await routerosApply.lock(s, ctx("run-b")).catch((e) => e);
    expect(err).toBeInstanceOf(LockHeldError);
    expect(err.message).toContain("run run-a");
    expect(err.message).toContain(`on ${hostname().replace(/\s/g, "_")} (pid ${process.pid}) since `);
    expect(err.message).toContain("reconciler unlock tower-1 --run run-a");
    // The lock is in no export: it is not configuration.
    expect(sim.router.run("/export").output).not.toContain("reconciler");
    await routerosApply.unlock(s, ctx("run-b")); // not its lock: left alone
    expect(lockFile()).toContain("run=run-a ");
    await routerosApply.lock(s, ctx("run-a")); // its own: taken already
    await routerosApply.unlock(s, ctx("run-a"));
    expect(lockFile()).toBeUndefined();
    await routerosApply.lock(s, ctx("run-b"));
    await routerosApply.unlock(s, ctx("run-b"));
  });

  it("names a holder that is not a run as what the lock says, quoted", async () => {
    sim.router.run('/file add name="reconciler-lock.txt" contents="held by hand; do not touch"');
    const s = await transport.session("tower-1");
    const err = await routerosApply.lock(s, ctx("run-c")).catch((e) => e);
    expect(err).toBeInstanceOf(LockHeldError);
    expect(err.message).toContain('"held by hand; do not touch"');
  });

  it("two runs racing over two connections: exactly one gets it", async () => {
    const other = tower.transport();
    try {
      const [a, b] = await Promise.allSettled([
        routerosApply.lock(await transport.session("tower-1"), ctx("race-1")),
        routerosApply.lock(await other.session("tower-1"), ctx("race-2")),
      ]);
      const won = [a, b].filter((r) => r.status === "fulfilled");
      const lost = [a, b].filter((r) => r.status === "rejected") as PromiseRejectedResult[];
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]?.reason).toBeInstanceOf(LockHeldError);
      expect(lockFile()).toMatch(/^run=race-[12] /);
    } finally {
      await other.closeAll();
    }
  });

  it("`reconciler unlock --run`: only that run's lock, never while its revert is pending", async () => {
    const s = await transport.session("tower-1");
    expect(await routerosApply.releaseLock(s, device, "dead-1")).toBe("not-locked");
    await routerosApply.lock(s, ctx("dead-1"));
    await expect(routerosApply.releaseLock(s, device, "dead-2")).rejects.toThrow(
      /held by another run: run dead-1/,
    );
    // Armed: its change is not confirmed, the device will revert it by itself.
    const c = ctx("dead-1");
    const live = await routerosDriver.read(s, device);
    const staged = await routerosApply.stage(s, c, { kind: "commands", commands: [] }, live);
    await routerosApply.arm?.(s, c, staged, 600);
    const armed = await routerosApply.releaseLock(s, device, "dead-1").catch((e) => e);
    expect(armed).toBeInstanceOf(LockHeldError);
    expect(armed.message).toMatch(/dead-1 is armed/);
    expect(lockFile()).toContain("run=dead-1 ");
    await routerosApply.abandon(s, c);
    expect(await routerosApply.releaseLock(s, device, "dead-1")).toBe("released");
    expect(lockFile()).toBeUndefined();
    expect(sim.router.run("/export").output).not.toContain("reconciler");
  });
});
