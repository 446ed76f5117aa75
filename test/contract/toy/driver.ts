// The toy platform's driver: command-shaped. It manages interfaces (mtu, IPv4 addresses); its
// candidate is the ordered list of CLI lines that turns what runs into what git says, computed
// from both; the device validates the candidate itself and reverts an unconfirmed commit by
// itself (native commit-confirm), so there is no arm step. Interfaces git does not name are
// left alone (reported as unmanaged by the planner).
import { createHash } from "node:crypto";
import type { ApplyContext, ApplyDriver, Staged } from "../../../reconciler/drivers/apply-contract.ts";
import type { PlatformDescriptor } from "../../../reconciler/drivers/descriptor.ts";
import type { Driver } from "../../../reconciler/drivers/driver.ts";
import {
  CandidateRejectedError,
  CommandError,
  CommitFailedError,
  LockHeldError,
} from "../../../reconciler/model/errors.ts";
import type { Candidate, LiveState, PlannedCommand } from "../../../reconciler/model/live.ts";
import type { ResolvedDevice } from "../../../reconciler/model/repo.ts";
import type { DeviceIntent, NetInterface } from "../../../reconciler/schema/device.ts";
import type { Platform } from "../../../reconciler/schema/inventory.ts";
import type { DeviceSession } from "../../../reconciler/transport/session.ts";
import { sendLine } from "./transport.ts";

export const TOY = "toy" as unknown as Platform;

/** Only names and values that cannot break the CLI's word syntax reach a command line. */
const word = (v: string | number, what: string): string => {
  const s = String(v);
  if (!/^[A-Za-z0-9._/:-]{1,64}$/.test(s)) throw new Error(`refusing ${what} ${JSON.stringify(s)}`);
  return s;
};

function parseRunning(text: string): NetInterface[] {
  const byName = new Map<string, NetInterface>();
  for (const line of text.split("\n")) {
    const m = /^interface (\S+) (mtu|address) (\S+)$/.exec(line.trim());
    if (!m) continue;
    const [, name, key, value] = m as unknown as [string, string, string, string];
    const i = byName.get(name) ?? { name, kind: "ethernet" as const };
    if (key === "mtu") i.mtu = Number(value);
    else i.addresses = [...(i.addresses ?? []), value];
    byName.set(name, i);
  }
  return [...byName.values()];
}

