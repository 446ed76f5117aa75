// The compiled build and the entry point's choice between it and the sources (bin/dist-state.js):
// dist/ runs only when it was built from the sources as they are; a source edited, added or
// removed since, or no complete build, and the sources run instead, silently. End to end on a
// copy of the project: npm run build's output behaves as the sources do (help, diagnostics).
import { spawnSync } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { distState, SOURCE_FILES, STAMP, sourceFiles } from "../../../bin/dist-state.js";
import { ROOT } from "../../helpers/example-repo.ts";

describe("distState", () => {
  let root: string;
  const stamp = (startedMs: number, sources: number) =>
    writeFileSync(join(root, STAMP), JSON.stringify({ startedMs, sources }));
  const past = (s: number) => new Date(Date.now() - s * 1000);

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "reconciler-dist-state-"));
    mkdirSync(join(root, "reconciler", "cli"), { recursive: true });
    mkdirSync(join(root, "scripts"));
    mkdirSync(join(root, "dist"));
    for (const f of [...SOURCE_FILES, "reconciler/cli/main.ts", "reconciler/a.json"]) {
      writeFileSync(join(root, f), "x");
      utimesSync(join(root, f), past(60), past(60));
    }
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("lists every file the build reads", () => {
    expect(
      sourceFiles(root)
        .map((f) => f.slice(root.length + 1))
        .sort(),
    ).toEqual([...SOURCE_FILES, "reconciler/a.json", "reconciler/cli/main.ts"].sort());
  });

  it("is current after a complete build of the sources as they are", () => {
    stamp(Date.now() - 30_000, sourceFiles(root).length);
    expect(distState(root)).toEqual({ current: true, reason: "built from the current sources" });
  });

  it("is stale without a stamp, or with one that is not a build's", () => {
    rmSync(join(root, STAMP));
    expect(distState(root).current).toBe(false);
    writeFileSync(join(root, STAMP), "{}");
    expect(distState(root).reason).toMatch(/not a build stamp/);
  });

  it("is stale when a source changed after the build started", () => {
    stamp(Date.now() - 30_000, sourceFiles(root).length);
    utimesSync(join(root, "reconciler/cli/main.ts"), past(10), past(10));
    expect(distState(root)).toEqual({
      current: false,
      reason: `${join(root, "reconciler/cli/main.ts")} changed after the build`,
    });
    utimesSync(join(root, "reconciler/cli/main.ts"), past(60), past(60));
    utimesSync(join(root, "tsconfig.build.json"), past(10), past(10));
    expect(distState(root).current).toBe(false);
    utimesSync(join(root, "tsconfig.build.json"), past(60), past(60));
    expect(distState(root).current).toBe(true);
  });

  it("is stale when a source was added or removed, even one older than the build", () => {
    const n = sourceFiles(root).length;
    stamp(Date.now() - 30_000, n);
    writeFileSync(join(root, "reconciler", "new.ts"), "x");
    utimesSync(join(root, "reconciler", "new.ts"), past(60), past(60));
    expect(distState(root).reason).toMatch(/added or removed/);
    rmSync(join(root, "reconciler", "new.ts"));
    expect(distState(root).current).toBe(true);
    rmSync(join(root, "reconciler", "a.json"));
    expect(distState(root).reason).toMatch(/added or removed/);
  });
});

describe("npm run build on a copy of the project", () => {
  let copy: string;
  const bin = (args: string[]) =>
    spawnSync(process.execPath, [join(copy, "bin", "reconciler.js"), ...args], {
      cwd: copy,
      env: { ...process.env, NO_COLOR: "1" },
      encoding: "utf8",
      timeout: 60_000,
    });
  // The sources themselves, as tsx runs them: what the compiled code must match.
  const sources = (args: string[]) =>
    spawnSync(process.execPath, ["--import", "tsx", join(copy, "reconciler", "cli", "main.ts"), ...args], {
      cwd: copy,
      env: { ...process.env, NO_COLOR: "1" },
      encoding: "utf8",
      timeout: 60_000,
    });
  const program = () => join(copy, "reconciler", "cli", "program.ts");
  const compiledProgram = () => join(copy, "dist", "reconciler", "cli", "program.js");

  beforeAll(() => {
    copy = mkdtempSync(join(tmpdir(), "reconciler-build-"));
    for (const p of [
      "reconciler",
      "bin",
      "scripts/build.ts",
      "package.json",
      "tsconfig.json",
      "tsconfig.build.json",
    ])
      cpSync(join(ROOT, p), join(copy, p), { recursive: true });
    symlinkSync(join(ROOT, "node_modules"), join(copy, "node_modules"));
    // A broken copy of the example network, for diagnostics.
    for (const d of ["inventory", "desired"])
      cpSync(join(ROOT, d), join(copy, "broken", d), { recursive: true });
    const device = join(copy, "broken", "desired", "router-a.yaml");
    writeFileSync(device, `${readFileSync(device, "utf8")}\npassword: x\nmtu: big\n`);
    const build = spawnSync(process.execPath, ["--import", "tsx", join(copy, "scripts", "build.ts")], {
      cwd: copy,
      encoding: "utf8",
      timeout: 300_000,
    });
    expect(build.stderr).toBe("");
    expect(build.status).toBe(0);
  }, 320_000);
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  it("leaves a current dist/ with the generated validators", () => {
    expect(distState(copy)).toEqual({ current: true, reason: "built from the current sources" });
    expect(
      readFileSync(join(copy, "dist", "reconciler", "load", "validators", "generated-validators.js"), "utf8"),
    ).toMatch(/^\/\/ Generated by scripts\/build\.ts/);
  });

  it("prints the help the sources print", () => {
    const [built, src] = [bin(["--help"]), sources(["--help"])];
    expect(built.status).toBe(0);
    expect(built.stdout).toContain("Usage: reconciler");
    expect(built.stdout).toBe(src.stdout);
    for (const command of ["plan", "apply", "validate"])
      expect(bin([command, "--help"]).stdout).toBe(sources([command, "--help"]).stdout);
  }, 120_000);

  it("validates as the sources do: a valid network, and a broken one with the same diagnostics", () => {
    for (const repo of [ROOT, join(copy, "broken")]) {
      const [built, src] = [bin(["validate", "--repo", repo]), sources(["validate", "--repo", repo])];
      expect(built.stdout.replaceAll(copy, "")).toBe(src.stdout.replaceAll(copy, ""));
      expect(built.status).toBe(src.status);
    }
    const broken = bin(["validate", "--repo", join(copy, "broken")]);
    expect(broken.status).toBe(1);
    expect(broken.stdout).toMatch(
      /router-a\.yaml:\d+:\d+.*unknown key "password" \(passwords never go in git/,
    );
  }, 120_000);

  it("runs dist/ while it is current, and the sources, silently, once a source is edited", () => {
    // Marks told apart: one in the compiled program only, then one in its source only.
    writeFileSync(
      compiledProgram(),
      readFileSync(compiledProgram(), "utf8").replace("GitOps reconciler", "FROM-DIST"),
    );
    expect(bin(["--help"]).stdout).toContain("FROM-DIST");
    writeFileSync(program(), readFileSync(program(), "utf8").replace("GitOps reconciler", "FROM-SOURCES"));
    const edited = bin(["--help"]);
    expect(edited.stdout).toContain("FROM-SOURCES");
    expect(edited.stdout).not.toContain("FROM-DIST");
    expect(edited.stderr).toBe("");
  });

  it("runs the sources when there is no dist/ at all", () => {
    rmSync(join(copy, "dist"), { recursive: true });
    const r = bin(["--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("FROM-SOURCES");
  });
});
