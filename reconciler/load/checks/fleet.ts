// Checks across the whole fleet, after links are taken into account: interface names a platform
// refuses, names and listen ports used twice on a device, duplicate addresses, overlapping
// transfer nets, router ids used twice.
import type { Diagnostic } from "../../model/diagnostic.ts";
import {
  addressOf,
  formatAddress,
  type IpPrefix,
  isLinkLocal,
  networkOf,
  parsePrefix,
} from "../../model/ip.ts";
import type { PlatformRuleSet } from "../../model/platform.ts";
import type { ResolvedDevice } from "../../model/repo.ts";
import type { DeviceIntent } from "../../schema/device.ts";
import type { Link } from "../../schema/links.ts";
import { type AddressDecl, type InterfaceDecl, type Loc, report } from "./facts.ts";

export function checkInterfaces(
  decls: readonly InterfaceDecl[],
  inventory: Readonly<Record<string, ResolvedDevice>>,
  rules: PlatformRuleSet,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const names = new Map<string, InterfaceDecl>();
  const ports = new Map<string, InterfaceDecl>();
  for (const d of decls) {
    const platform = inventory[d.device]?.platform;
    if (!platform) continue;
    const problem = rules[platform].interfaceNameProblem(d.name, d.wireguard);
    if (problem)
      out.push(
        report(d.at, {
          message: `interface name ${JSON.stringify(d.name)} is refused by ${platform}`,
          value: d.name,
          expected: problem,
        }),
      );
    // Keyed apart for links and device files: a device file naming a link's interface is
    // checkLinkOwned's to report, at the device file.
    const nameKey = `${d.device}\0${d.name}\0${d.link === undefined ? "file" : "link"}`;
    const first = names.get(nameKey);
    if (first) {
      out.push(
        report(d.at, {
          message: `${d.device} already has an interface ${d.name} (${where(first.at)})`,
          value: d.name,
          expected: "a name not used by another interface or link of the device",
        }),
      );
    } else names.set(nameKey, d);
    if (d.listenPort && d.portAt) {
      const portKey = `${d.device}\0${d.listenPort}`;
      const owner = ports.get(portKey);
      if (owner) {
        out.push(
          report(d.portAt, {
            message: `WireGuard listen port ${d.listenPort} is already used by ${owner.name} on ${d.device} (${where(owner.at)})`,
            value: String(d.listenPort),
            expected: "a listen port not used by another WireGuard interface of the device",
          }),
        );
      } else ports.set(portKey, d);
    }
  }
  return out;
}

const where = (loc: Loc) => `${loc.source.file}:${loc.source.locate(loc.path).line}`;

export function checkAddresses(
  decls: readonly AddressDecl[],
  links: readonly Link[],
  linksAt: (li: number, ni: number) => Loc,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Map<string, AddressDecl>();
  for (const d of decls) {
    const p = parsePrefix(d.address);
    if (!p) continue;
    const addr = addressOf(p);
    // Link-local addresses only need to be unique on their link (checked with the link).
    if (isLinkLocal(addr)) continue;
    const key = `${p.family}:${p.address}`;
    const first = seen.get(key);
    if (first && !(first.device === d.device && first.interface === d.interface)) {
      out.push(
        report(d.at, {
          message: `address ${formatAddress(addr)} is configured on ${first.device} ${first.interface} (${where(first.at)}) and on ${d.device} ${d.interface}`,
          value: d.address,
          expected: "each address on one interface only",
        }),
      );
    } else if (!first) seen.set(key, d);
  }
  // Transfer nets must be the only thing in their range: another link or a LAN inside one
  // would capture the tunnel's traffic. Nets sorted by start address make both checks a sweep
  // instead of every pair (fleets of thousands of links).
  const nets = links
    .flatMap((link, li) =>
      (link.transfer_nets ?? []).flatMap((text, ni) => {
        const p = parsePrefix(text);
        return p ? [{ link, li, ni, text, ...spanOf(p) }] : [];
      }),
    )
    .sort((a, b) => a.family - b.family || cmp(a.start, b.start) || a.li - b.li);
  let widest: (typeof nets)[number] | undefined;
  for (const n of nets) {
    if (widest && widest.family === n.family && n.start <= widest.end) {
      out.push(
        report(linksAt(n.li, n.ni), {
          message: `transfer net ${n.text} of link ${n.link.name} overlaps ${widest.text} of link ${widest.link.name}`,
          value: n.text,
          expected: "transfer nets that do not overlap",
        }),
      );
    }
    if (!widest || widest.family !== n.family || n.end > widest.end) widest = n;
  }
  for (const d of decls) {
    const p = parsePrefix(d.address);
    if (!p || isLinkLocal(addressOf(p))) continue;
    const { family, start, end } = spanOf(p);
    // The last net starting at or before this address's end, then back while they still reach it.
    let lo = 0;
    let hi = nets.length - 1;
    let last = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const m = nets[mid] as (typeof nets)[number];
      if (m.family < family || (m.family === family && m.start <= end)) {
        last = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    for (let i = last; i >= 0; i--) {
      const n = nets[i] as (typeof nets)[number];
      if (n.family !== family || (n.start < start && n.end < start)) break;
      if (d.link === n.link.name) continue;
      out.push(
        report(d.at, {
          message: `${d.address} on ${d.device} ${d.interface} overlaps transfer net ${n.text} of link ${n.link.name}`,
          value: d.address,
          expected: "addresses outside every link's transfer net",
        }),
      );
    }
  }
  return out;
}

const cmp = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);

function spanOf(p: IpPrefix): { family: number; start: bigint; end: bigint } {
  const start = networkOf(p);
  return {
    family: p.family,
    start,
    end: start + (1n << BigInt((p.family === 4 ? 32 : 128) - p.length)) - 1n,
  };
}

export function checkRouterIds(
  intents: Readonly<Record<string, DeviceIntent>>,
  locate: (device: string, path: (string | number)[]) => Loc | undefined,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const owners = new Map<string, string>();
  for (const [device, intent] of Object.entries(intents)) {
    const ids: [string, (string | number)[]][] = [];
    if (intent.ospf) ids.push([intent.ospf.router_id, ["ospf", "router_id"]]);
    intent.ospf?.instances.forEach((inst, i) => {
      if (inst.router_id) ids.push([inst.router_id, ["ospf", "instances", i, "router_id"]]);
    });
    if (intent.bgp?.router_id) ids.push([intent.bgp.router_id, ["bgp", "router_id"]]);
    for (const [id, path] of ids) {
      const owner = owners.get(id);
      const loc = locate(device, path);
      if (owner && owner !== device && loc) {
        out.push(
          report(loc, {
            message: `router id ${id} is also used by ${owner}`,
            value: id,
            expected: "a router id unique in the network",
          }),
        );
      } else owners.set(id, device);
    }
  }
  return out;
}
