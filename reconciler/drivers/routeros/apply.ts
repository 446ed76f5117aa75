// The RouterOS v7 driver's apply half: commit-confirmed by a scheduler entry on the device.
//
// RouterOS has no candidate datastore, no dry run and no commit-confirm a script can use (safe
// mode belongs to an interactive terminal), so:
// - lock: a file `reconciler-lock.txt` (files are no part of `/export`) whose contents name the
//   run, host, pid and time. `/file add` refuses a name that exists: that is the test-and-set.
// - stage: the command list with its `@secret:ENV@` placeholders filled from ctx.env (only
//   variables the intent declares), checked against the device (each line one command; every
//   interface a line refers to exists there or is added before), and the undo script: the inverse
//   of each command, built from the state as read (values the terse export leaves out, being
//   defaults, and secrets are asked of the device with `get`), in reverse order, each step
//   idempotent (so that it also undoes a commit that stopped half way), uploaded as the
//   `/system script` `reconciler-undo-<run>` (in parts when long). A secret the undo needs (a
//   removed WireGuard interface's private key) waits in a file `reconciler-secret-<run>-<n>.txt`,
//   read by the undo with `[/file get ...]`: script sources are exported, files are not. A
//   removed item comes back with a new id, last in its menu. No on-device validation: RouterOS
//   has none; what stage can check before sending anything (one command per line, secrets set,
//   every interface a line refers to known to the device) refuses the candidate.
// - arm: the `/system scheduler` entry `reconciler-revert-<run>`, once (interval=0s) at the
//   device's clock plus the timeout; its event takes the run's decision (the file
//   `reconciler-decided-<run>.txt`, added once: whoever adds it first, confirm or the scheduler,
//   wins), removes itself, runs the undo script and removes it. rearm moves its start.
// - commit: the commands one line each, stopping at the first the device refuses.
// - confirm: takes the decision ("confirmed"), or finds it taken ("reverted": too late), then
//   removes the scheduler entry; the undo script stays as the run's restore point
//   `reconciler-restore-<run>` (restore.ts: emergency rollback), the newest ten kept.
// - rollback: takes the decision ("rolled-back") and runs the undo script now, unless the
//   scheduler already did.
// - health: `print terse` of OSPF neighbours, WireGuard peers (last-handshake against the device's
//   clock at commit), routes and BGP sessions; a menu the device does not have is "unreadable".
// A run that reverted by itself leaves its lock and decision behind (the next run reads why);
// the next lock() takes such a lock over. A command failed when the device says so in its output
// (RouterOS documents no exec status), or when the status is not 0.
import { hostname } from "node:os";
import {
  CandidateRejectedError,
  CommandError,
  CommitFailedError,
  LockHeldError,
} from "../../model/errors.ts";
import type { Candidate, LiveState } from "../../model/live.ts";
import type { CliSession, DeviceSession } from "../../transport/session.ts";
import type { ApplyContext, ApplyDriver, Staged } from "../apply-contract.ts";
import { deviceClock, startAt } from "./clock.ts";
import { checkRunId, details, exists, must, readFile, redact, send } from "./console.ts";
import { health as collectHealth } from "./health.ts";
import { routerosKeys } from "./keys.ts";
import { findWhere, quoteValue } from "./quote.ts";
import {
  keepRestorePoint,
  listRestorePoints,
  maskSecretReads,
  pointSource,
  restoresLine,
  retireRestored,
  stepsOf,
} from "./restore.ts";
import {
  cleanup,
  committedFileName,
  decide,
  decidedFileName,
  type Holder,
  holderOf,
  LOCK_FILE,
  removeLockLine,
  revertSchedulerName,
  secretFileName,
  secretFilesFind,
  undoScriptName,
} from "./run-files.ts";
import { declaredEnv, fillSecrets } from "./secrets.ts";
import { interfaceNames, refusal } from "./stage-check.ts";
import { buildUndo, undoSource, uploadLines } from "./undo.ts";

/** A staged RouterOS candidate: the commands as they will be sent (secrets filled in). */
export interface RouterosStaged extends Staged {
  /** Not enumerable: never serialized or logged with the handle. */
  readonly commands: readonly string[];
}

