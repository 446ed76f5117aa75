// Conformance: the simulator's export layout and parser against real RouterOS exports
// ($RECONCILER_REFERENCE_DIR/routeros, when one is configured: test/helpers/reference.ts) and, always, against this folder's own
// fixtures, which reproduce the same traps (CRLF, `\` between key= and value and inside a quoted
// string, both header date styles, model lines, the `.as=` shorthand, a `#` comment inside a
// section, a script source broken before each `\n`).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { referenceDir } from "../../helpers/reference.ts";
import { Engine } from "../../sim/routeros/engine.ts";
import { headerDate } from "../../sim/routeros/export.ts";
import { parseScript } from "../../sim/routeros/lexer.ts";
import { renderCommand } from "../../sim/routeros/wrap.ts";
import { exportCommands } from "./export-lines.ts";

// ROUTEROS_REFERENCE only lets a test run prove the fallback: point it at a missing folder
const REFERENCE = process.env.ROUTEROS_REFERENCE ?? referenceDir("routeros");
const FIXTURES = join(import.meta.dirname, "fixtures");
const haveReference = existsSync(REFERENCE);

interface Sample {
  name: string;
  text: string;
}

/** The samples: the reference exports when present (their first line names their source), and ours. */
function samples(): Sample[] {
  const own = readdirSync(FIXTURES)
    .filter((f) => f.endsWith(".rsc"))
    .map((f) => ({ name: `fixtures/${f}`, text: readFileSync(join(FIXTURES, f), "utf8") }));
  if (!haveReference) return own;
  const real = readdirSync(REFERENCE)
    .filter((f) => f.endsWith(".rsc"))
    .map((f) => ({
      name: `reference/${f}`,
      text: readFileSync(join(REFERENCE, f), "utf8").replace(/^# source: .*\r?\n/, ""),
    }));
  return [...real, ...own];
}

// terse writes the path on the command's line (a lone path line still occurs before a `#` note)
const isTerse = (text: string) => /^\/[a-z][a-z0-9 -]* (add|set|remove) /m.test(text);

describe("conformance with real RouterOS exports", () => {
  it("says where its samples come from", () => {
    const names = samples().map((s) => s.name);
    if (haveReference) {
      console.info(`routeros conformance: ${names.length} samples, reference exports from ${REFERENCE}`);
      expect(names.some((n) => n.startsWith("reference/"))).toBe(true);
    } else {
      console.info(`routeros conformance: ${REFERENCE} is absent; checking this folder's own fixtures only`);
    }
    expect(names.filter((n) => n.startsWith("fixtures/")).length).toBeGreaterThanOrEqual(2);
  });

  for (const s of samples()) {
    describe(s.name, () => {
      it("re-lays every command out exactly as RouterOS did (width, key=\\ value breaks, cuts inside quotes)", () => {
        const terse = isTerse(s.text);
        const commands = exportCommands(s.text);
        expect(commands.length).toBeGreaterThan(0);
        for (const c of commands) {
          expect(renderCommand(c.head, c.tokens, !terse)).toEqual(c.lines);
        }
      });

      it("has the header its version writes (mon/dd/yyyy before 7.10, ISO from 7.10)", () => {
        const m = /^# (\S+ \d\d:\d\d:\d\d) by RouterOS (\S+)/.exec(s.text);
        if (!m) {
          // a file without a header is one of the documented traps; nothing to compare
          expect(s.text.startsWith("# ")).toBe(false);
          return;
        }
        const [, date = "", version = ""] = m;
        const iso = /^\d{4}-\d\d-\d\d /.test(date);
        const parsed = iso
          ? new Date(`${date.replace(" ", "T")}Z`)
          : new Date(`${date.replace(/^(\w+)\/(\d+)\/(\d+) /, "$1 $2 $3 ")} UTC`);
        expect(headerDate(parsed, version)).toBe(date);
      });

      it("parses with the simulator's lexer (CRLF, continuations, comments inside sections)", () => {
        const cmds = parseScript(s.text);
        expect(cmds.length).toBeGreaterThan(0);
        // no command starts with a comment's text
        expect(
          cmds.every(
            (c) =>
              c.items[0]?.key !== undefined ||
              !String(c.items[0]?.value.kind === "string" && c.items[0].value.parts[0]).startsWith("#"),
          ),
        ).toBe(true);
      });
    });
  }

  it("imports its own fixtures into a blank router, and exports them back byte for byte", () => {
    for (const f of ["tower-7.9-compact.rsc", "tower-7.12-terse.rsc"]) {
      const text = readFileSync(join(FIXTURES, f), "utf8");
      const version = /by RouterOS (\S+)/.exec(text)?.[1] ?? "7.16";
      const model = /# model = (.*)\r/.exec(text)?.[1];
      const serial = /# serial number = (.*)\r/.exec(text)?.[1];
      const softwareId = /# software id = (.*)\r/.exec(text)?.[1] ?? "";
      const date = /^# (\S+ \S+) by/.exec(text)?.[1] ?? "";
      const now = /^\d{4}/.test(date)
        ? new Date(`${date.replace(" ", "T")}Z`)
        : new Date(`${date.replace(/^(\w+)\/(\d+)\/(\d+) /, "$1 $2 $3 ")} UTC`);
      const e = new Engine({ version, model, serial, softwareId, now: () => now });
      e.writeFile(f, text);
      const r = e.run(`/import file-name=${f}`);
      expect(r.error).toBeUndefined();
      e.run(`/export ${f.includes("terse") ? "terse " : ""}file=again`);
      // the fixtures' comment line is not configuration: drop it before comparing
      expect(e.readFile("again.rsc")).toBe(text.replace(/^# a comment inside a section\r\n/m, ""));
    }
  });

  it("prints `interface wireguard print terse` in the captured field order", () => {
    const e = new Engine();
    e.run("/interface wireguard add name=wg1 listen-port=13231");
    const ours = e.run("/interface wireguard print terse").output.trim();
    const shape = /^0 R name=\S+ mtu=\d+ listen-port=\d+ private-key=\S+ public-key=\S+$/;
    expect(ours).toMatch(shape);
    const capture = join(
      REFERENCE,
      "print-outputs",
      "mikrotik_routeros_interface_wireguard_print_terse_without-paging.raw.txt",
    );
    if (existsSync(capture)) {
      const first = readFileSync(capture, "utf8").split("\n")[1] ?? "";
      expect(first).toMatch(shape);
    } else console.info("routeros conformance: print capture absent; our own shape only");
  });
});
