// Facts gathered from every file with the place each was written, so a check spanning several
// files (a listen port used by a device file and by a link) can point at each occurrence.

import { endAddresses, transferAddresses } from "../../intent/links.ts";
import type { Diagnostic, PathSegment } from "../../model/diagnostic.ts";
import type { DeviceIntent } from "../../schema/device.ts";
import type { Link } from "../../schema/links.ts";
import { diagnosticAt, type SourceFile } from "../source.ts";

export interface Loc {
  source: SourceFile;
  path: PathSegment[];
}

export const report = (
  loc: Loc,
  fields: Pick<Diagnostic, "message"> & Partial<Pick<Diagnostic, "severity" | "value" | "expected">>,
  which: "value" | "key" = "value",
): Diagnostic => diagnosticAt(loc.source, loc.path, fields, which);

export interface InterfaceDecl {
  device: string;
  name: string;
  wireguard: boolean;
  listenPort?: number;
  /** Where the name is written. */
  at: Loc;
  /** Where the listen port is written. */
  portAt?: Loc;
  /** The link that creates the interface, for the ends of links. */
  link?: string;
}

export interface AddressDecl {
  device: string;
  interface: string;
  /** address/length as it will be configured */
  address: string;
  at: Loc;
  /** Set for addresses that come from a link's transfer net. */
  link?: string;
}

export interface RepoSources {
  devices: Record<string, SourceFile>;
  links?: SourceFile;
}

/** Every interface of every device: from its own file and from each link it ends. */
export function interfaceDecls(
  intents: Record<string, DeviceIntent>,
  links: readonly Link[],
  sources: RepoSources,
): InterfaceDecl[] {
  const out: InterfaceDecl[] = [];
  for (const [device, intent] of Object.entries(intents)) {
    const source = sources.devices[device];
    if (!source) continue;
    (intent.interfaces ?? []).forEach((iface, i) =>
      out.push({
        device,
        name: iface.name,
        wireguard: false,
        at: { source, path: ["interfaces", i, "name"] },
      }),
    );
    (intent.wireguard ?? []).forEach((wg, i) =>
      out.push({
        device,
        name: wg.name,
        wireguard: true,
        ...(wg.listen_port
          ? { listenPort: wg.listen_port, portAt: { source, path: ["wireguard", i, "listen_port"] } }
          : {}),
        at: { source, path: ["wireguard", i, "name"] },
      }),
    );
  }
  const linksSource = sources.links;
  if (linksSource) {
    links.forEach((link, li) =>
      link.ends.forEach((end, ei) =>
        out.push({
          device: end.device,
          name: end.interface,
          wireguard: true,
          link: link.name,
          ...(end.listen_port
            ? {
                listenPort: end.listen_port,
                portAt: { source: linksSource, path: ["links", li, "ends", ei, "listen_port"] },
              }
            : {}),
          at: { source: linksSource, path: ["links", li, "ends", ei, "interface"] },
        }),
      ),
    );
  }
  return out;
}

/** Every address configured anywhere, with where it was written. */
export function addressDecls(
  intents: Record<string, DeviceIntent>,
  links: readonly Link[],
  sources: RepoSources,
): AddressDecl[] {
  const out: AddressDecl[] = [];
  for (const [device, intent] of Object.entries(intents)) {
    const source = sources.devices[device];
    if (!source) continue;
    (intent.interfaces ?? []).forEach((iface, i) =>
      (iface.addresses ?? []).forEach((address, k) =>
        out.push({
          device,
          interface: iface.name,
          address,
          at: { source, path: ["interfaces", i, "addresses", k] },
        }),
      ),
    );
    (intent.wireguard ?? []).forEach((wg, i) =>
      (wg.addresses ?? []).forEach((address, k) =>
        out.push({
          device,
          interface: wg.name,
          address,
          at: { source, path: ["wireguard", i, "addresses", k] },
        }),
      ),
    );
  }
  const linksSource = sources.links;
  if (linksSource) {
    links.forEach((link, li) =>
      ([0, 1] as const).forEach((ei) => {
        const end = link.ends[ei];
        if (!end) return;
        const transfer = transferAddresses(link, ei);
        endAddresses(link, ei).forEach((address, k) => {
          const path: PathSegment[] =
            k < transfer.length ? ["links", li, "transfer_nets", k] : ["links", li, "ends", ei, "link_local"];
          out.push({
            device: end.device,
            interface: end.interface,
            address,
            at: { source: linksSource, path },
            ...(k < transfer.length ? { link: link.name } : {}),
          });
        });
      }),
    );
  }
  return out;
}
