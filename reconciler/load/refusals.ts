// The loader's side of RefusedFile: a file the reader will not hand over becomes a diagnostic
// (once, however often it is asked for) and reads as absent, so every other problem of the
// repository is still reported in the same run.
import type { Diagnostic } from "../model/diagnostic.ts";
import { RefusedFile } from "./file-text.ts";
import type { RepoReader } from "./reader.ts";

export interface GuardedReader extends RepoReader {
  /** Paths refused so far: absent for the loader, but not "missing". */
  readonly refused: ReadonlySet<string>;
}

export function guarded(reader: RepoReader, out: Diagnostic[]): GuardedReader {
  const refused = new Set<string>();
  const reported = new Set<string>();
  const refuse = (err: unknown, path: string) => {
    if (!(err instanceof RefusedFile)) throw err;
    refused.add(path);
    const key = `${err.file}\0${err.reason}`;
    if (reported.has(key)) return;
    reported.add(key);
    out.push({
      severity: "error",
      file: err.file,
      line: err.line,
      column: err.column,
      path: "",
      message: `${err.reason}: not read`,
      expected: err.expected,
    });
  };
  return {
    origin: reader.origin,
    refused,
    list: async (dir) => {
      try {
        return await reader.list(dir);
      } catch (err) {
        refuse(err, dir);
        return [];
      }
    },
    read: async (path) => {
      try {
        return await reader.read(path);
      } catch (err) {
        refuse(err, path);
        return undefined;
      }
    },
  };
}
