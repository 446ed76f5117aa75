// Whether dist/ (the compiled JavaScript, npm run build) was built from the sources as they are
// now. Plain JavaScript: the entry point asks this before anything can compile TypeScript.
// The build writes dist/build-stamp.json last, with the time it started and how many source files
// it saw: no stamp (no build, or one that failed), a source changed after that time, or a source
// added or removed since, and dist/ is stale. Costs one stat per source file (~3 ms).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** What the build compiles or reads, relative to the project root: a change to any makes dist/ stale. */
export const SOURCE_DIRS = ["reconciler"];
export const SOURCE_FILES = ["package.json", "tsconfig.json", "tsconfig.build.json", "scripts/build.ts"];
export const STAMP = join("dist", "build-stamp.json");

/** Every source file under root, as absolute paths. */
export function sourceFiles(root) {
  const files = SOURCE_FILES.map((f) => join(root, f));
  for (const dir of SOURCE_DIRS) {
    for (const e of readdirSync(join(root, dir), { recursive: true, withFileTypes: true }))
      if (e.isFile()) files.push(join(e.parentPath, e.name));
  }
  return files;
}

/** @returns {{ current: boolean, reason: string }} */
export function distState(root) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(join(root, STAMP), "utf8"));
  } catch {
    return { current: false, reason: "no build (dist/build-stamp.json missing)" };
  }
  if (typeof stamp?.startedMs !== "number" || typeof stamp?.sources !== "number")
    return { current: false, reason: "dist/build-stamp.json is not a build stamp" };
  const files = sourceFiles(root);
  if (files.length !== stamp.sources)
    return {
      current: false,
      reason: `sources added or removed since the build (${stamp.sources} then, ${files.length} now)`,
    };
  for (const f of files) {
    let mtimeMs;
    try {
      mtimeMs = statSync(f).mtimeMs;
    } catch {
      return { current: false, reason: `${f} is missing` };
    }
    if (mtimeMs >= stamp.startedMs) return { current: false, reason: `${f} changed after the build` };
  }
  return { current: true, reason: "built from the current sources" };
}
