// `reconciler unlock DEVICE --run ID`: frees the device lock a dead run left behind. Only that
// run's lock is freed, and never while that run's revert timer is pending (the device reverts
// the change by itself and frees the lock then); the dead run's staged candidate is removed too.
// The lock error of a later run says when a lock looks stale and prints this command.
import type { ApplyDriver } from "../drivers/apply-contract.ts";
import { summarizeError } from "../model/errors.ts";
import { safeLine, safeMessage } from "../report/terminal-safe.ts";
import { OUTPUT_SCHEMA_VERSION } from "../schema/output-version.ts";
import { CliError, EXIT } from "./exit-codes.ts";
import { jsonForTerminal } from "./history.ts";
import { loadSelected } from "./open-repo.ts";
import type { PlanDeps } from "./plan.ts";
import type { UnlockOutcome } from "./unlock-run.ts";

export interface UnlockOptions {
  repo?: string;
  run?: string;
  /** One JSON document (schema/json/unlock-output.schema.json) instead of the line. */
  json?: boolean;
}

export async function unlockCommand(
  device: string,
  opts: UnlockOptions,
  deps: Pick<PlanDeps, "openTransport"> & { applyDrivers: Readonly<Partial<Record<string, ApplyDriver>>> },
  out: NodeJS.WritableStream,
  color: boolean,
): Promise<number> {
  if (!opts.run)
    throw new CliError(
      "--run ID is required: the run whose lock to free (the lock error names it)",
      EXIT.usage,
    );
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(opts.run))
    throw new CliError(`--run: not a run id: ${JSON.stringify(opts.run)}`, EXIT.usage);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(device))
    throw new CliError(`not a device name: ${JSON.stringify(device)}`, EXIT.usage);
  const selected = await loadSelected({ ...opts, limit: device }, out, color);
  if (!selected) return EXIT.error;
  const target = selected.devices.find((d) => d.name === device);
  if (!target) throw new CliError(`no device ${device} in the inventory`, EXIT.usage);
  const driver = deps.applyDrivers[target.platform];
  if (!driver) throw new CliError(`no apply support yet for ${target.platform}: it has no lock`, EXIT.usage);
  const run = opts.run;
  const say = (outcome: UnlockOutcome, text: string, error?: string) =>
    out.write(
      opts.json
        ? jsonForTerminal({
            schema_version: OUTPUT_SCHEMA_VERSION,
            lock: "device",
            device,
            run,
            outcome,
            ...(error ? { error } : {}),
          })
        : `${text}\n`,
    );
  const transport = deps.openTransport(selected.repo, selected.knownHosts);
  try {
    const session = await transport.session(device);
    const r = await driver.releaseLock(session, target, run);
    if (r === "released") say("released", `${safeLine(device)}: the lock of run ${run} is released`);
    else say("not-locked", `${safeLine(device)}: not locked`);
    return EXIT.ok;
  } catch (err) {
    const message = summarizeError(err).message;
    say("error", `${safeLine(device)}: ${safeMessage(message, "    | ")}`, message);
    return EXIT.error;
  } finally {
    await transport.closeAll();
  }
}
