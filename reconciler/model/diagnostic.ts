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

/**
 * What JSON.stringify leaves as it is but a terminal or a diff view acts on: DEL, the C1 controls,
 * bidi marks, embeddings, overrides and isolates, and the Unicode line separators.
 */
const UNSAFE_AFTER_JSON = /[\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Render a value for a message: JSON, one line, at most 60 characters, control characters escaped. */
export function showValue(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  text = text.replace(UNSAFE_AFTER_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export type PathSegment = string | number;

export function formatPath(path: readonly PathSegment[]): string {
  return path.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
}
