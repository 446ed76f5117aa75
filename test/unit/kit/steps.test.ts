// The shared apply steps judge what the kit's scripts print: over a session that answers with
// recorded output, each step turns it into success or the right typed error, redacted.
import { describe, expect, it } from "vitest";
import type { ApplyContext } from "../../../reconciler/drivers/apply-contract.ts";
import { runStage, sharedSteps } from "../../../reconciler/drivers/kit/steps.ts";
import {
  CandidateRejectedError,
  CommandError,
  CommitFailedError,
  LockHeldError,
} from "../../../reconciler/model/errors.ts";
import type { CommandResult, PosixSession } from "../../../reconciler/transport/session.ts";
import { device } from "../debian/helpers.ts";

function answering(...outputs: Partial<CommandResult>[]) {
  const scripts: string[] = [];
  const session: PosixSession = {
    device: "r1",
    run: () => Promise.reject(new Error("steps use sh")),
    async sh(script) {
      scripts.push(script);
      const o = outputs.shift() ?? {};
      return { command: "sh -s", stdout: "", stderr: "", exitCode: 0, ...o };
    },
  };
  return { session, scripts };
}

const ctx = { runId: "run-2", device: device("router-a"), intent: {}, env: {} } as unknown as ApplyContext;
const steps = sharedSteps({ stateDir: "/var/lib/reconciler" });
const staged = { runId: "run-2", where: "", secrets: ["hunter2-secret"] };

describe("shared steps", () => {
  it("lock: taken, or held by another run named with advice", async () => {
    await steps.lock(answering({ stdout: "@@locked\n" }).session, ctx);
    const held = "@@held\nrun=run-1\nholder=elsewhere pid 9\ntime=t0\nstate=armed\nage=5\n";
    const err = await steps.lock(answering({ stdout: held }).session, ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockHeldError);
    expect((err as Error).message).toMatch(
      /locked by run run-1 \(elsewhere pid 9, since t0, 5 s ago; on the device: armed\); that run's change is not confirmed yet/,
    );
  });

  it("lock takes over from a dead run on this host whose change is armed: reverts it, frees it, locks", async () => {
    const { hostname } = await import("node:os");
    const held = `@@held\nrun=run-1\nholder=${hostname()} pid 2147483646\ntime=t0\nstate=armed\nage=5\n`;
    const { session, scripts } = answering(
      { stdout: held },
      { stdout: "@@rolled-back 0\n" },
      { stdout: "@@unlocked\n" },
      { stdout: "@@locked\n" },
    );
    await steps.lock(session, ctx);
    expect(scripts).toHaveLength(4);
    expect(scripts[1]).toContain("RUN=/var/lib/reconciler/runs/run-1");
    expect(scripts[1]).toContain('sh "$RUN/revert.sh" now');
  });

  it("confirm too late, rearm too late, commit failing: CommitFailedError, secrets redacted", async () => {
    const late = await steps
      .confirm(
        answering({ stdout: "@@reverted\nrun run-2 was not confirmed\n", exitCode: 4 }).session,
        ctx,
        staged,
      )
      .catch((e: unknown) => e);
    expect(late).toBeInstanceOf(CommitFailedError);
    expect((late as Error).message).toMatch(/too late to confirm: .*run run-2 was not confirmed/);
    const rearm = await steps
      .rearm(answering({ stdout: "@@not-armed\n", exitCode: 4 }).session, ctx, staged, 60)
      .catch((e: unknown) => e);
    expect(rearm).toBeInstanceOf(CommitFailedError);
    const commit = await steps
      .commit(
        answering({ stderr: "bird: bad password hunter2-secret", exitCode: 1 }).session,
        ctx,
        staged,
        60,
      )
      .catch((e: unknown) => e);
    expect(commit).toBeInstanceOf(CommitFailedError);
    expect(`${(commit as CommitFailedError).message}${(commit as CommitFailedError).output}`).not.toContain(
      "hunter2-secret",
    );
  });

  it("arm fails loudly when the timer did not start", async () => {
    await expect(
      steps.arm(answering({ stdout: "@@no-timer\n", exitCode: 3 }).session, ctx, staged, 60),
    ).rejects.toBeInstanceOf(CommandError);
    await steps.arm(answering({ stdout: "@@armed 123\n" }).session, ctx, staged, 60);
  });
});

describe("runStage", () => {
  const nonce = "00112233445566778899";
  const section = (name: string, text: string, rc: string) =>
    `@@reconciler:${nonce}:begin ${name}@@\n${text}\n@@reconciler:${nonce}:end ${name} rc=${rc}@@\n`;
  const stage = { script: "true", nonce, secrets: ["hunter2-secret"], describe: (c: string) => `tool ${c}` };

  it("names each validator that refused, with its output, redacted", async () => {
    const stdout = `${section("check:a", "fine", "0")}${section("check:b", "line 3: hunter2-secret unexpected", "1")}@@rejected\n`;
    const err = await runStage(answering({ stdout }).session, ctx, stage).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CandidateRejectedError);
    expect((err as Error).message).toBe(
      "router-a: candidate rejected on the device: tool b: line 3: [redacted] unexpected",
    );
  });

  it("accepts @@staged, and fails anything else as a CommandError", async () => {
    await runStage(answering({ stdout: "@@staged\n" }).session, ctx, stage);
    await expect(
      runStage(answering({ stdout: "@@upload-failed\n", exitCode: 2 }).session, ctx, stage),
    ).rejects.toBeInstanceOf(CommandError);
  });
});
