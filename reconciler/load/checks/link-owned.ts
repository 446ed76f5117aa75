// One rule for an interface a link creates: it is configured from the link (per-end overrides
// there), and a device file naming it again is a diagnostic at the device file. Otherwise a
// device file could quietly add a second `interface "wg-b"` block with other OSPF timers next to
// the link's, which bird accepts and only a health gate would catch.
import type { Diagnostic, PathSegment } from "../../model/diagnostic.ts";
import type { DeviceIntent } from "../../schema/device.ts";
import type { Link } from "../../schema/links.ts";
import { type Loc, type RepoSources, report } from "./facts.ts";

interface Owner {
  link: string;
  at: Loc;
}

export function checkLinkOwned(
  intents: Readonly<Record<string, DeviceIntent>>,
  links: readonly Link[],
  sources: RepoSources,
): Diagnostic[] {
  const linksSource = sources.links;
  if (!linksSource) return [];
  const owners = new Map<string, Owner>();
  links.forEach((link, li) =>
    link.ends.forEach((end, ei) => {
      const key = `${end.device}\0${end.interface}`;
      if (!owners.has(key))
        owners.set(key, {
          link: link.name,
          at: { source: linksSource, path: ["links", li, "ends", ei, "interface"] },
        });
    }),
  );

  const out: Diagnostic[] = [];
  for (const [device, intent] of Object.entries(intents)) {
    const source = sources.devices[device];
    if (!source) continue;
    for (const { name, path, what } of namedInterfaces(intent)) {
      const owner = owners.get(`${device}\0${name}`);
      if (!owner) continue;
      const line = owner.at.source.locate(owner.at.path).line;
      out.push(
        report(
          { source, path },
          {
            message: `${name} is the interface of link ${owner.link} (${owner.at.source.file}:${line}); the device file cannot configure it again as ${what}`,
            value: name,
            expected: `no entry for ${name} here: set it on the link, per end under ends[].ospf, mtu or listen_port in ${owner.at.source.file}`,
          },
        ),
      );
    }
  }
  return out;
}

/** Every place a device file names an interface in order to configure it. */
function namedInterfaces(intent: DeviceIntent): { name: string; path: PathSegment[]; what: string }[] {
  const out: { name: string; path: PathSegment[]; what: string }[] = [];
  (intent.interfaces ?? []).forEach((iface, i) => {
    out.push({ name: iface.name, path: ["interfaces", i, "name"], what: "an interface" });
  });
  (intent.wireguard ?? []).forEach((wg, i) => {
    out.push({ name: wg.name, path: ["wireguard", i, "name"], what: "a WireGuard interface" });
  });
  (intent.ospf?.instances ?? []).forEach((inst, ii) =>
    inst.areas.forEach((area, ai) =>
      (area.interfaces ?? []).forEach((iface, fi) => {
        out.push({
          name: iface.name,
          path: ["ospf", "instances", ii, "areas", ai, "interfaces", fi, "name"],
          what: `an OSPF interface of ${inst.name} area ${area.id}`,
        });
      }),
    ),
  );
  return out;
}
