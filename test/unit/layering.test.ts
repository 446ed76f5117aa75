// The arrows point down: the loader, the planner and the plain model are given each platform's
// rules (drivers/<platform>/descriptor.ts) by their caller and import nothing from drivers/.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve(import.meta.dirname, "..", "..", "reconciler");

/** Every module a file imports (static, re-exported or dynamic), resolved to a path under SRC. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specs = [
    ...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']/gms),
    ...text.matchAll(/\bimport\s*\(\s*["']([^"']+)["']\s*\)/g),
    ...text.matchAll(/^\s*import\s*["']([^"']+)["']/gm),
  ].map((m) => m[1] as string);
  return specs.map((s) => (s.startsWith(".") ? relative(SRC, resolve(dirname(file), s)) : s));
}

const tsFiles = (dir: string): string[] =>
  readdirSync(join(SRC, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => join(e.parentPath, e.name));

describe.each(["load", "plan", "model"])("reconciler/%s/", (dir) => {
  it("imports nothing from drivers/", () => {
    const files = tsFiles(dir);
    const imports = files.flatMap((f) => importsOf(f).map((target) => ({ file: relative(SRC, f), target })));
    // The scan sees the folder's own imports: an empty result would prove nothing.
    expect(imports.some((i) => i.target.startsWith(`${dir}/`) || i.target.startsWith("model/"))).toBe(true);
    expect(imports.filter((i) => i.target === "drivers" || i.target.startsWith("drivers/"))).toEqual([]);
  });
});

describe("the import scan", () => {
  it("finds an import of drivers/ where there is one", () => {
    expect(importsOf(join(SRC, "cli", "open-repo.ts"))).toContain("drivers/descriptors.ts");
  });
});
