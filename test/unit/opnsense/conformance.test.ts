// The parser on real structure: OPNsense's own config.xml.sample when the shared reference copy is
// there (read-only), and always this driver's own fixtures, so that a broken parser cannot pass
// because the sample is absent.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { opnsenseDriver } from "../../../reconciler/drivers/opnsense/driver.ts";
import { renderConfig } from "../../../reconciler/drivers/opnsense/render.ts";
import { at, childrenNamed, leaf, parseXml } from "../../../reconciler/drivers/opnsense/xml.ts";
import { referenceDir } from "../../helpers/reference.ts";
import { fixture, fw1, liveOf } from "./helpers.ts";

const SAMPLE = join(referenceDir("opnsense"), "config.xml.sample");

function checkStructure(text: string) {
  const doc = parseXml(text);
  expect(doc.root.name).toBe("opnsense");
  // Every element's offsets frame exactly its own text.
  const walk = (el: typeof doc.root): void => {
    expect(text.slice(el.start, el.start + 1 + el.name.length)).toBe(`<${el.name}`);
    if (!el.selfClosing) expect(text.slice(el.closeStart, el.end)).toBe(`</${el.name}>`);
    for (const c of el.children) {
      expect(c.start).toBeGreaterThanOrEqual(el.openEnd);
      expect(c.end).toBeLessThanOrEqual(el.closeStart);
      walk(c);
    }
  };
  walk(doc.root);
  return doc;
}

describe("config.xml as OPNsense writes it", () => {
  it("parses the driver's own fixtures, offsets and all", () => {
    for (const name of ["box.xml", "fresh.xml"]) checkStructure(fixture(name));
    const doc = checkStructure(fixture("box.xml"));
    expect(leaf(at(doc.root, "system"), "hostname")).toBe("fw-1");
    expect(childrenNamed(at(doc.root, "filter"), "rule")).toHaveLength(2);
  });

  it("parses OPNsense's config.xml.sample when it is there, and renders fw-1 into it without touching the rest", async () => {
    if (!existsSync(SAMPLE)) return;
    const text = readFileSync(SAMPLE, "utf8");
    const doc = checkStructure(text);
    expect(leaf(at(doc.root, "system"), "hostname")).toBe("OPNsense");
    expect(
      childrenNamed(at(doc.root, "OPNsense", "Firewall", "Filter", "rules"), "rule").length,
    ).toBeGreaterThan(0);
    const live = liveOf(text);
    // The sample's password hash never reaches an artifact.
    expect(JSON.stringify(live)).not.toContain("$2y$10$");
    const desired = await fw1();
    const out = renderConfig(desired, "fw-1", live.artifacts["/conf/config.xml"] ?? "");
    expect(renderConfig(desired, "fw-1", out)).toBe(out);
    expect(opnsenseDriver.normalize(liveOf(out).state)).toEqual(opnsenseDriver.normalize(desired));
    // The sample's own sections are still there as they were.
    for (const section of ["<dnsmasq>", "<unbound>", "<nat>", "<rrd>", "<ntpd>"]) {
      const start = text.indexOf(section);
      const name = section.slice(1, -1);
      const block = text.slice(start, text.indexOf(`</${name}>`, start));
      expect(out).toContain(block);
    }
  });
});
