// The contract every driver passes, run against each with its simulator or the lab: read is one
// round trip and returns no secret; the candidate is deterministic; a freshly applied device plans
// no changes; an unmanaged item is reported, never deleted; a rejected candidate never reaches the
// running configuration; rollback restores the device exactly; an unconfirmed commit reverts by
// itself once the connection is gone; the lock refuses a second run. A driver is done when it
// passes. Each platform supplies a ContractHarness: how to reach its device and how to look at
// the device from outside the driver (byte for byte, or the platform's own export).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applyWave } from "../../reconciler/apply/executor.ts";
import type { ApplyContext, ApplyDriver } from "../../reconciler/drivers/apply-contract.ts";
import type { Driver } from "../../reconciler/drivers/driver.ts";
import { CandidateRejectedError, LockHeldError } from "../../reconciler/model/errors.ts";
import type { LiveState } from "../../reconciler/model/live.ts";
import type { ResolvedDevice } from "../../reconciler/model/repo.ts";
import { candidateFingerprint } from "../../reconciler/plan/candidate.ts";
import { planDevice } from "../../reconciler/plan/planner.ts";
import type { DeviceIntent } from "../../reconciler/schema/device.ts";
import { StateStore } from "../../reconciler/state/store.ts";
import type { DeviceSession, Transport } from "../../reconciler/transport/session.ts";

export interface ContractHarness {
  /** Shown in the test names, e.g. "debian on the lab". */
  name: string;
  driver: Driver;
  apply: ApplyDriver;
  device(): ResolvedDevice;
  /** A transport to the device (a new one per call; the suite closes it). */
  transport(): Transport;
  /** Desired states: applied, changed from it, and one the device's own validator refuses. */
  desired: { base: DeviceIntent; changed: DeviceIntent; rejected: DeviceIntent };
  env: Record<string, string>;
  /** Values that must never appear in what read() returns (the secrets the device holds). */
  secrets(): string[];
  /** The device's configuration as seen from outside the driver: equal means exactly restored. */
  exportConfig(): Promise<string>;
  /** Puts something on the device that git does not describe; returns the path a plan reports it at. */
  addUnmanaged(): Promise<string>;
  removeUnmanaged(): Promise<void>;
  /** The confirm timeout the suite's unconfirmed commit uses, in seconds (small). */
  revertAfterS: number;
  /** The longest a test may take, in ms. */
  timeoutMs: number;
}

