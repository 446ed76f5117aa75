// A simulated box in memory for the unit tests: ogcli runs against a store held here, its sim
// files (faults.json, journal.jsonl) in a temporary directory.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ogcli } from "../../sim/opengear/ogcli.ts";
import { factoryStore, type Store } from "../../sim/opengear/store.ts";

export interface Box {
  store: Store;
  dir: string;
  files: Map<string, string>;
  /** ogcli ARGS with STDIN; the store follows the command as the real file would. */
  run(args: string[], stdin?: string): { stdout: string; stderr: string; code: number };
  faults(f: unknown): void;
}

export function box(hostname = "oob-1"): Box {
  const dir = mkdtempSync(join(tmpdir(), "ogsim-"));
  const b: Box = {
    store: factoryStore(hostname),
    dir,
    files: new Map(),
    run(args, stdin = "") {
      const r = ogcli(args, b.store, {
        stdin: () => stdin,
        readFile: (p) => {
          const t = b.files.get(p);
          if (t === undefined) throw new Error("ENOENT");
          return t;
        },
        writeFile: (p, t) => b.files.set(p, t),
        sim: { dir },
      });
      b.store = r.store;
      return { stdout: r.stdout, stderr: r.stderr, code: r.code };
    },
    faults(f) {
      writeFileSync(join(dir, "faults.json"), JSON.stringify(f));
    },
  };
  return b;
}

export function journalOf(b: Box): unknown[] {
  return readFileSync(join(b.dir, "journal.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
}

export const ok = (r: { stdout: string; stderr: string; code: number }) => {
  if (r.code !== 0) throw new Error(`ogcli failed: ${r.stderr}`);
  return r.stdout;
};
