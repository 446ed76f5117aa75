// `reconciler validate`: every problem in inventory/ and desired/ at once; exit 1 on any error.
import { hasErrors } from "../model/diagnostic.ts";
import { formatDiagnostic, formatSummary } from "../report/diagnostics.ts";
import { safeLine } from "../report/terminal-safe.ts";
import { OUTPUT_SCHEMA_VERSION } from "../schema/output-version.ts";
import { EXIT } from "./exit-codes.ts";
import { loadFromOptions, type RepoOptions } from "./open-repo.ts";

export interface ValidateOptions extends RepoOptions {
  json?: boolean;
}

export async function validateCommand(
  opts: ValidateOptions,
  out: NodeJS.WritableStream,
  color: boolean,
): Promise<number> {
  const result = await loadFromOptions(opts);
  const failed = hasErrors(result.diagnostics);
  if (opts.json) {
    out.write(
      `${JSON.stringify(
        {
          schema_version: OUTPUT_SCHEMA_VERSION,
          origin: result.origin,
          valid: !failed,
          diagnostics: result.diagnostics,
        },
        null,
        2,
      )}\n`,
    );
  } else {
    for (const d of result.diagnostics) out.write(`${formatDiagnostic(d, color)}\n`);
    const devices = result.repo ? Object.keys(result.repo.devices).length : 0;
    const summary = formatSummary(result.diagnostics);
    // The origin names a path or a revision the user gave: escaped like any file-derived text.
    const origin = safeLine(result.origin);
    out.write(
      failed
        ? `${origin}: invalid: ${summary}\n`
        : `${origin}: valid: ${devices} devices, ${result.repo?.links.length ?? 0} links, ${summary}\n`,
    );
  }
  return failed ? EXIT.error : EXIT.ok;
}
