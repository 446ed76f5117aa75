// The parser against real exports, when a reference folder is configured ($RECONCILER_REFERENCE_DIR/
// routeros, test/helpers/reference.ts: real files from public repositories, never in the project).
// Every file must parse without an error diagnostic and map without throwing; without the folder,
// the same checks run on our own fixtures, and the test says which it used.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { liveStateFromExport } from "../../../reconciler/drivers/routeros/live-state.ts";
import { parseExport } from "../../../reconciler/drivers/routeros/parse-export.ts";
import { referenceDir } from "../../helpers/reference.ts";
import * as fixtures from "./fixtures.ts";

const REFERENCE = referenceDir("routeros");
const present = existsSync(REFERENCE);

function exportsToCheck(): { name: string; text: string }[] {
  if (!present)
    return Object.entries(fixtures)
      .filter(([k, v]) => typeof v === "string" && !k.endsWith("_KEY") && v.includes("\n/"))
      .map(([name, text]) => ({ name, text: text as string }));
  return readdirSync(REFERENCE)
    .filter((f) => f.endsWith(".rsc"))
    .sort()
    .map((f) => ({ name: f, text: readFileSync(join(REFERENCE, f), "utf8") }));
}

/** Lines that start an item: a command after a menu (compact) or a full path line (terse). */
function countCommands(text: string): number {
  let n = 0;
  let continued = false;
  for (const line of text.split(/\r?\n/)) {
    const starts = !continued && /^(\/\S+( \S+)* )?(add|set|remove)( |$)/.test(line) && !line.startsWith("#");
    if (starts) n++;
    continued = /\\$/.test(line);
  }
  return n;
}

describe(`conformance on ${present ? `the reference exports in ${REFERENCE}` : "our own fixtures (the reference folder is absent)"}`, () => {
  const files = exportsToCheck();

  it("has exports to check", () => {
    expect(files.length).toBeGreaterThan(present ? 3 : 4);
  });

  for (const { name, text } of files)
    it(`${name}: parses without an error, every command an item, and maps without throwing`, () => {
      const parsed = parseExport(text);
      expect(parsed.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      expect(parsed.items.length).toBeGreaterThan(0);
      // The source line of a reference file is a comment; header dates come in either form.
      expect(parsed.items).toHaveLength(countCommands(text));
      if (/by RouterOS/.test(text)) expect(parsed.header.version).toMatch(/^[67]\.\d+/);
      const live = liveStateFromExport(parsed);
      expect(live.unmanaged.length + Object.keys(live.state).length).toBeGreaterThan(0);
      expect(live.canonical).not.toMatch(/private-key="[A-Za-z0-9+/]{43}="/);
      // The canonical form reads back as the same items.
      const again = parseExport(live.canonical);
      expect(again.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      expect(again.items).toHaveLength(parsed.items.length);
    });
});