function me(): string {
  return `host=${hostname().replace(/\s/g, "_")} pid=${process.pid}`;
}

async function lockHolder(session: CliSession, step: string): Promise<Holder | undefined> {
  const c = await readFile(session, LOCK_FILE, step);
  return c === undefined ? undefined : holderOf(c);
}

export const routerosApply: ApplyDriver = {
  capabilities: { nativeCommitConfirm: false, onDeviceValidation: false, keys: routerosKeys },

  async lock(session, ctx) {
    const runId = checkRunId(ctx.runId);
    const contents = `run=${runId} ${me()} time=${new Date().toISOString()}`;
    const take = () =>
      send(session, `/file add name=${quoteValue(LOCK_FILE)} contents=${quoteValue(contents)}`, "lock");
    let r = await take();
    if (r.ok) return;
    const h = await lockHolder(session, "lock");
    if (!h) {
      r = await take(); // freed in between
      if (r.ok) return;
      throw new LockHeldError(`lock failed: ${r.error}`, details(ctx, "lock", r.out));
    }
    if (h.run === runId) return;
    if (h.run) {
      const decided = await readFile(session, decidedFileName(h.run), "lock");
      const pending = await exists(session, "/system scheduler", revertSchedulerName(h.run), "lock");
      if (decided === "reverted" && !pending) {
        // That run is over: its change was not confirmed and the device reverted it by itself.
        await send(session, removeLockLine(h.contents), "lock");
        await cleanup(session, h.run, "lock");
        r = await take();
        if (r.ok) return;
        const other = await lockHolder(session, "lock");
        throw new LockHeldError(
          `the device was locked by ${h.describe}, which had reverted by itself; another run took the lock first: ${other?.describe ?? r.error}`,
          details(ctx, "lock"),
        );
      }
      const advice = pending
        ? "; that run's change is not confirmed yet: the device reverts it by itself when its scheduler entry fires"
        : `; if that run is dead, free it with \`reconciler unlock ${ctx.device.name} --run ${h.run}\``;
      throw new LockHeldError(`the device is locked by ${h.describe}${advice}`, details(ctx, "lock"));
    }
    throw new LockHeldError(`the device is locked by ${h.describe}`, details(ctx, "lock"));
  },

  async unlock(session, ctx) {
    const h = await lockHolder(session, "unlock");
    if (!h || h.run !== ctx.runId) return; // not ours: left alone
    await must(session, ctx, removeLockLine(h.contents), "unlock");
  },

  async releaseLock(session, device, runId) {
    checkRunId(runId);
    const d = { device: device.name, command: "unlock" };
    const h = await lockHolder(session, "unlock");
    if (!h) return "not-locked";
    if (h.run !== runId)
      throw new LockHeldError(`the lock is held by another run: ${h.describe}; nothing was changed`, d);
    if (await exists(session, "/system scheduler", revertSchedulerName(runId), "unlock"))
      throw new LockHeldError(
        `run ${runId} is armed: its change is not confirmed and the device will revert it by itself; nothing was changed`,
        d,
      );
    const r = await send(session, removeLockLine(h.contents), "unlock");
    if (!r.ok) throw new CommandError(`unlock failed: ${r.error}`, d, 1);
    await cleanup(session, runId, "unlock");
    return "released";
  },

  async lockState(session, _device) {
    const h = await lockHolder(session, "lock state");
    if (!h) return undefined;
    if (!h.run) return { describe: h.describe };
    const decided = await readFile(session, decidedFileName(h.run), "lock state");
    if (decided === "reverted")
      return { describe: h.describe, stale: "its change was reverted by the device itself" };
    const host = /(?:^| )host=(\S+)/.exec(h.contents)?.[1];
    const pid = Number(/(?:^| )pid=(\d+)/.exec(h.contents)?.[1]);
    if (host === hostname().replace(/\s/g, "_") && pid > 0) {
      try {
        process.kill(pid, 0);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EPERM")
          return { describe: h.describe, stale: `its process ${pid} on this host is gone` };
      }
    }
    return { describe: h.describe };
  },

  async stage(session, ctx, candidate: Candidate, snapshot: LiveState): Promise<Staged> {
    if (candidate.kind !== "commands") throw new Error("RouterOS applies commands, not files");
    return await stageCommands(session, ctx, candidate.commands, snapshot);
  },

  async restorePoints(session) {
    return await listRestorePoints(session, "restore points");
  },

  async stageRestore(session, ctx, point, snapshot): Promise<Staged> {
    checkRunId(point.runId);
    let steps: { line: string; checkAs: string }[];
    try {
      steps = stepsOf(await pointSource(session, point.runId, "stage"), point.runId);
    } catch (e) {
      if (e instanceof CommandError) throw e;
      throw new CandidateRejectedError((e as Error).message, details(ctx, "stage"));
    }
    const staged = await stageCommands(session, ctx, steps, snapshot, maskSecretReads(point.runId));
    await must(session, ctx, restoresLine(ctx.runId, point.runId), "stage");
    return staged;
  },

  async arm(session, ctx, _staged, timeoutS) {
    const runId = checkRunId(ctx.runId);
    const when = await startAt(session, ctx, "arm", timeoutS);
    const event = [
      `/file add name=${quoteValue(decidedFileName(runId))} contents=reverted`,
      `/system scheduler remove ${findWhere([["name", revertSchedulerName(runId)]])}`,
      `/system script run ${quoteValue(undoScriptName(runId))}`,
      `/system script remove ${findWhere([["name", undoScriptName(runId)]])}`,
      `/file remove ${secretFilesFind(runId)}`,
      `:log warning ${quoteValue(`reconciler: run ${runId} was not confirmed in time: reverted`)}`,
    ].join("\n");
    await must(
      session,
      ctx,
      `/system scheduler add name=${quoteValue(revertSchedulerName(runId))} ${when} interval=0s on-event=${quoteValue(event)}`,
      "arm",
    );
  },

  async rearm(session, ctx, staged, timeoutS) {
    const runId = checkRunId(ctx.runId);
    const name = revertSchedulerName(runId);
    const when = await startAt(session, ctx, "rearm", timeoutS);
    await must(session, ctx, `/system scheduler set ${findWhere([["name", name]])} ${when}`, "rearm");
    const decided = await readFile(session, decidedFileName(runId), "rearm");
    if (decided === "reverted" || !(await exists(session, "/system scheduler", name, "rearm")))
      throw new CommitFailedError(
        "too late: the device already reverted this run by itself",
        details(ctx, "rearm", redact(decided ?? "", staged.secrets)),
      );
  },

  async abandon(session, ctx) {
    await cleanup(session, checkRunId(ctx.runId), "abandon");
  },

  async commit(session, ctx, staged) {
    const runId = checkRunId(ctx.runId);
    const commands = (staged as Partial<RouterosStaged>).commands;
    if (!commands) throw new Error("commit: this handle was not staged by the RouterOS driver");
    const now = await deviceClock(session);
    if (now)
      await send(
        session,
        `/file add name=${quoteValue(committedFileName(runId))} contents=${quoteValue(now.toISOString().slice(0, 19).replace("T", " "))}`,
        "commit",
      );
    for (const [n, line] of commands.entries()) {
      const r = await send(session, line, "commit");
      if (!r.ok)
        throw new CommitFailedError(
          `commit stopped at line ${n + 1} of ${commands.length}, ${redact(line, staged.secrets).slice(0, 300)}: ${redact(r.error, staged.secrets)}`,
          details(ctx, "commit", redact(r.out, staged.secrets)),
        );
    }
  },

  health: collectHealth,

  async confirm(session, ctx, staged) {
    const runId = checkRunId(ctx.runId);
    const taken = await decide(session, runId, "confirmed", "confirm");
    if (taken !== undefined && taken !== "confirmed") {
      if (taken === "reverted") {
        await cleanup(session, runId, "confirm", true);
        throw new CommitFailedError(
          "too late to confirm: the device already reverted this run by itself",
          details(ctx, "confirm"),
        );
      }
      throw new CommitFailedError(`confirm: this run was already ${taken}`, details(ctx, "confirm"));
    }
    // The undo script stays as the run's restore point (with the secret files it reads), for an
    // emergency rollback; a restore run retires the point it restored.
    await keepRestorePoint(session, runId, new Date().toISOString(), "confirm");
    await retireRestored(session, runId, "confirm");
    await cleanup(session, runId, "confirm", false, true);
    void staged;
  },

  async rollback(session, ctx, staged) {
    const runId = checkRunId(ctx.runId);
    const taken = await decide(session, runId, "rolled-back", "rollback");
    if (taken === "reverted") {
      await cleanup(session, runId, "rollback");
      return; // the scheduler did it
    }
    if (taken === "confirmed")
      throw new CommitFailedError("rollback: this run was already confirmed", details(ctx, "rollback"));
    // Taken by us (or by an earlier rollback of ours): nothing else will run the undo now.
    await send(
      session,
      `/system scheduler remove ${findWhere([["name", revertSchedulerName(runId)]])}`,
      "rollback",
    );
    const r = await send(session, `/system script run ${quoteValue(undoScriptName(runId))}`, "rollback");
    const failedSteps = [...r.out.matchAll(/@@undo-failed (\d+)/g)].map((m) => m[1]);
    await cleanup(session, runId, "rollback");
    if (!r.ok || failedSteps.length > 0)
      throw new CommitFailedError(
        `rollback: the undo script ${r.ok ? `failed at step(s) ${failedSteps.join(", ")}` : `did not run: ${r.error}`}`,
        details(ctx, "rollback", redact(r.out, staged.secrets)),
      );
  },
};

