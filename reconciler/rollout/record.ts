// The summary of a run for the state store's run records (state/runs.ts): what `history` and
// `status` show and what a later rollback reads to find the revision a configuration came from.
// Pure.
import type { DeviceOutcome } from "../model/outcome.ts";
import type { Plan } from "../model/plan.ts";
import type { RunRecord } from "../state/runs.ts";
import type { RolloutResult } from "./engine.ts";

export interface RunFacts {
  runId: string;
  command: RunRecord["command"];
  startedAt: Date;
  endedAt: Date;
  revision?: string;
  origin: string;
  by: string;
  plan?: Plan;
  /** Undefined when the run never got to a rollout (its order was refused, nothing to do). */
  result?: RolloutResult;
  interrupted?: boolean;
  restored?: { device: string; fromRun: string }[];
}

function overall(f: RunFacts): RunRecord["result"] {
  const r = f.result;
  if (!r) return "nothing";
  if (r.refused) return "refused";
  if (f.interrupted || r.halted?.reason === "interrupted") return "interrupted";
  if (r.halted) return "halted";
  if (r.outcomes.length === 0) return "nothing";
  return r.outcomes.every((o) => o.result === "confirmed") ? "confirmed" : "failed";
}

const deviceEntry = (o: DeviceOutcome, changes: number): RunRecord["devices"][number] => ({
  device: o.device,
  result: o.result,
  ...(o.failedStep ? { failedStep: o.failedStep } : {}),
  ...(o.error ? { error: o.error.message.slice(0, 2000) } : {}),
  changes,
  ...(o.health ? { health: { ok: o.health.ok, checks: o.health.checks } } : {}),
});

export function runRecordOf(f: RunFacts): RunRecord {
  const changes = (device: string) => f.plan?.devices.find((d) => d.device === device)?.changes.length ?? 0;
  const r = f.result;
  return {
    version: 1,
    runId: f.runId,
    command: f.command,
    startedAt: f.startedAt.toISOString(),
    endedAt: f.endedAt.toISOString(),
    ...(f.revision ? { revision: f.revision } : {}),
    origin: f.origin,
    by: f.by,
    result: overall(f),
    waves: r?.waves.map((w) => [...w.devices]) ?? [],
    devices: [
      ...(r?.outcomes.map((o) => deviceEntry(o, changes(o.device))) ?? []),
      ...(r?.notReached.map((device) => ({ device, result: "not-reached", changes: changes(device) })) ?? []),
    ],
    ...(f.restored && f.restored.length > 0 ? { restored: f.restored } : {}),
  };
}
