// A YAML file parsed with positions kept, so any value can be traced back to its line and column.
import { isMap, isPair, isScalar, LineCounter, type Node, parseDocument } from "yaml";
import { type Diagnostic, formatPath, type PathSegment } from "../model/diagnostic.ts";

export interface SourceFile {
  /** Path relative to the repository root, as printed in diagnostics. */
  file: string;
  data: unknown;
  /** Line and column of the value at `path`, or of its nearest existing ancestor. */
  locate(path: readonly PathSegment[], which?: "value" | "key"): { line: number; column: number };
}

const MAX_FILE_BYTES = 4 * 1024 * 1024;

export function parseYamlSource(
  file: string,
  text: string,
): { source: SourceFile; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const lineCounter = new LineCounter();
  if (text.length > MAX_FILE_BYTES) {
    diagnostics.push({
      severity: "error",
      file,
      line: 0,
      column: 0,
      path: "",
      message: `file is ${text.length} bytes`,
      expected: `at most ${MAX_FILE_BYTES} bytes`,
    });
    return { source: { file, data: undefined, locate: () => ({ line: 0, column: 0 }) }, diagnostics };
  }
  // uniqueKeys: a repeated key silently overriding the first is a classic YAML trap.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  for (const err of [...doc.errors, ...doc.warnings]) {
    const pos = lineCounter.linePos(err.pos[0]);
    diagnostics.push({
      severity: "error",
      file,
      line: pos.line,
      column: pos.col,
      path: "",
      message: `invalid YAML: ${err.message.split("\n")[0]}`,
      expected: "well-formed YAML",
    });
  }
  const at = (offset: number | undefined) => {
    if (offset === undefined) return { line: 1, column: 1 };
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  const locate = (path: readonly PathSegment[], which: "value" | "key" = "value") => {
    let node: unknown = doc.contents;
    let keyNode: unknown;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment),
        );
        if (!pair) break;
        keyNode = pair.key;
        node = pair.value;
      } else if (node && typeof node === "object" && "items" in node && Array.isArray(node.items)) {
        const item = typeof segment === "number" ? node.items[segment] : undefined;
        if (item === undefined) break;
        keyNode = undefined;
        node = item;
      } else break;
    }
    const target = which === "key" && keyNode ? keyNode : node;
    return at((target as Node | undefined)?.range?.[0]);
  };
  const data = doc.errors.length > 0 ? undefined : doc.toJS({ maxAliasCount: 100 });
  return { source: { file, data, locate }, diagnostics };
}

/** A diagnostic positioned at a path of a source file. */
export function diagnosticAt(
  source: SourceFile,
  path: readonly PathSegment[],
  fields: Pick<Diagnostic, "message"> & Partial<Pick<Diagnostic, "severity" | "value" | "expected">>,
  which: "value" | "key" = "value",
): Diagnostic {
  const pos = source.locate(path, which);
  return { severity: "error", file: source.file, path: formatPath(path), ...pos, ...fields };
}
