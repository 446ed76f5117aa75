// Emergency rollback to the last confirmed configuration: which configuration each device kept
// of its own (driver.restorePoints, newest first), and the rollout targets that restore them.
// Needs only SSH to the devices: no git remote, no GitHub, and not the state store (which, when
// readable, only adds the health probes of the restored revision).
import type { ApplyTarget } from "../apply/executor.ts";
import type { ApplyDriver, HealthProbe, RestorePoint } from "../drivers/apply-contract.ts";
import { summarizeError } from "../model/errors.ts";
import type { LiveState } from "../model/live.ts";
import type { DesiredRepo, ResolvedDevice } from "../model/repo.ts";
import { mapLimit } from "../model/select.ts";
import type { DeviceIntent } from "../schema/device.ts";
import type { Transport } from "../transport/session.ts";

export interface RestoreChoice {
  device: ResolvedDevice;
  /** What the device kept, newest first (from driver.restorePoints). */
  points?: RestorePoint[];
  /** The point restored: the one that undoes the chosen run (chooseRestores). */
  point?: RestorePoint;
  /** Why the device cannot be rolled back: unreachable, no restore support, nothing kept, ... */
  problem?: string;
  /** Why it is left alone although it could be: the run being undone did not change it. */
  skipped?: string;
}

/** Device-side run ids of a rollout's retries end in .N (engine.ts): the same run. */
export const baseRun = (runId: string) => runId.replace(/\.[0-9]+$/, "");

/**
 * Which run to undo, and each device's point for it. The run is the one named, or the newest
 * confirmed run any selected device kept: a rollback undoes a rollout, so a device that run did
 * not change is left alone (undoing its own older run would take it further back than the fleet).
 * A device whose newest run came after the chosen one is not restored out of order. Pure.
 */
export function chooseRestores(
  found: readonly RestoreChoice[],
  run?: string,
): { run?: string; choices: RestoreChoice[] } {
  const newest = found
    .flatMap((c) => (c.points?.[0] ? [baseRun(c.points[0].runId)] : []))
    .sort()
    .at(-1);
  const target = run ? baseRun(run) : newest;
  const choices = found.map((c): RestoreChoice => {
    const { point: _p, ...rest } = c;
    if (c.problem || !c.points || !target) return rest;
    const at = c.points.findIndex((p) => baseRun(p.runId) === target);
    const first = c.points[0];
    if (at === 0 && first) return { ...rest, point: first };
    if (at > 0 && first)
      return {
        ...rest,
        problem: `run ${first.runId} came after run ${target} on this device: undo it first`,
      };
    return { ...rest, skipped: `not changed by run ${target}: left as it is` };
  });
  return { ...(target ? { run: target } : {}), choices };
}

export async function findRestorePoints(
  devices: readonly ResolvedDevice[],
  opts: {
    transport: Transport;
    drivers: Readonly<Partial<Record<string, ApplyDriver>>>;
    runId: string;
    repo: DesiredRepo;
    env: Readonly<Record<string, string | undefined>>;
    parallel: number;
  },
): Promise<RestoreChoice[]> {
  return await mapLimit(devices, opts.parallel, async (device): Promise<RestoreChoice> => {
    const driver = opts.drivers[device.platform];
    if (!driver?.restorePoints || !driver.stageRestore)
      return { device, problem: `the ${device.platform} driver keeps no configuration to restore` };
    try {
      const session = await opts.transport.session(device.name);
      const points = await driver.restorePoints(session, {
        runId: opts.runId,
        device,
        intent: opts.repo.expanded[device.name] ?? {},
        env: opts.env,
      });
      return points.length > 0
        ? { device, points }
        : { device, problem: "no confirmed run left to undo on the device" };
    } catch (err) {
      return { device, problem: summarizeError(err).message };
    }
  });
}

/**
 * The targets of a restore: the device's live state (the snapshot its revert puts back if the
 * restored configuration fails its gates) and the probes the restored configuration must pass.
 */
export function restoreTargets(
  choices: readonly RestoreChoice[],
  live: ReadonlyMap<string, LiveState>,
  /** The desired state the restored configuration was rendered from, and its probes. */
  gatesFor: (device: ResolvedDevice, point: RestorePoint) => { intent: DeviceIntent; probes: HealthProbe[] },
): ApplyTarget[] {
  return choices.flatMap((c) => {
    const state = live.get(c.device.name);
    if (!c.point || !state) return [];
    const { intent, probes } = gatesFor(c.device, c.point);
    return [
      {
        device: c.device,
        intent,
        // Never used: the executor stages `restore` instead (driver.stageRestore).
        candidate: { kind: "files", files: {} },
        live: state,
        probes,
        publicKeys: {},
        restore: c.point,
      },
    ];
  });
}
