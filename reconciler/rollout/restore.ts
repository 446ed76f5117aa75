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
  /** The newest configuration the device kept; absent when it kept none (or cannot restore). */
  point?: RestorePoint;
  /** Why the device is left out: unreachable, no restore support, nothing kept. */
  problem?: string;
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
      const [point] = points;
      return point ? { device, point } : { device, problem: "no confirmed run left to undo on the device" };
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
