// Checks on desired/links.yaml: the ends exist and differ, one end can be dialled, the transfer
// nets are point-to-point, and both ends agree on everything OSPF needs to form an adjacency.

import { effectiveMtu, effectiveOspf } from "../../intent/links.ts";
import type { Diagnostic, PathSegment } from "../../model/diagnostic.ts";
import { isLinkLocal, parseAddress, parsePrefix } from "../../model/ip.ts";
import type { ResolvedDevice } from "../../model/repo.ts";
import type { DeviceIntent } from "../../schema/device.ts";
import type { Link } from "../../schema/links.ts";
import type { SourceFile } from "../source.ts";
import { report } from "./facts.ts";

/** Parameters that must be equal on both ends or the OSPF adjacency never reaches Full. */
const MUST_AGREE = ["area", "type", "hello", "dead"] as const;

export function checkLinks(
  links: readonly Link[],
  source: SourceFile,
  inventory: Readonly<Record<string, ResolvedDevice>>,
  intents: Readonly<Record<string, DeviceIntent>>,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const emit = (path: PathSegment[], fields: Parameters<typeof report>[1], which?: "value" | "key") =>
    out.push(report({ source, path }, fields, which));
  const names = new Set<string>();
  links.forEach((link, li) => {
    const base: PathSegment[] = ["links", li];
    if (names.has(link.name))
      emit([...base, "name"], {
        message: `link ${link.name} is defined twice`,
        value: link.name,
        expected: "unique link names",
      });
    names.add(link.name);
    const [a, b] = link.ends;
    if (!a || !b) return;
    link.ends.forEach((end, ei) => {
      if (!inventory[end.device]) {
        emit([...base, "ends", ei, "device"], {
          message: `unknown device ${JSON.stringify(end.device)}`,
          value: end.device,
          expected: `a device of the inventory: ${Object.keys(inventory).sort().join(", ")}`,
        });
      }
      if (end.endpoint && !end.listen_port) {
        emit([...base, "ends", ei, "endpoint"], {
          message: `${end.device} has an endpoint but does not listen`,
          value: end.endpoint,
          expected: "listen_port on the end that has an endpoint",
        });
      }
      if (end.link_local) {
        const ll = parsePrefix(end.link_local);
        if (ll && !isLinkLocal({ family: ll.family, value: ll.address })) {
          emit([...base, "ends", ei, "link_local"], {
            message: `${end.link_local} is not an IPv6 link-local address`,
            value: end.link_local,
            expected: "an address in fe80::/10 such as fe80::1/64",
          });
        }
      }
    });
    if (a.device === b.device) {
      emit([...base, "ends", 1, "device"], {
        message: `both ends of link ${link.name} are on ${a.device}`,
        value: b.device,
        expected: "two different devices",
      });
    }
    if (!link.ends.some((e) => e.listen_port && e.endpoint)) {
      emit([...base, "ends"], {
        message: `neither end of link ${link.name} can be dialled`,
        expected: "listen_port and endpoint on at least one end",
      });
    }
    if (
      a.link_local &&
      b.link_local &&
      parseAddress(a.link_local.split("/")[0] ?? "")?.value ===
        parseAddress(b.link_local.split("/")[0] ?? "")?.value
    ) {
      emit([...base, "ends", 1, "link_local"], {
        message: `both ends of link ${link.name} use the link-local address ${b.link_local}`,
        value: b.link_local,
        expected: "a different link-local address per end",
      });
    }
    checkTransferNets(link, base, emit);
    checkAgreement(link, base, emit);
    checkOspfFit(link, base, intents, emit);
  });
  return out;
}

function checkTransferNets(
  link: Link,
  base: PathSegment[],
  emit: (p: PathSegment[], f: Parameters<typeof report>[1]) => void,
) {
  const families = new Set<number>();
  (link.transfer_nets ?? []).forEach((net, ni) => {
    const p = parsePrefix(net);
    if (!p) return;
    const want = p.family === 4 ? 31 : 127;
    if (p.length !== want) {
      emit([...base, "transfer_nets", ni], {
        message: `transfer net ${net} is a /${p.length}`,
        value: net,
        expected: p.family === 4 ? "an IPv4 /31 (RFC 3021)" : "an IPv6 /127 (RFC 6164)",
      });
    }
    if (families.has(p.family)) {
      emit([...base, "transfer_nets", ni], {
        message: `link ${link.name} has two IPv${p.family} transfer nets`,
        value: net,
        expected: "at most one transfer net per address family",
      });
    }
    families.add(p.family);
  });
}

