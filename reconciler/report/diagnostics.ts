// Diagnostics as an operator reads them: one per line, file:line:column first so editors and
// CI annotate the right place, then what is wrong and what was expected.
import pc from "picocolors";
import type { Diagnostic } from "../model/diagnostic.ts";

export function formatDiagnostic(d: Diagnostic, color = false): string {
  const c = color ? pc : pc.createColors(false);
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.column}` : d.file;
  const sev = d.severity === "error" ? c.red("error") : c.yellow("warning");
  const path = d.path ? `${c.bold(d.path)}: ` : "";
  const expected = d.expected ? `\n    expected ${d.expected}` : "";
  return `${c.cyan(where)}: ${sev}: ${path}${d.message}${expected}`;
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