function normalize(intent: DeviceIntent): DeviceIntent {
  const out: DeviceIntent = {};
  if (intent.interfaces)
    out.interfaces = intent.interfaces
      .map((i) => ({
        name: i.name,
        kind: "ethernet" as const,
        ...(i.mtu !== undefined ? { mtu: i.mtu } : {}),
        ...(i.addresses?.length ? { addresses: [...i.addresses].sort() } : {}),
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  return out;
}

function commands(intent: DeviceIntent, live: LiveState): PlannedCommand[] {
  const now = new Map((live.state.interfaces ?? []).map((i) => [i.name, i]));
  const out: PlannedCommand[] = [];
  for (const want of [...(intent.interfaces ?? [])].sort((a, b) => a.name.localeCompare(b.name))) {
    const have = now.get(want.name);
    const n = word(want.name, "an interface name");
    if (want.mtu !== undefined && have?.mtu !== want.mtu)
      out.push({
        line: `set interface ${n} mtu ${word(want.mtu, "an mtu")}`,
        description: `mtu of ${n} to ${want.mtu}`,
      });
    const wantAddr = new Set(want.addresses ?? []);
    const haveAddr = new Set(have?.addresses ?? []);
    for (const a of [...wantAddr].sort())
      if (!haveAddr.has(a))
        out.push({
          line: `set interface ${n} address ${word(a, "an address")}`,
          description: `add ${a} to ${n}`,
        });
    for (const a of [...haveAddr].sort())
      if (!wantAddr.has(a))
        out.push({
          line: `delete interface ${n} address ${word(a, "an address")}`,
          description: `remove ${a} from ${n}`,
        });
  }
  return out;
}

/** What the toy platform declares: interfaces only, no raw text, short plain names. */
export const toyDescriptor: PlatformDescriptor = {
  platform: TOY,
  sections: ["interfaces"],
  raw: {},
  implicitInterfaces: [],
  interfaceNameProblem: (name) => (/^[a-z][a-z0-9]{0,14}$/.test(name) ? undefined : "a name such as eth1"),
  routingSuite: () => undefined,
  check: () => [],
};

export const toyDriver: Driver = {
  platform: TOY,
  descriptor: toyDescriptor,
  async read(session: DeviceSession, device: ResolvedDevice): Promise<LiveState> {
    const r = await sendLine(session, "show running hide-sensitive");
    if (r.exitCode !== 0)
      throw new CommandError(
        `read failed: ${r.stderr.trim()}`,
        { device: device.name, command: r.command },
        r.exitCode,
      );
    return {
      device: device.name,
      platform: TOY,
      state: normalize({ interfaces: parseRunning(r.stdout) }),
      artifacts: { "show running": r.stdout },
      publicKeys: {},
      fingerprint: createHash("sha256").update(r.stdout).digest("hex"),
    };
  },
  candidate(intent, _device, live): Candidate {
    return { kind: "commands", commands: commands(intent, live) };
  },
  normalize,
  owned: () => new Set<string>(),
};

async function must(session: DeviceSession, ctx: ApplyContext, line: string, step: string) {
  const r = await sendLine(session, line);
  if (r.exitCode !== 0)
    throw new CommandError(
      `${step} failed: ${r.stderr.trim()}`,
      { device: ctx.device.name, command: step },
      r.exitCode,
    );
  return r;
}

export const toyApply: ApplyDriver = {
  capabilities: { nativeCommitConfirm: true, onDeviceValidation: true },
  async lock(session, ctx) {
    const r = await sendLine(session, `lock ${ctx.runId}`);
    if (r.exitCode !== 0)
      throw new LockHeldError(`the device is ${r.stderr.replace(/^error: /, "").trim()}`, {
        device: ctx.device.name,
        command: "lock",
      });
  },
  async unlock(session, ctx) {
    await must(session, ctx, `unlock ${ctx.runId}`, "unlock");
  },
  async releaseLock(session, device, runId) {
    const r = await sendLine(session, `unlock-stale ${runId}`);
    if (r.exitCode !== 0)
      throw new LockHeldError(r.stderr.trim(), { device: device.name, command: "unlock" });
    return r.stdout.startsWith("released") ? "released" : "not-locked";
  },
  async stage(session, ctx, candidate): Promise<Staged> {
    if (candidate.kind !== "commands") throw new Error("the toy platform applies commands");
    await must(session, ctx, `candidate ${ctx.runId} begin`, "stage");
    for (const c of candidate.commands) await must(session, ctx, `candidate ${ctx.runId} ${c.line}`, "stage");
    const v = await sendLine(session, `candidate ${ctx.runId} validate`);
    if (v.exitCode !== 0) {
      await sendLine(session, `candidate ${ctx.runId} discard`);
      throw new CandidateRejectedError(`candidate rejected on the device: ${v.stderr.trim()}`, {
        device: ctx.device.name,
        command: "validate",
        output: v.stderr,
      });
    }
    return { runId: ctx.runId, where: "candidate datastore", secrets: [] };
  },
  async abandon(session, ctx) {
    await must(session, ctx, `candidate ${ctx.runId} discard`, "abandon");
  },
  async commit(session, ctx, _staged, timeoutS) {
    const r = await sendLine(session, `commit ${ctx.runId} confirmed ${Math.ceil(timeoutS)}`);
    if (r.exitCode !== 0)
      throw new CommitFailedError(`commit failed: ${r.stderr.trim()}`, {
        device: ctx.device.name,
        command: "commit",
      });
  },
  async health() {
    return [];
  },
  async confirm(session, ctx) {
    await must(session, ctx, `confirm ${ctx.runId}`, "confirm");
  },
  async rollback(session, ctx) {
    await must(session, ctx, `rollback ${ctx.runId}`, "rollback");
  },
};