let runSeq = 0;
const runId = () => `contract-${Date.now().toString(36)}-${++runSeq}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Counts the round trips a session makes (one per command, script or line sent). */
function counting(session: DeviceSession): { session: DeviceSession; count: () => number } {
  let n = 0;
  const wrapped = new Proxy(session, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== "function") return v;
      return (...args: unknown[]) => {
        n++;
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { session: wrapped, count: () => n };
}

export function describeDriverContract(h: ContractHarness): void {
  const ctx = (intent: DeviceIntent, id = runId()): ApplyContext => ({
    runId: id,
    device: h.device(),
    intent,
    env: h.env,
  });
  const read = async (t: Transport): Promise<LiveState> =>
    h.driver.read(await t.session(h.device().name), h.device());
  const planOf = (intent: DeviceIntent, live: LiveState) =>
    planDevice({ device: h.device(), desired: intent, live }, h.driver);

  /** The whole protocol through the shared executor; health has no probes here (the lab tests have them). */
  const applyIntent = async (intent: DeviceIntent) => {
    const t = h.transport();
    const dir = mkdtempSync(join(tmpdir(), "reconciler-contract-"));
    try {
      const live = await read(t);
      const [outcome] = await applyWave(
        [
          {
            device: h.device(),
            intent,
            candidate: h.driver.candidate(intent, h.device(), live),
            live,
            probes: [],
            publicKeys: {},
          },
        ],
        {
          runId: runId(),
          transport: t,
          drivers: { [h.device().platform]: h.apply },
          store: new StateStore(dir),
          env: h.env,
          confirmTimeoutS: 120,
          healthTimeoutS: 10,
          pollIntervalMs: 200,
        },
      );
      return outcome;
    } finally {
      await t.closeAll();
      rmSync(dir, { recursive: true, force: true });
    }
  };

  /** Lock, stage the suite's "changed" state, arm (where the platform needs it) and commit. */
  const commitChanged = async (s: DeviceSession, c: ApplyContext, timeoutS: number) => {
    const live = await h.driver.read(s, h.device());
    await h.apply.lock(s, c);
    const staged = await h.apply.stage(s, c, h.driver.candidate(h.desired.changed, h.device(), live), live);
    await h.apply.arm?.(s, c, staged, timeoutS);
    await h.apply.commit(s, c, staged, timeoutS);
    return staged;
  };

  describe(`driver contract: ${h.name}`, () => {
    it(
      "a freshly applied device plans no changes; applying again changes nothing",
      async () => {
        expect((await applyIntent(h.desired.base))?.result).toBe("confirmed");
        const t = h.transport();
        try {
          const p = planOf(h.desired.base, await read(t));
          expect({
            status: p.status,
            changes: p.changes,
            files: p.files,
            commands: p.commands ?? [],
          }).toEqual({
            status: "unchanged",
            changes: [],
            files: [],
            commands: [],
          });
          const before = await h.exportConfig();
          expect((await applyIntent(h.desired.base))?.result).toBe("confirmed");
          expect(await h.exportConfig()).toBe(before);
        } finally {
          await t.closeAll();
        }
      },
      h.timeoutMs,
    );

    it(
      "read is one round trip and returns no secret",
      async () => {
        const t = h.transport();
        try {
          const { session, count } = counting(await t.session(h.device().name));
          const live = await h.driver.read(session, h.device());
          expect(count()).toBe(1);
          const all = JSON.stringify(live);
          const secrets = h.secrets();
          expect(secrets.length).toBeGreaterThan(0);
          for (const s of secrets) expect(all).not.toContain(s);
        } finally {
          await t.closeAll();
        }
      },
      h.timeoutMs,
    );

    it(
      "the candidate is deterministic",
      async () => {
        const t = h.transport();
        try {
          const live = await read(t);
          const a = h.driver.candidate(h.desired.changed, h.device(), live);
          const b = h.driver.candidate(structuredClone(h.desired.changed), h.device(), structuredClone(live));
          expect(b).toEqual(a);
          expect(candidateFingerprint(b)).toBe(candidateFingerprint(a));
          // And it is a change: the suite's "changed" state differs from what runs.
          expect(planOf(h.desired.changed, live).status).toBe("changes");
        } finally {
          await t.closeAll();
        }
      },
      h.timeoutMs,
    );

    it(
      "an unmanaged item is reported, never deleted",
      async () => {
        const path = await h.addUnmanaged();
        try {
          const t = h.transport();
          try {
            const p = planOf(h.desired.base, await read(t));
            expect(p.unmanaged.map((u) => u.path)).toContain(path);
            expect(p.changes.filter((c) => c.path.startsWith(path))).toEqual([]);
          } finally {
            await t.closeAll();
          }
          expect((await applyIntent(h.desired.changed))?.result).toBe("confirmed");
          const t2 = h.transport();
          try {
            // Still there after an apply: read back from the device, not remembered.
            expect(planOf(h.desired.changed, await read(t2)).unmanaged.map((u) => u.path)).toContain(path);
          } finally {
            await t2.closeAll();
          }
        } finally {
          await h.removeUnmanaged();
          await applyIntent(h.desired.base);
        }
      },
      h.timeoutMs,
    );

    it(
      "a rejected candidate never reaches the running configuration",
      async () => {
        const before = await h.exportConfig();
        const t = h.transport();
        const c = ctx(h.desired.rejected);
        const s = await t.session(h.device().name);
        try {
          const live = await h.driver.read(s, h.device());
          await h.apply.lock(s, c);
          const err = await h.apply
            .stage(s, c, h.driver.candidate(h.desired.rejected, h.device(), live), live)
            .catch((e) => e);
          expect(err).toBeInstanceOf(CandidateRejectedError);
          await h.apply.abandon(s, c);
          await h.apply.unlock(s, c);
        } finally {
          await t.closeAll();
        }
        expect(await h.exportConfig()).toBe(before);
      },
      h.timeoutMs,
    );

    it(
      "rollback after a commit restores the device exactly",
      async () => {
        const before = await h.exportConfig();
        const t = h.transport();
        const c = ctx(h.desired.changed);
        const s = await t.session(h.device().name);
        try {
          const staged = await commitChanged(s, c, 120);
          expect(await h.exportConfig()).not.toBe(before);
          await h.apply.rollback(s, c, staged);
          await h.apply.unlock(s, c);
        } finally {
          await t.closeAll();
        }
        expect(await h.exportConfig()).toBe(before);
      },
      h.timeoutMs,
    );

    it(
      "an unconfirmed commit reverts by itself once the connection is gone",
      async () => {
        const before = await h.exportConfig();
        const t = h.transport();
        const c = ctx(h.desired.changed);
        const s = await t.session(h.device().name);
        await commitChanged(s, c, h.revertAfterS);
        expect(await h.exportConfig()).not.toBe(before);
        await t.closeAll(); // the reconciler is gone
        let restored = false;
        const deadline = Date.now() + (h.revertAfterS + 30) * 1000;
        while (!restored && Date.now() < deadline) {
          await sleep(500);
          restored = (await h.exportConfig()) === before;
        }
        expect(restored).toBe(true);
        // The revert ends with the device free for the next run (its reload may outlast the
        // restored files; a platform may leave the reverted run's lock for the next one to take over).
        const t2 = h.transport();
        try {
          const s2 = await t2.session(h.device().name);
          const next = ctx(h.desired.base);
          let locked = false;
          while (!locked && Date.now() < deadline) {
            locked = await h.apply.lock(s2, next).then(
              () => true,
              (e: unknown) => {
                if (!(e instanceof LockHeldError)) throw e;
                return sleep(500).then(() => false);
              },
            );
          }
          expect(locked).toBe(true);
          await h.apply.unlock(s2, next);
        } finally {
          await t2.closeAll();
        }
      },
      h.timeoutMs,
    );

    it(
      "the lock refuses a second run, and frees for the next once released",
      async () => {
        const t = h.transport();
        const s = await t.session(h.device().name);
        const first = ctx(h.desired.base);
        const second = ctx(h.desired.base);
        try {
          await h.apply.lock(s, first);
          await expect(h.apply.lock(s, second)).rejects.toBeInstanceOf(LockHeldError);
          await h.apply.unlock(s, second); // not its lock: nothing happens
          await expect(h.apply.lock(s, second)).rejects.toBeInstanceOf(LockHeldError);
          await h.apply.unlock(s, first);
          await h.apply.lock(s, second);
          await h.apply.unlock(s, second);
        } finally {
          await t.closeAll();
        }
      },
      h.timeoutMs,
    );
  });
}
