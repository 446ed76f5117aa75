// Assertions on diagnostics: a problem is found in the right file, on the line that holds the
// offending text, with a message that says what is wrong.
import { expect } from "vitest";
import type { Diagnostic } from "../../reconciler/model/diagnostic.ts";
import { formatDiagnostic } from "../../reconciler/report/diagnostics.ts";

export interface Expected {
  file: string;
  /** The 1-based line, or text that occurs on exactly that line of `text`. */
  line?: number;
  message: RegExp;
  severity?: "error" | "warning";
}

/** The line on which `needle` (which may span lines) starts; it must occur exactly once. */
export function lineContaining(text: string, needle: string): number {
  const at = text.indexOf(needle);
  if (at < 0 || text.indexOf(needle, at + 1) >= 0) {
    throw new Error(`expected exactly one occurrence of ${JSON.stringify(needle)} in the file`);
  }
  return text.slice(0, at).split("\n").length;
}

export function expectDiagnostic(diagnostics: readonly Diagnostic[], want: Expected): Diagnostic {
  const match = diagnostics.find(
    (d) =>
      d.file === want.file &&
      want.message.test(d.message) &&
      (want.line === undefined || d.line === want.line) &&
      d.severity === (want.severity ?? "error"),
  );
  if (!match) {
    const shown = diagnostics.map((d) => formatDiagnostic(d)).join("\n") || "(no diagnostics)";
    expect.fail(
      `no ${want.severity ?? "error"} ${want.message} at ${want.file}:${want.line ?? "*"}; got:\n${shown}`,
    );
  }
  return match;
}

export const errorsOf = (diagnostics: readonly Diagnostic[]) =>
  diagnostics.filter((d) => d.severity === "error");
