// Which services an apply must reload: the sections of config.xml that differ between the live
// text and the candidate. Since the candidate is the live text with splices, an untouched section
// is byte-identical, so comparing each section's text is exact.
import { QUAGGA, WG } from "./paths.ts";
import { at, parseXml, type XmlDocument } from "./xml.ts";

export type OpnsenseService = "wireguard" | "quagga" | "filter" | "routes" | "interfaces";

const SECTIONS: [OpnsenseService, string[][]][] = [
  ["interfaces", [["interfaces"], ["OPNsense", "Interfaces"]]],
  ["wireguard", [[...WG]]],
  ["quagga", [[...QUAGGA]]],
  ["filter", [["filter"], ["OPNsense", "Firewall"]]],
  ["routes", [["staticroutes"], ["gateways"]]],
];

function sectionText(doc: XmlDocument, path: string[]): string | undefined {
  const el = at(doc.root, ...path);
  return el ? doc.source.slice(el.start, el.end) : undefined;
}

/** The services whose configuration differs, in the order an apply reloads them. */
export function affectedServices(liveText: string, candidateText: string): OpnsenseService[] {
  const a = parseXml(liveText);
  const b = parseXml(candidateText);
  return SECTIONS.filter(([, paths]) => paths.some((p) => sectionText(a, p) !== sectionText(b, p))).map(
    ([s]) => s,
  );
}
