// The conventions people expect of a command line, on the real binary: --version, colour
// (--no-color, NO_COLOR, FORCE_COLOR, not a terminal), exit codes and environment in --help,
// and the completion scripts: valid in their shell, and completing commands, options and the
// inventory's device and group names.
import { execFileSync, spawnSync } from "node:child_process";
import {
  appendFileSync,
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT, EXIT_MEANING } from "../../reconciler/cli/exit-codes.ts";
import { runCli } from "../helpers/cli.ts";
import { ROOT } from "../helpers/example-repo.ts";

const ESC = "\x1b[";
let dir: string;
let broken: string;
/** A directory holding a `reconciler` on PATH, as an installed one would be, for the shells. */
let bin: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "reconciler-conventions-"));
  broken = join(dir, "repo");
  for (const sub of ["inventory", "desired"]) cpSync(join(ROOT, sub), join(broken, sub), { recursive: true });
  appendFileSync(join(broken, "inventory", "inventory.yaml"), "no_such_section: 1\n");
  bin = join(dir, "bin");
  mkdirSync(bin);
  writeFileSync(
    join(bin, "reconciler"),
    `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(join(ROOT, "bin", "reconciler.js"))} "$@"\n`,
  );
  chmodSync(join(bin, "reconciler"), 0o755);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("--version", () => {
  it("prints the name and package.json's version, and exits 0", () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    for (const flag of ["--version", "-V"]) {
      const r = runCli([flag]);
      expect(r.stdout).toBe(`reconciler ${version}\n`);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
    }
  });
});

describe("colour", () => {
  // runCli sets NO_COLOR=1; an empty NO_COLOR is "not set" (no-color.org).
  const validate = (args: string[], env: Record<string, string>) =>
    runCli(["validate", "--repo", broken, ...args], { env: { NO_COLOR: "", FORCE_COLOR: "", ...env } });

  it("is off when stdout is not a terminal", () => {
    const r = validate([], {});
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/no_such_section/);
    expect(r.stdout).not.toContain(ESC);
  });

  it("is on with FORCE_COLOR, even into a pipe", () => {
    const r = validate([], { FORCE_COLOR: "1" });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${ESC}31merror`);
  });

  it("is off with --no-color (before or after the command) or NO_COLOR, whatever FORCE_COLOR says", () => {
    expect(validate(["--no-color"], { FORCE_COLOR: "1" }).stdout).not.toContain(ESC);
    const before = runCli(["--no-color", "validate", "--repo", broken], {
      env: { FORCE_COLOR: "1", NO_COLOR: "" },
    });
    expect(before.stdout).toMatch(/no_such_section/);
    expect(before.stdout).not.toContain(ESC);
    expect(validate([], { FORCE_COLOR: "1", NO_COLOR: "1" }).stdout).not.toContain(ESC);
    expect(validate([], { FORCE_COLOR: "0" }).stdout).not.toContain(ESC);
  });
});

describe("--help", () => {
  const help = runCli(["--help"]);

  it("lists every exit code with its meaning", () => {
    expect(help.code).toBe(0);
    for (const k of Object.keys(EXIT) as (keyof typeof EXIT)[]) {
      const line = help.stdout.split("\n").find((l) => l.startsWith(`  ${String(EXIT[k]).padEnd(6)}`));
      expect(line, `exit code ${EXIT[k]}`).toBeDefined();
      expect(EXIT_MEANING[k].startsWith(line?.slice(8) ?? "-")).toBe(true);
    }
  });

  it("lists the environment variables the reconciler reads, and the global options", () => {
    for (const v of ["RECONCILER_STATE_DIR", "SSH_AUTH_SOCK", "NO_COLOR", "FORCE_COLOR", "GITHUB_TOKEN"])
      expect(help.stdout).toContain(`\n  ${v}`);
    expect(help.stdout).toMatch(/-V, --version/);
    expect(help.stdout).toMatch(/--no-color/);
    expect(help.stdout).toMatch(/completion <shell>/);
  });

  it("and the README list the same exit codes and variables", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    for (const code of Object.values(EXIT)) expect(readme).toMatch(new RegExp(`\\n\\| ${code} \\| `));
    for (const v of help.stdout.match(/^ {2}[A-Z][A-Z_]+[A-Z*]/gm) ?? [])
      expect(readme).toContain(`\`${v.trim()}`);
  });

  it("fits in 80 columns", () => {
    for (const line of help.stdout.split("\n")) expect(line.length, line).toBeLessThanOrEqual(80);
  });
});