function checkAgreement(
  link: Link,
  base: PathSegment[],
  emit: (p: PathSegment[], f: Parameters<typeof report>[1]) => void,
) {
  const [a, b] = link.ends;
  if (!a || !b) return;
  const mtuA = effectiveMtu(link, 0);
  const mtuB = effectiveMtu(link, 1);
  if (mtuA !== mtuB) {
    emit([...base, "ends", b.mtu !== undefined ? 1 : 0, "mtu"], {
      message: `the ends of link ${link.name} disagree on the MTU: ${a.device} ${mtuA}, ${b.device} ${mtuB} (OSPF stalls in ExStart)`,
      expected: "the same MTU on both ends",
    });
  }
  const oa = effectiveOspf(link, 0);
  const ob = effectiveOspf(link, 1);
  if (!oa || !ob) return;
  for (const field of MUST_AGREE) {
    if (oa[field] === ob[field]) continue;
    const where = b.ospf?.[field] !== undefined ? 1 : 0;
    emit([...base, "ends", where, "ospf", field], {
      message: `the ends of link ${link.name} disagree on OSPF ${field}: ${a.device} ${String(oa[field] ?? "default")}, ${b.device} ${String(ob[field] ?? "default")}; the adjacency would never form`,
      value: String((where === 1 ? ob : oa)[field]),
      expected: `the same ${field} on both ends`,
    });
  }
  if ((oa.authentication?.type ?? "none") !== (ob.authentication?.type ?? "none")) {
    emit([...base, "ends", 1, "ospf", "authentication"], {
      message: `the ends of link ${link.name} disagree on OSPF authentication; the adjacency would never form`,
      expected: "the same authentication type on both ends",
    });
  }
  for (const [o, i] of [
    [oa, 0],
    [ob, 1],
  ] as const) {
    if (o.hello !== undefined && o.dead !== undefined && o.dead <= o.hello) {
      emit([...base, ...(link.ends[i]?.ospf?.dead !== undefined ? ["ends", i, "ospf"] : ["ospf"]), "dead"], {
        message: `dead interval ${o.dead} is not longer than hello interval ${o.hello}`,
        value: String(o.dead),
        expected: "a dead interval longer than the hello interval (usually 4 times it)",
      });
      break;
    }
  }
}

/** OSPF on a link needs an instance on each end, link-local addresses for v3, an IPv4 net for v2. */
function checkOspfFit(
  link: Link,
  base: PathSegment[],
  intents: Readonly<Record<string, DeviceIntent>>,
  emit: (p: PathSegment[], f: Parameters<typeof report>[1]) => void,
) {
  if (!link.ospf) return;
  const hasV4Net = (link.transfer_nets ?? []).some((n) => parsePrefix(n)?.family === 4);
  link.ends.forEach((end, ei) => {
    const instances = intents[end.device]?.ospf?.instances ?? [];
    if (instances.length === 0) {
      emit([...base, "ospf"], {
        message: `link ${link.name} runs OSPF but ${end.device} has no OSPF instance`,
        expected: `an ospf section in desired/${end.device}.yaml, or no ospf on the link`,
      });
      return;
    }
    if (instances.some((i) => i.version === 3) && !end.link_local) {
      emit([...base, "ends", ei], {
        message: `${end.device} runs OSPFv3 on link ${link.name} but its end has no link-local address (WireGuard interfaces get none by themselves)`,
        expected: "link_local such as fe80::1/64",
      });
    }
    if (instances.some((i) => i.version === 2) && !hasV4Net) {
      emit([...base, "transfer_nets"], {
        message: `${end.device} runs OSPFv2 on link ${link.name}, which has no IPv4 transfer net`,
        expected: "an IPv4 /31 in transfer_nets",
      });
    }
  });
}
