// The element tree: config.xml read and written back byte for byte in OPNsense's layout, and the
// real sample's structure (when $RECONCILER_REFERENCE_DIR/opnsense has it: test/helpers/reference.ts).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { referenceDir } from "../../helpers/reference.ts";
import { at, attr, childrenNamed, parseXml, serializeXml, text, XmlError } from "../../sim/opnsense/xml.ts";
import { fixtureText } from "./helpers.ts";

const SAMPLE = join(referenceDir("opnsense"), "config.xml.sample");

describe("config.xml tree", () => {
  it("writes the fixture back byte for byte (two spaces, self-closing empties)", () => {
    expect(serializeXml(parseXml(fixtureText()))).toBe(fixtureText());
  });

  it("reads model items with their uuid attributes", () => {
    const root = parseXml(fixtureText());
    const aliases = childrenNamed(at(root, "OPNsense/Firewall/Alias/aliases"), "alias");
    expect(aliases.map((a) => attr(a, "uuid"))).toEqual(["9c1e2d3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f"]);
    expect(text(at(root, "OPNsense/wireguard/general"), "enabled")).toBe("0");
  });

  it("escapes text and refuses malformed documents", () => {
    const root = parseXml("<opnsense><descr>a &amp; b &lt;c&gt;</descr></opnsense>");
    expect(text(root, "descr")).toBe("a & b <c>");
    expect(serializeXml(root)).toContain("<descr>a &amp; b &lt;c&gt;</descr>");
    expect(() => parseXml("<opnsense><a></b></opnsense>")).toThrow(XmlError);
    expect(() => parseXml("<opnsense>")).toThrow(XmlError);
  });

  it.runIf(existsSync(SAMPLE))("parses the real config.xml.sample and finds its sections", () => {
    const root = parseXml(readFileSync(SAMPLE, "utf8"));
    expect(root.name).toBe("opnsense");
    expect(text(at(root, "system"), "hostname")).not.toBe("");
    expect(at(root, "interfaces/lan")).toBeDefined();
    expect(at(root, "OPNsense")).toBeDefined();
    // Re-serialised, it parses to the same tree.
    expect(parseXml(serializeXml(root))).toEqual(root);
  });
});
