// Diagnostics as an operator reads them: one per line, file:line:column first so editors and
// CI annotate the right place, then what is wrong and what was expected. File names and messages
// may quote what a file holds: they are escaped (terminal-safe.ts), and a message's further lines
// indented, so that a file cannot print a line that passes for a diagnostic or a summary.
import pc from "picocolors";
import type { Diagnostic } from "../model/diagnostic.ts";
import { safeLine, safeMessage } from "./terminal-safe.ts";

export function formatDiagnostic(d: Diagnostic, color = false): string {
  const c = pc.createColors(color);
  const file = safeLine(d.file);
  const where = d.line > 0 ? `${file}:${d.line}:${d.column}` : file;
  const sev = d.severity === "error" ? c.red("error") : c.yellow("warning");
  const path = d.path ? `${c.bold(safeLine(d.path))}: ` : "";
  const expected = d.expected ? `\n    expected ${safeMessage(d.expected, "    ")}` : "";
  return `${c.cyan(where)}: ${sev}: ${path}${safeMessage(d.message, "    ")}${expected}`;
}

export function formatSummary(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  const files = new Set(diagnostics.filter((d) => d.severity === "error").map((d) => d.file)).size;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  return errors > 0
    ? `${plural(errors, "error")} in ${plural(files, "file")}, ${plural(warnings, "warning")}`
    : `no errors, ${plural(warnings, "warning")}`;
}
