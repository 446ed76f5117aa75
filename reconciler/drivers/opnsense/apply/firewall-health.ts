// Are the firewall rules git describes loaded in pf, not only written in config.xml? The probes
// come from the desired rules (one per enabled rule with an interface); the box answers with
// `pfctl -sr` (the loaded rules, as FreeBSD's pfctl(8) prints them: `pass in quick on wg1 inet
// proto tcp from <remote_workers> to ...`, an alias being a table `<name>`) and, for a rule from
// an alias, `pfctl -t NAME -T show` (the table's addresses, one per line). Pure, but the script.
import type { HealthProbe, Observation } from "../../../drivers/health.ts";
import type { DeviceIntent } from "../../../schema/device.ts";
import { shQuote as q } from "../../../transport/quote.ts";

type RuleProbe = Extract<HealthProbe, { kind: "firewall-rule" }>;

/** What a healthy firewall shows of git's rules after a change. */
export function firewallProbes(intent: DeviceIntent): HealthProbe[] {
  const aliases = new Map((intent.firewall?.aliases ?? []).map((a) => [a.name, a.content.map(String)]));
  return (intent.firewall?.rules ?? []).flatMap((r): HealthProbe[] => {
    if (r.enabled === false || !r.interface) return [];
    const source = typeof r.source === "string" && r.source !== "any" ? r.source : undefined;
    const entries = source ? aliases.get(source) : undefined;
    return [
      {
        kind: "firewall-rule",
        description: r.description,
        interface: r.interface,
        action: r.action,
        ...(source ? { source } : {}),
        ...(entries ? { entries } : {}),
      },
    ];
  });
}

const TABLE = /^[A-Za-z_][A-Za-z0-9_]{0,31}$/;

/** The script's lines (sections named pf:rules and pf:table:NAME). */
export function firewallLines(probes: readonly HealthProbe[]): string[] {
  const rules = probes.filter((p): p is RuleProbe => p.kind === "firewall-rule");
  if (rules.length === 0) return [];
  const tables = [
    ...new Set(rules.flatMap((p) => (p.entries && p.source && TABLE.test(p.source) ? [p.source] : []))),
  ];
  return [
    "section pf:rules pfctl -sr",
    ...tables.map((t) => `section ${q(`pf:table:${t}`)} pfctl -t ${q(t)} -T show`),
  ];
}

const ACTION: Record<string, RegExp> = {
  pass: /^pass\b/,
  block: /^block( drop)?\b/,
  reject: /^block return\b/,
};

export function observeFirewall(
  probes: readonly HealthProbe[],
  get: (name: string) => { text: string; rc: string } | undefined,
): Observation[] {
  const rules = probes.filter((p): p is RuleProbe => p.kind === "firewall-rule");
  if (rules.length === 0) return [];
  const loaded = get("pf:rules");
  if (loaded?.rc !== "0")
    return [
      {
        kind: "unreadable",
        about: "firewall-rule",
        what: "pfctl -sr",
        why: loaded ? loaded.text.trim().slice(0, 300) || `status ${loaded.rc}` : "no output",
      },
    ];
  const lines = loaded.text.split("\n").map((l) => l.trim());
  return rules.map((p): Observation => {
    const from = p.source ? (p.entries ? `<${p.source}>` : p.source) : undefined;
    const match = lines.find(
      (l) =>
        (ACTION[p.action] ?? /^$/).test(l) &&
        l.includes(` on ${p.interface} `) &&
        (from === undefined || l.includes(` from ${from} `)),
    );
    if (!match)
      return {
        kind: "firewall-rule",
        description: p.description,
        loaded: false,
        detail: `no loaded rule ${p.action} on ${p.interface}${from ? ` from ${from}` : ""} (${lines.filter(Boolean).length} rules loaded)`,
      };
    if (p.entries && p.source) {
      const table = get(`pf:table:${p.source}`);
      const have = new Set(
        (table?.text ?? "")
          .split("\n")
          .map((l) => l.trim())
          .filter(Boolean),
      );
      const missing = p.entries.filter((e) => !have.has(e));
      if (table?.rc !== "0" || missing.length > 0)
        return {
          kind: "firewall-rule",
          description: p.description,
          loaded: false,
          detail: `the rule is loaded but table <${p.source}> ${table?.rc !== "0" ? "is not" : `lacks ${missing.join(", ")}`}`,
        };
    }
    return {
      kind: "firewall-rule",
      description: p.description,
      loaded: true,
      detail: `loaded: ${match.slice(0, 200)}`,
    };
  });
}
