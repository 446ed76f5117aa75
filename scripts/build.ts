// `npm run build` (npm ci runs it too, as the prepare script): compiles reconciler/ into dist/
// with tsc (tsconfig.build.json) and generates the schema validators as plain JavaScript (ajv's
// standalone code), so that a run neither transpiles TypeScript nor compiles schemas (issue 14).
// The stamp is written last: bin/dist-state.js treats dist/ as current only after a whole build.
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { STAMP, sourceFiles } from "../bin/dist-state.js";
import { validatorsModuleSource } from "../reconciler/load/validators/generate-validators.ts";
import { GENERATED_FILE } from "../reconciler/load/validators/validators.ts";

const root = resolve(import.meta.dirname, "..");
// Before reading any source: a file saved while the build runs is newer than the stamp, hence stale.
const startedMs = Date.now();
const sources = sourceFiles(root).length;

rmSync(join(root, "dist"), { recursive: true, force: true });
const tsc = spawnSync(
  process.execPath,
  [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"],
  {
    cwd: root,
    stdio: "inherit",
  },
);
if (tsc.status !== 0) {
  process.stderr.write(`build: tsc failed (exit ${tsc.status ?? tsc.signal}); dist/ left without a stamp\n`);
  process.exit(1);
}
writeFileSync(
  join(root, "dist", "reconciler", "load", "validators", GENERATED_FILE),
  await validatorsModuleSource({ formatsImport: "./formats.js" }),
);
// dist/ mirrors the root one level down: code that reads ../../package.json beside its module (the
// version) finds this one, which also keeps dist/ an ES module package.
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { name: string; version: string };
writeFileSync(
  join(root, "dist", "package.json"),
  `${JSON.stringify({ name: pkg.name, version: pkg.version, private: true, type: "module" }, null, 2)}\n`,
);
writeFileSync(join(root, STAMP), `${JSON.stringify({ startedMs, sources })}\n`);
process.stdout.write(`build: dist/ compiled from ${sources} source files\n`);
