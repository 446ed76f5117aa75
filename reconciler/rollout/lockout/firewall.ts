// Does a rule set drop SSH from a given source? Rules are read first-match, as OPNsense (quick
// rules), RouterOS's filter chain and an nftables chain of terminal verdicts read them. Each
// field of a rule matches, does not match, or may match (an alias git does not define, a rule
// bound to an interface, a source the caller does not know): a finding needs a rule that surely
// matches and drops before any rule that surely or possibly passes, so an unknown never refuses
// a plan on a guess. What no rule decides is the platform's default policy, which the desired
// state does not hold: treated as passing.
import {
  addressOf,
  type IpAddress,
  type IpPrefix,
  parseAddress,
  parsePrefix,
  prefixContains,
  prefixesOverlap,
} from "../../model/ip.ts";
import type { Firewall, FirewallRule } from "../../schema/device.ts";

type Match = "yes" | "no" | "maybe";

export interface SshFlow {
  /** The source of the connection: a prefix, or undefined when it is not known. */
  source?: IpPrefix;
  /** The device's address the connection goes to, when the inventory gives one. */
  destination?: IpAddress;
  port: number;
}

const both = (a: Match, b: Match): Match =>
  a === "no" || b === "no" ? "no" : a === "maybe" || b === "maybe" ? "maybe" : "yes";

function aliasContent(firewall: Firewall, name: string): (string | number)[] | undefined {
  return firewall.aliases?.find((a) => a.name === name)?.content;
}

/** Whether the connection's source (a prefix) lies within a rule's address field. */
function sourceMatch(firewall: Firewall, field: string | undefined, source: IpPrefix | undefined): Match {
  if (field === undefined || field === "any") return "yes";
  if (!source) return "maybe";
  const items =
    parsePrefix(field) || parseAddress(field) ? [field] : aliasContent(firewall, field)?.map(String);
  if (!items) return "maybe";
  let best: Match = "no";
  for (const item of items) {
    const p = parsePrefix(item.includes("/") ? item : `${item}/${item.includes(":") ? 128 : 32}`);
    if (!p || p.family !== source.family) continue;
    if (p.length <= source.length && prefixContains(p, addressOf(source))) return "yes";
    if (prefixesOverlap(p, source)) best = "maybe";
  }
  return best;
}

function destinationMatch(firewall: Firewall, field: string | undefined, dest: IpAddress | undefined): Match {
  if (field === undefined || field === "any") return "yes";
  if (!dest) return "maybe";
  return sourceMatch(firewall, field, {
    family: dest.family,
    address: dest.value,
    length: dest.family === 4 ? 32 : 128,
  });
}

function portMatch(firewall: Firewall, field: string | number | undefined, port: number): Match {
  if (field === undefined) return "yes";
  const inRange = (text: string): Match => {
    const m = /^([0-9]+)(?:-([0-9]+))?$/.exec(text);
    if (!m) return "maybe";
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    return port >= lo && port <= hi ? "yes" : "no";
  };
  const text = String(field);
  if (/^[0-9]/.test(text)) return inRange(text);
  const content = aliasContent(firewall, text);
  if (!content) return "maybe";
  const results = content.map((c) => inRange(String(c)));
  return results.includes("yes") ? "yes" : results.includes("maybe") ? "maybe" : "no";
}

function familyOf(flow: SshFlow): 4 | 6 | undefined {
  return flow.source?.family ?? flow.destination?.family;
}

function ruleMatch(firewall: Firewall, rule: FirewallRule, flow: SshFlow): Match {
  if (rule.enabled === false || rule.direction === "out") return "no";
  if (!["any", "tcp", "tcp/udp"].includes(rule.protocol)) return "no";
  const family = familyOf(flow);
  const version: Match =
    !rule.ip_version || rule.ip_version === "any"
      ? "yes"
      : family === undefined
        ? "maybe"
        : rule.ip_version === `ipv${family}`
          ? "yes"
          : "no";
  // The interface SSH arrives on is not known from the inventory: a bound rule may apply.
  const iface: Match = rule.interface === undefined ? "yes" : "maybe";
  return [
    version,
    iface,
    sourceMatch(firewall, rule.source, flow.source),
    destinationMatch(firewall, rule.destination, flow.destination),
    portMatch(firewall, rule.destination_port, flow.port),
  ].reduce(both, "yes");
}

/** The first rule that surely drops the flow, unless a rule that may pass it comes first. */
export function droppingRule(firewall: Firewall | undefined, flow: SshFlow): FirewallRule | undefined {
  for (const rule of firewall?.rules ?? []) {
    const match = ruleMatch(firewall as Firewall, rule, flow);
    if (match === "no") continue;
    if (rule.action === "pass") return undefined;
    if (match === "yes") return rule;
  }
  return undefined;
}
