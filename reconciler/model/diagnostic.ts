// A problem found in the input. Loading collects all of them and fails once, before any device
// is touched; every diagnostic names the file, the position and what was expected.

export type Severity = "error" | "warning";

export interface Diagnostic {
  severity: Severity;
  file: string;
  /** 1-based; 0 when the problem concerns the file as a whole. */
  line: number;
  column: number;
  /** Dotted path of the value in the document, such as devices.router-a.port. */
  path: string;
  message: string;
  /** The offending value, shortened for display. */
  value?: string;
  /** What would have been accepted. */
  expected?: string;
}

export const hasErrors = (diagnostics: readonly Diagnostic[]): boolean =>
  diagnostics.some((d) => d.severity === "error");

/** Stable order: by file, then position, so reports and tests read the same every run. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      a.line - b.line ||
      a.column - b.column ||
      a.message.localeCompare(b.message),
  );
}

/** Render a value for a message: JSON, one line, at most 60 characters, control characters escaped. */
export function showValue(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export type PathSegment = string | number;

export function formatPath(path: readonly PathSegment[]): string {
  return path.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
}
