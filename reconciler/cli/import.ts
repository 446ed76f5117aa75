// `reconciler import DEVICE [--write] [--force]`: brownfield onboarding. Reads a device of the
// inventory and prints the desired/<device>.yaml its live state becomes (adopt/import.ts: the same
// code a drift pull request's commit uses), or writes it with --write (never over an existing
// file without --force). Secrets are never read: the file names environment variables, and the
// command lists the ones to set. Exit 0 = done, 1 = the device could not be read or the file
// exists, 64 = not a device of the inventory.
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import pc from "picocolors";
import { importDevice } from "../adopt/import.ts";
import { createProgress } from "../report/progress.ts";
import { safeLine, safeMessage } from "../report/terminal-safe.ts";
import { EXIT } from "./exit-codes.ts";
import { loadSelected } from "./open-repo.ts";
import type { PlanDeps } from "./plan.ts";
import { readFleet } from "./read-fleet.ts";

export interface ImportCommandOptions {
  repo?: string;
  write?: boolean;
  force?: boolean;
}

export async function importCommand(
  device: string,
  opts: ImportCommandOptions,
  deps: PlanDeps,
  out: NodeJS.WritableStream,
  color: boolean,
): Promise<number> {
  const p = pc.createColors(color);
  const selected = await loadSelected({ ...(opts.repo ? { repo: opts.repo } : {}) }, out, color);
  if (!selected) return EXIT.error;
  const target = selected.repo.devices[device];
  if (!target) {
    out.write(`${p.red("error")}: no device named ${JSON.stringify(safeLine(device))} in the inventory\n`);
    return EXIT.usage;
  }
  const path = resolve(opts.repo ?? process.cwd(), "desired", `${device}.yaml`);
  if (opts.write && existsSync(path) && !opts.force) {
    out.write(
      `${p.red("error")}: desired/${safeLine(device)}.yaml exists; --force overwrites it (plan shows what it would change)\n`,
    );
    return EXIT.error;
  }
  const transport = deps.openTransport(selected.repo, selected.knownHosts);
  let inputs: Awaited<ReturnType<typeof readFleet>>;
  try {
    inputs = await readFleet(selected.repo, [target], transport, deps.drivers, createProgress());
  } finally {
    await transport.closeAll();
  }
  const live = inputs[0]?.live;
  if (!live || "error" in live) {
    const message = live && "error" in live ? (live.error?.message ?? "unknown error") : "not read";
    out.write(`${safeLine(device)}: ${p.red("error")}: ${safeMessage(message, "    | ")}\n`);
    return EXIT.error;
  }
  const result = importDevice(live, selected.repo);
  // Printed, the notes are YAML comments after the document: `import X > desired/X.yaml` stays valid.
  const lines: string[] = [];
  if (result.variables.length > 0) {
    lines.push(
      "Set these environment variables before the next apply (secrets are never read from the device):",
    );
    for (const v of result.variables)
      lines.push(
        `  ${v.name}: ${safeLine(v.what)}${v.derived ? "" : " (the variable the device already uses)"}`,
      );
  }
  for (const note of result.notes) lines.push(`note: ${safeLine(note)}`);
  if (opts.write) {
    await writeFile(path, result.text, { mode: 0o644 });
    out.write(`wrote ${result.path}\n`);
    for (const l of lines) out.write(`${l}\n`);
    out.write(
      `Next: reconciler plan --limit ${safeLine(device)} (it should show no changes), then commit ${result.path}.\n`,
    );
  } else {
    out.write(result.text);
    for (const l of lines) out.write(`# ${l}\n`);
  }
  return EXIT.ok;
}
