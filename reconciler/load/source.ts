// A YAML file parsed with positions kept, so any value can be traced back to its line and column.
import { type Document, isMap, isPair, isScalar, LineCounter, type Node, parseDocument, visit } from "yaml";
import { type Diagnostic, formatPath, type PathSegment } from "../model/diagnostic.ts";
import { MAX_FILE_BYTES } from "./file-text.ts";
import { scanText, scanValues } from "./text-hazards.ts";
import { MAX_DEPTH, tooDeepAt } from "./yaml-depth.ts";

export interface SourceFile {
  /** Path relative to the repository root, as printed in diagnostics. */
  file: string;
  data: unknown;
  /** Line and column of the value at `path`, or of its nearest existing ancestor. */
  locate(path: readonly PathSegment[], which?: "value" | "key"): { line: number; column: number };
}

/** Anchors may be reused, but not multiplied: a "billion laughs" file expands to gigabytes. */
const MAX_ALIAS_COUNT = 100;

/**
 * Parses `text`. `data` is undefined when the file could not be read as YAML at all, null for an
 * empty document. Never throws: whatever the input, the problems come back as diagnostics.
 */
export function parseYamlSource(
  file: string,
  text: string,
): { source: SourceFile; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const wholeFile = (message: string, expected: string, line = 1, column = 1): Diagnostic => ({
    severity: "error",
    file,
    line,
    column,
    path: "",
    message,
    expected,
  });
  const unread = { file, data: undefined, locate: () => ({ line: 1, column: 1 }) };
  if (text.length > MAX_FILE_BYTES) {
    diagnostics.push(wholeFile(`file is ${text.length} characters`, `at most ${MAX_FILE_BYTES} bytes`));
    return { source: unread, diagnostics };
  }
  const lineCounter = new LineCounter();
  const deep = tooDeepAt(text);
  if (deep !== undefined) {
    const before = text.slice(0, deep);
    diagnostics.push(
      wholeFile(
        `lists and maps nest more than ${MAX_DEPTH} levels deep`,
        `at most ${MAX_DEPTH} levels of nesting`,
        before.split("\n").length,
        deep - before.lastIndexOf("\n"),
      ),
    );
    return { source: unread, diagnostics };
  }
  let doc: Document;
  try {
    // uniqueKeys: a repeated key silently overriding the first is a classic YAML trap.
    // logLevel "error": the library would print its warnings (with a piece of the file) to
    // stderr; the one that matters, a list or map used as a key, is a diagnostic of scanValues.
    doc = parseDocument(text, {
      lineCounter,
      prettyErrors: false,
      uniqueKeys: true,
      merge: true,
      logLevel: "error",
    });
  } catch (err) {
    // Not expected once the depth is bounded; kept so that no input can escape as an exception.
    diagnostics.push(
      wholeFile(`YAML cannot be read: ${firstLine(err)}`, "well-formed YAML of reasonable depth"),
    );
    return { source: unread, diagnostics };
  }
  diagnostics.push(...scanText(file, text, lineCounter));
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
  if (doc.errors.length === 0) diagnostics.push(...scanValues(file, text, doc, lineCounter));
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
  let data: unknown;
  if (doc.errors.length === 0) {
    try {
      data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      diagnostics.push(expansionProblem(file, doc, lineCounter, err));
    }
  }
  return { source: { file, data, locate }, diagnostics };
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split("\n")[0] ?? "";
}

/** Turning the document into data failed: almost always the alias limit, placed at the first alias. */
function expansionProblem(file: string, doc: Document, lines: LineCounter, err: unknown): Diagnostic {
  let offset = 0;
  visit(doc, {
    Alias(_, node) {
      offset = node.range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  const pos = lines.linePos(offset);
  const aliases = /alias/i.test(firstLine(err));
  return {
    severity: "error",
    file,
    line: pos.line,
    column: pos.col,
    path: "",
    message: aliases
      ? `aliases expand to more than ${MAX_ALIAS_COUNT} copies (a "billion laughs" document)`
      : `YAML cannot be read: ${firstLine(err)}`,
    expected: aliases
      ? `at most ${MAX_ALIAS_COUNT} alias expansions: write the values out`
      : "well-formed YAML",
  };
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
