// `reconciler show [DEVICE...]`: each device's desired state with shared intent expanded, as YAML:
// what the planner will compare against the live device.
import { stringify } from "yaml";
import { hasErrors } from "../model/diagnostic.ts";
import { formatDiagnostic } from "../report/diagnostics.ts";
import { safeLine, safeText } from "../report/terminal-safe.ts";
import { CliError, EXIT } from "./exit-codes.ts";
import { loadFromOptions, type RepoOptions } from "./open-repo.ts";

export async function showCommand(
  devices: string[],
  opts: RepoOptions & { json?: boolean },
  out: NodeJS.WritableStream,
  color: boolean,
): Promise<number> {
  const result = await loadFromOptions(opts);
  if (!result.repo || hasErrors(result.diagnostics)) {
    for (const d of result.diagnostics) out.write(`${formatDiagnostic(d, color)}\n`);
    return EXIT.error;
  }
  const repo = result.repo;
  const names = devices.length > 0 ? devices : Object.keys(repo.devices).sort();
  const unknown = names.filter((n) => !repo.devices[n]);
  if (unknown.length > 0) throw new CliError(`unknown device: ${safeLine(unknown.join(", "))}`, EXIT.usage);
  const view = Object.fromEntries(
    names.map((n) => {
      const d = repo.devices[n];
      return [n, { platform: d?.platform, host: d?.host, desired: repo.expanded[n] ?? {} }];
    }),
  );
  // yaml escapes C0 controls in what it quotes, but neither C1 controls nor bidi overrides.
  out.write(opts.json ? `${JSON.stringify(view, null, 2)}\n` : safeText(stringify(view, { lineWidth: 0 })));
  return EXIT.ok;
}