/**
 * Stage for a list of commands: secrets filled from the environment, the checks that can be made
 * before anything is sent (`mask` shows them a restore's reads of its secret files as values),
 * the undo script and the secret files it reads.
 */
async function stageCommands(
  session: DeviceSession,
  ctx: ApplyContext,
  /** `checkAs`: what the checks and the undo see of a line (a restore's guarded step: its command). */
  planned: readonly { line: string; checkAs?: string }[],
  snapshot: LiveState,
  mask: (line: string) => string = (line) => line,
): Promise<Staged> {
  const runId = checkRunId(ctx.runId);
  const reject = (why: string) =>
    new CandidateRejectedError(`candidate refused before anything was sent: ${why}`, details(ctx, "stage"));
  const declared = declaredEnv(ctx.intent);
  const secrets: string[] = [];
  const commands: string[] = [];
  const checked: string[] = [];
  const fill = (line: string) => {
    const filled = fillSecrets(line, (name) => {
      if (!declared.has(name))
        throw reject(
          `${line.slice(0, 120)} names the secret ${name}, which the desired state does not declare`,
        );
      const v = ctx.env[name];
      if (v === undefined || v === "") throw reject(`the secret ${name} is not set in the environment`);
      return v;
    });
    secrets.push(...filled.secrets);
    return filled.line;
  };
  for (const c of planned) {
    commands.push(fill(c.line));
    checked.push(c.checkAs === undefined ? (commands.at(-1) as string) : fill(c.checkAs));
  }
  const why = refusal(checked.map(mask), await interfaceNames(session, ctx));
  if (why) throw reject(redact(why, secrets));
  const secretFiles: string[] = [];
  // A restore step's read of a secret file is a value to the undo, not a selector of its own.
  const undo = await buildUndo(session, ctx, checked.map(mask), snapshot, secrets, secretFiles);
  await send(session, `/file remove ${secretFilesFind(runId)}`, "stage");
  for (const [n, value] of secretFiles.entries()) {
    const r = await send(
      session,
      `/file add name=${quoteValue(secretFileName(runId, n + 1))} contents=${quoteValue(value)}`,
      "stage",
    );
    if (!r.ok)
      throw new CommandError(
        `stage: keeping a secret for the undo failed: ${redact(r.error, secrets)}`,
        details(ctx, "stage"),
        1,
      );
  }
  const name = undoScriptName(runId);
  await send(session, `/system script remove ${findWhere([["name", name]])}`, "stage");
  for (const [n, line] of uploadLines(name, undoSource(runId, undo)).entries()) {
    const r = await send(session, line, "stage");
    if (!r.ok)
      throw new CommandError(
        `stage: uploading the undo script failed (part ${n + 1}): ${redact(r.error, secrets)}`,
        details(ctx, "stage"),
        1,
      );
  }
  const staged: Staged = { runId, where: `/system script ${name}`, secrets };
  Object.defineProperty(staged, "commands", { value: commands, enumerable: false });
  return staged;
}
