// Reads every selected device's live state with bounded concurrency. A device that cannot be
// read becomes an error entry for that device alone; the others are still read and planned.
import type { Driver } from "../drivers/driver.ts";
import { summarizeError } from "../model/errors.ts";
import type { DesiredRepo, ResolvedDevice } from "../model/repo.ts";
import { mapLimit } from "../model/select.ts";
import type { DeviceInput } from "../plan/planner.ts";
import type { Progress } from "../report/progress.ts";
import type { Transport } from "../transport/session.ts";

export const DEFAULT_CONCURRENCY = 16;

export async function readFleet(
  repo: DesiredRepo,
  devices: readonly ResolvedDevice[],
  transport: Transport,
  drivers: Readonly<Partial<Record<string, Driver>>>,
  progress: Progress,
  concurrency = DEFAULT_CONCURRENCY,
): Promise<DeviceInput[]> {
  progress.start(devices.length);
  const inputs = await mapLimit(devices, concurrency, async (device): Promise<DeviceInput> => {
    const desired = repo.expanded[device.name] ?? {};
    const driver = drivers[device.platform];
    let live: DeviceInput["live"];
    if (!driver) {
      live = {
        error: {
          kind: "UnsupportedPlatform",
          message: `${device.name}: no driver for platform ${device.platform} yet`,
        },
      };
    } else {
      try {
        live = await driver.read(await transport.session(device.name), device);
      } catch (err) {
        live = { error: summarizeError(err) };
      }
    }
    progress.done(device.name, !("error" in live));
    return { device, desired, live, publicKeys: repo.publicKeys[device.name] ?? {} };
  });
  progress.finish();
  return inputs;
}
