// The reconciler the benchmark measures: a copy of the project built as `npm ci` builds it
// (scripts/build.ts into dist/), so that every run of one benchmark executes the same compiled
// code, whatever happens to the working tree meanwhile (bin/reconciler.js falls back to running
// the sources through tsx as soon as a source is newer than dist/, which costs ~1 s CPU a run).
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, symlinkSync } from "node:fs";
import { join } from "node:path";

const PROJECT = [
  "reconciler",
  "bin",
  "scripts/build.ts",
  "package.json",
  "tsconfig.json",
  "tsconfig.build.json",
];

export interface Snapshot {
  /** bin/reconciler.js of the copy. */
  bin: string;
  /** "compiled (dist/)" or why the copy runs its sources through tsx. */
  mode: string;
}

export async function buildSnapshot(root: string, dir: string): Promise<Snapshot> {
  for (const p of PROJECT)
    if (existsSync(join(root, p))) cpSync(join(root, p), join(dir, p), { recursive: true });
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
  const bin = join(dir, "bin", "reconciler.js");
  if (!existsSync(join(dir, "scripts", "build.ts")))
    return { bin, mode: "sources through tsx (no scripts/build.ts)" };
  const r = spawnSync(process.execPath, ["--import", "tsx", join(dir, "scripts", "build.ts")], {
    cwd: dir,
    encoding: "utf8",
  });
  if (r.status !== 0)
    return { bin, mode: `sources through tsx (the build failed: ${r.stderr.slice(-300).trim()})` };
  const state = (await import(join(dir, "bin", "dist-state.js"))) as {
    distState: (root: string) => { current: boolean; reason: string };
  };
  const s = state.distState(dir);
  return { bin, mode: s.current ? "compiled (dist/)" : `sources through tsx (${s.reason})` };
}
