// Which services an apply must reload: the sections of config.xml that differ between the live
// text and the candidate. Since the candidate is the live text with splices, an untouched section
// is byte-identical, so comparing each section's text is exact.
import { QUAGGA, WG } from "./paths.ts";
import { at, parseXml, type XmlDocument } from "./xml.ts";

/**
 * "interfaces" (beyond the four services): the interface assignments or loopback devices differ,
 * so the apply configures the interfaces (a new loopback, a WireGuard instance newly assigned).
 */
export type OpnsenseService = "interfaces" | "wireguard" | "quagga" | "filter" | "routes";

const INTERFACES = [["interfaces"], ["OPNsense", "Interfaces"]];

const SECTIONS: [OpnsenseService, string[][]][] = [
  ["interfaces", INTERFACES],
  ["wireguard", [[...WG]]],
  ["quagga", [[...QUAGGA]]],
  ["filter", [["filter"], ["OPNsense", "Firewall"]]],
  ["routes", [["staticroutes"], ["gateways"]]],
];

function sectionText(doc: XmlDocument, path: string[]): string | undefined {
  const el = at(doc.root, ...path);
  return el ? doc.source.slice(el.start, el.end) : undefined;
}

/**
 * Whether the interface assignments or loopback devices differ: the apply then configures the
 * interfaces (a new loopback, a WireGuard instance newly assigned) before reloading the services.
 */
export function interfacesChanged(liveText: string, candidateText: string): boolean {
  const a = parseXml(liveText);
  const b = parseXml(candidateText);
  return INTERFACES.some((p) => sectionText(a, p) !== sectionText(b, p));
}

/** The services whose configuration differs, in the order an apply reloads them. */
export function affectedServices(liveText: string, candidateText: string): OpnsenseService[] {
  const a = parseXml(liveText);
  const b = parseXml(candidateText);
  return SECTIONS.filter(([, paths]) => paths.some((p) => sectionText(a, p) !== sectionText(b, p))).map(
    ([s]) => s,
  );
}
