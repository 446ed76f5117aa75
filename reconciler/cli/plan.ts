// `reconciler plan`: what would change on each device. Exit 0 = no changes, 2 = changes,
// 1 = an error (invalid input, or a device that could not be read), as Terraform's
// -detailed-exitcode. Readable on a terminal, JSON for machines, a saved plan with --out.
import { writeFile } from "node:fs/promises";
import type { Driver } from "../drivers/driver.ts";
import { PATHS } from "../load/load.ts";
import { hasErrors } from "../model/diagnostic.ts";
import { type Plan, planHasChanges, planHasErrors } from "../model/plan.ts";
import type { DesiredRepo } from "../model/repo.ts";
import { SelectorError, selectDevices } from "../model/select.ts";
import { plan } from "../plan/planner.ts";
import { formatDiagnostic } from "../report/diagnostics.ts";
import { formatPlan } from "../report/plan-text.ts";
import { createProgress } from "../report/progress.ts";
import type { Transport } from "../transport/session.ts";
import { CliError, EXIT } from "./exit-codes.ts";
import { loadFromOptions, openReader, type RepoOptions } from "./open-repo.ts";
import { readFleet } from "./read-fleet.ts";

export interface PlanCommandOptions extends RepoOptions {
  limit?: string;
  out?: string;
  json?: boolean;
}

export interface PlanDeps {
  drivers: Readonly<Partial<Record<string, Driver>>>;
  openTransport: (repo: DesiredRepo, knownHosts: string) => Transport;
}

export function exitCodeFor(p: Plan): number {
  if (planHasErrors(p)) return EXIT.error;
  return planHasChanges(p) ? EXIT.changes : EXIT.ok;
}

export async function planCommand(
  opts: PlanCommandOptions,
  deps: PlanDeps,
  out: NodeJS.WritableStream,
  color: boolean,
): Promise<number> {
  const loaded = await loadFromOptions(opts);
  if (!loaded.repo || hasErrors(loaded.diagnostics)) {
    for (const d of loaded.diagnostics) out.write(`${formatDiagnostic(d, color)}\n`);
    out.write("invalid desired state: no device was contacted\n");
    return EXIT.error;
  }
  const repo = loaded.repo;
  let devices: ReturnType<typeof selectDevices>;
  try {
    devices = selectDevices(Object.values(repo.devices), opts.limit);
  } catch (err) {
    if (err instanceof SelectorError) throw new CliError(err.message, EXIT.usage);
    throw err;
  }
  // Host keys come from the same revision as the desired state: a reviewed known_hosts change
  // lands together with the change that needs it.
  const knownHosts = (await (await openReader(opts)).read(PATHS.knownHosts)) ?? "";
  const transport = deps.openTransport(repo, knownHosts);
  let result: Plan;
  try {
    const inputs = await readFleet(repo, devices, transport, deps.drivers, createProgress());
    const plannerDrivers = Object.fromEntries(
      Object.entries(deps.drivers).filter((e): e is [string, Driver] => e[1] !== undefined),
    );
    result = plan(inputs, { origin: loaded.origin, drivers: plannerDrivers });
  } finally {
    await transport.closeAll();
  }
  if (opts.out) await writeFile(opts.out, `${JSON.stringify(result, null, 2)}\n`, { mode: 0o600 });
  out.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : formatPlan(result, { color }));
  return exitCodeFor(result);
}
