// The start-up budget (issue 14), held by the import graph: what `reconciler --help` and
// `reconciler validate` load before doing anything is the static import closure of their modules.
// Heavy packages (TypeBox ~85 ms, ajv's compiler, simple-git, ssh2, octokit) and the drivers must
// stay behind dynamic imports, loaded by the commands that use them.
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../helpers/example-repo.ts";

/** Modules a file loads when it is evaluated: static value imports and re-exports, not `import type`. */
function staticImports(text: string): string[] {
  const specs: string[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(?!type\b)([^;]*?)\s*from\s*["']([^"']+)["']/gms))
    specs.push(m[3] as string);
  for (const m of text.matchAll(/^\s*import\s*["']([^"']+)["']/gm)) specs.push(m[1] as string);
  return specs;
}

/** Every project file (relative to ROOT) and bare package the entry loads through static imports. */
function closure(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const todo = [resolve(ROOT, entry)];
  while (todo.length > 0) {
    const file = todo.pop() as string;
    const rel = relative(ROOT, file);
    if (files.has(rel)) continue;
    files.add(rel);
    for (const spec of staticImports(readFileSync(file, "utf8"))) {
      if (spec.startsWith(".")) todo.push(resolve(dirname(file), spec));
      else if (!spec.startsWith("node:"))
        packages.add(
          spec
            .split("/")
            .slice(0, spec.startsWith("@") ? 2 : 1)
            .join("/"),
        );
    }
  }
  return { files, packages };
}

const HEAVY = ["@sinclair/typebox", "ajv", "simple-git", "ssh2", "octokit", "zx", "diff"];

describe("the start-up import graph", () => {
  it("the scan sees static imports and skips type-only and dynamic ones", () => {
    const text = [
      'import { a } from "./a.ts";',
      'import type { B } from "./b.ts";',
      'import {\n  type C,\n  d,\n} from "pkg/sub";',
      'export { e } from "./e.ts";',
      'export type { F } from "./f.ts";',
      'const g = await import("./g.ts");',
      'import "./side.ts";',
    ].join("\n");
    expect(staticImports(text).sort()).toEqual(["./a.ts", "./e.ts", "./side.ts", "pkg/sub"]);
  });

  it("reconciler --help loads commander and the CLI's own modules, nothing heavy, no command", () => {
    const { files, packages } = closure(join("reconciler", "cli", "main.ts"));
    expect(files.has(join("reconciler", "cli", "program.ts"))).toBe(true);
    expect(packages.has("commander")).toBe(true);
    expect([...packages].filter((p) => HEAVY.includes(p))).toEqual([]);
    for (const command of ["validate", "plan", "apply", "drift", "watch", "rollback"])
      expect(files.has(join("reconciler", "cli", `${command}.ts`)), command).toBe(false);
    expect([...files].filter((f) => f.startsWith(join("reconciler", "drivers")))).toEqual([]);
  });

  it("validate loads the loader and the platform descriptors, not TypeBox, ajv's compiler, git or the drivers", () => {
    const { files, packages } = closure(join("reconciler", "cli", "validate.ts"));
    expect(files.has(join("reconciler", "load", "schema-check.ts"))).toBe(true);
    expect(packages.has("yaml")).toBe(true);
    expect([...packages].filter((p) => HEAVY.includes(p))).toEqual([]);
    const drivers = [...files].filter((f) => f.startsWith(join("reconciler", "drivers")));
    expect(drivers).toContain(join("reconciler", "drivers", "descriptors.ts"));
    expect(drivers.filter((f) => /(driver|apply|transport)\.ts$/.test(f))).toEqual([]);
  });
});