describe("completion", () => {
  const script = (shell: string) => {
    const r = runCli(["completion", shell]);
    expect(r.code).toBe(0);
    const file = join(dir, `reconciler.${shell}`);
    writeFileSync(file, r.stdout);
    return file;
  };
  const env = () => ({ ...process.env, PATH: `${bin}:${process.env.PATH}` });

  it("refuses a shell it has no script for", () => {
    const r = runCli(["completion", "tcsh"]);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/unknown shell "tcsh": expected bash, zsh, fish/);
  });

  it("bash: valid, and completes commands, options, choices and device names", () => {
    const file = script("bash");
    execFileSync("bash", ["-n", file]);
    const complete = (...words: string[]) =>
      execFileSync(
        "bash",
        [
          "-c",
          `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _reconciler; printf '%s\\n' "\${COMPREPLY[@]}"`,
          "bash",
          file,
          ...words,
        ],
        { cwd: ROOT, env: env(), encoding: "utf8" },
      )
        .split("\n")
        .filter(Boolean);
    expect(complete("reconciler", "pl")).toEqual(["plan"]);
    expect(complete("reconciler", "")).toEqual(
      expect.arrayContaining(["plan", "apply", "keys", "completion"]),
    );
    expect(complete("reconciler", "plan", "--l")).toEqual(["--limit"]);
    expect(complete("reconciler", "watch", "--log-format", "")).toEqual(["text", "json"]);
    expect(complete("reconciler", "completion", "")).toEqual(["bash", "zsh", "fish"]);
    expect(complete("reconciler", "plan", "--limit", "co")).toEqual(["core-1", "core"]);
    expect(complete("reconciler", "trust", "tower")).toEqual(["tower-1"]);
    // --repo is honoured: the broken copy has the same devices, an empty directory none.
    expect(complete("reconciler", "apply", "--repo", dir, "--limit", "")).toEqual([]);
    expect(complete("reconciler", "apply", "--repo", broken, "--limit", "fw")).toEqual(["fw-1"]);
  });

  it("zsh: valid, registered, and completes commands, options and device names at the prompt", () => {
    const file = script("zsh");
    execFileSync("zsh", ["-n", file]);
    const registered = execFileSync(
      "zsh",
      [
        "-f",
        "-c",
        'autoload -U compinit && compinit -u -D && source "$1" && print -r -- $_comps[reconciler]',
        "zsh",
        file,
      ],
      { env: env(), encoding: "utf8" },
    );
    expect(registered.trim()).toBe("_reconciler");
    // Typed into an interactive zsh on a pseudo-terminal: what the screen shows after Tab.
    const typed = (line: string, until: string, seconds = 20) =>
      spawnSync(
        "timeout",
        [String(seconds), "zsh", "-f", join(ROOT, "test", "helpers", "zsh-complete.zsh"), file, line, until],
        {
          cwd: ROOT,
          env: env(),
          encoding: "utf8",
        },
      );
    const command = typed("reconciler pl", "plan ");
    expect(command.status, command.stderr).toBe(0);
    expect(command.stdout).toContain("reconciler plan ");
    expect(typed("reconciler plan --li", "--limit ").status).toBe(0);
    const names = typed("reconciler plan --limit co", "core-1");
    expect(names.status).toBe(0);
    expect(names.stdout).toMatch(/core\s+core-1/);
    // The harness fails when the screen never shows the text: a completion that broke is seen.
    expect(typed("reconciler plan --limit co", "router-a", 3).status).not.toBe(0);
    const text = readFileSync(file, "utf8");
    const commands =
      runCli(["--help"])
        .stdout.match(/^ {2}([a-z][a-z-]*) /gm)
        ?.map((s) => s.trim()) ?? [];
    expect(commands.length).toBeGreaterThan(10);
    for (const name of commands.filter((n) => n !== "help")) expect(text).toContain(`\n    '${name}:`);
    expect(text).toMatch(/'--limit\[only these devices\\: [^'\]]*\]:pattern:_reconciler_names'/);
  });

  it("fish: valid, and completes commands, options and device names", () => {
    const file = script("fish");
    execFileSync("fish", ["--no-execute", file]);
    const complete = (line: string) =>
      execFileSync(
        "fish",
        ["--no-config", "-c", `source $argv[1]; complete -C ${JSON.stringify(line)}`, file],
        {
          cwd: ROOT,
          env: env(),
          encoding: "utf8",
        },
      )
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split("\t")[0]);
    expect(complete("reconciler pla")).toEqual(["plan"]);
    expect(complete("reconciler plan --li")).toEqual(["--limit"]);
    expect(complete("reconciler plan --limit ")).toEqual(expect.arrayContaining(["core-1", "fw-1", "mesh"]));
    expect(complete("reconciler completion ")).toEqual(["bash", "fish", "zsh"]);
  });

  it("lists the commands with a hidden plumbing command left out", () => {
    const r = spawnSync(
      process.execPath,
      [join(ROOT, "bin", "reconciler.js"), "__complete-names", "--repo", ROOT],
      {
        encoding: "utf8",
      },
    );
    expect(r.stdout.split("\n")).toEqual(expect.arrayContaining(["core-1", "router-a", "mesh", "oob"]));
    expect(runCli(["--help"]).stdout).not.toContain("__complete-names");
  });
});
