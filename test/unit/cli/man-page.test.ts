// docs/reconciler.1 is what `npm run man` generates from the command line's definitions (so it
// never falls behind them), and man renders it without a warning.
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageVersion } from "../../../reconciler/cli/conventions.ts";
import { EXIT } from "../../../reconciler/cli/exit-codes.ts";
import { manPage } from "../../../reconciler/cli/man-page.ts";
import { program } from "../../../reconciler/cli/program.ts";
import { describeProgram } from "../../../reconciler/cli/program-spec.ts";
import { ROOT } from "../../helpers/example-repo.ts";

const committed = readFileSync(join(ROOT, "docs", "reconciler.1"), "utf8");
const generated = manPage(describeProgram(program(() => {})), packageVersion());

describe("reconciler(1)", () => {
  it("is committed as generated: run `npm run man` after changing a command or option", () => {
    expect(committed).toBe(generated);
  });

  it("documents every command, option, exit code, and none of the hidden plumbing", () => {
    const spec = describeProgram(program(() => {}));
    for (const c of spec.commands) {
      expect(generated).toContain(`.SS ${c.name.replace(/-/g, "\\-")}\n`);
      for (const o of c.options)
        for (const f of o.flags) expect(generated).toContain(`\\fB${f.replace(/-/g, "\\-")}\\fR`);
    }
    for (const code of Object.values(EXIT)) expect(generated).toContain(`.TP\n\\fB${code}\\fR\n`);
    expect(generated).not.toContain("complete\\-names");
    expect(generated).not.toContain(process.cwd());
  });

  it("renders with man, and with groff in its strictest warnings, without a warning", () => {
    const man = spawnSync("man", ["--warnings", "-l", join(ROOT, "docs", "reconciler.1")], {
      env: { ...process.env, MANWIDTH: "80", MANPAGER: "cat", PAGER: "cat" },
      encoding: "utf8",
    });
    expect(man.stderr).toBe("");
    expect(man.status).toBe(0);
    expect(man.stdout).toMatch(/reconciler plan \[options\]/);
    expect(man.stdout).toMatch(/EXIT STATUS/);
    const groff = execFileSync("groff", ["-man", "-ww", "-z", join(ROOT, "docs", "reconciler.1")], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    expect(groff).toBe("");
  });
});
