// Reads every selected device's live state with bounded concurrency. What would stop every
// device alike (an unset credential variable, no pinned host key) is found first, without a
// connection, and refused once; a device that cannot be read then becomes an error entry for that
// device alone, and the others are still read and planned. A platform without a driver is not
// read at all: the plan says so, the progress does not count it as a failed read.
import type { Driver } from "../drivers/driver.ts";
import { summarizeError } from "../model/errors.ts";
import type { DesiredRepo, ResolvedDevice } from "../model/repo.ts";
import { mapLimit } from "../model/select.ts";
import type { DeviceInput } from "../plan/planner.ts";
import type { Progress } from "../report/progress.ts";
import type { Transport } from "../transport/session.ts";
import { CliError } from "./exit-codes.ts";

export const DEFAULT_CONCURRENCY = 16;

/**
 * Refuses, before any connection, when the transport cannot reach these devices at all: each
 * problem said once (not once per device), ending with the fact that nothing was contacted.
 */
export async function preflight(transport: Transport, devices: readonly ResolvedDevice[]): Promise<void> {
  const problems = (await transport.preflight?.(devices.map((d) => d.name))) ?? [];
  if (problems.length === 1) throw new CliError(`${problems[0]}; no device was contacted`);
  if (problems.length > 1)
    throw new CliError(`no device was contacted:\n${problems.map((p) => `  ${p}`).join("\n")}`);
}

export async function readFleet(
  repo: DesiredRepo,
  devices: readonly ResolvedDevice[],
  transport: Transport,
  drivers: Readonly<Partial<Record<string, Driver>>>,
  progress: Progress,
  concurrency = DEFAULT_CONCURRENCY,
): Promise<DeviceInput[]> {
  const readable = devices.filter((d) => drivers[d.platform] !== undefined);
  await preflight(transport, readable);
  progress.start(readable.length);
  const inputs = await mapLimit(devices, concurrency, async (device): Promise<DeviceInput> => {
    const desired = repo.expanded[device.name] ?? {};
    const input = { device, desired, publicKeys: repo.publicKeys[device.name] ?? {} };
    const driver = drivers[device.platform];
    if (!driver)
      return {
        ...input,
        live: {
          error: { kind: "UnsupportedPlatform", message: `no driver for platform ${device.platform} yet` },
        },
      };
    let live: DeviceInput["live"];
    try {
      live = await driver.read(await transport.session(device.name), device);
    } catch (err) {
      live = { error: summarizeError(err) };
    }
    progress.done(device.name, !("error" in live));
    return { ...input, live };
  });
  progress.finish();
  return inputs;
}
