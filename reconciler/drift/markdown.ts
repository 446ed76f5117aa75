// The nightly drift report in Markdown, as GitHub renders it: when it ran and what it covered, a
// summary table, a Mermaid picture of the topology with each link's state, then each drifted or
// unreachable device's differences (volatile values masked). Device text is hostile: it is put
// only inside fenced blocks (with a fence longer than any run of backticks in it) or escaped.
import type { Plan } from "../model/plan.ts";
import { formatDevicePlan } from "../report/plan-text.ts";
import { maskVolatile } from "./mask.ts";
import type { DriftReport, LinkState } from "./report.ts";

/** Text for a Markdown table cell or a heading: no markup, no line breaks, no HTML. */
export function mdText(s: string): string {
  return s
    .replace(/[\r\n\t]+/g, " ")
    .replace(/[\\`*_{}[\]()#+\-.!|<>~&]/g, (c) => `\\${c}`)
    .slice(0, 300);
}

/** A fenced block that the content cannot close. */
export function fenced(text: string, lang = ""): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  return `${fence}${lang}\n${text.replace(/\n+$/, "")}\n${fence}`;
}

/** Mermaid node ids: letters and digits only (device names may hold '-' and '.'). */
const nodeId = (device: string) =>
  `n_${device.replace(/[^A-Za-z0-9]/g, (c) => `_${c.charCodeAt(0).toString(16)}`)}`;
/** Mermaid labels in quotes: no quotes, no markup inside. */
const label = (s: string) => s.replace(/["<>#&;`\\]/g, "").slice(0, 80);

const STYLE: Record<LinkState, string> = {
  up: "stroke:#2da44e,stroke-width:2px",
  down: "stroke:#cf222e,stroke-width:3px,stroke-dasharray:4",
  drifted: "stroke:#bf8700,stroke-width:3px",
};

const REROUTED = {
  moved: "stroke:#bf8700,stroke-width:2px,stroke-dasharray:2",
  lost: "stroke:#cf222e,stroke-width:2px,stroke-dasharray:2",
};

export function mermaidTopology(r: DriftReport): string {
  const lines = ["graph LR"];
  const shown = new Set<string>();
  const stateOf = new Map(r.devices.map((d) => [d.device, d.state]));
  const node = (device: string) => {
    if (shown.has(device)) return;
    shown.add(device);
    const state = stateOf.get(device);
    lines.push(`  ${nodeId(device)}["${label(device)}${state ? ` (${state})` : ""}"]`);
    if (state === "unreachable") lines.push(`  style ${nodeId(device)} stroke:#cf222e,stroke-width:3px`);
    if (state === "drifted") lines.push(`  style ${nodeId(device)} stroke:#bf8700,stroke-width:3px`);
  };
  for (const d of r.devices) node(d.device);
  r.links.forEach((l, i) => {
    node(l.ends[0].device);
    node(l.ends[1].device);
    // An up link carrying paths the down links moved or cut (routing model) is drawn as such.
    const path = l.state === "up" ? r.rerouted?.links[l.name] : undefined;
    const note = path === "lost" ? ", paths lost" : path === "moved" ? ", paths moved" : "";
    lines.push(
      `  ${nodeId(l.ends[0].device)} ---|"${label(`${l.name}: ${l.state}${note}`)}"| ${nodeId(l.ends[1].device)}`,
    );
    lines.push(`  linkStyle ${i} ${path ? REROUTED[path] : STYLE[l.state]}`);
  });
  return lines.join("\n");
}

export function driftMarkdown(r: DriftReport, plan: Plan): string {
  const out: string[] = [];
  const drifted = r.totals.drifted + r.totals.unreachable > 0;
  out.push(`# Drift report: ${drifted ? "drift found" : "in sync"}`);
  out.push(
    "",
    `Ran at ${r.ranAt} against ${mdText(r.origin)}${r.revision ? ` (${r.revision.slice(0, 12)})` : ""}; covered ${r.covered.devices} of ${r.covered.of} devices: ` +
      `${r.totals["in-sync"]} in sync, ${r.totals.drifted} drifted, ${r.totals.unreachable} unreachable, ${r.totals.unsupported} without a driver yet.`,
    "",
    "| device | platform | state | items differing | unmanaged items |",
    "|---|---|---|---|---|",
  );
  for (const d of r.devices)
    out.push(`| ${mdText(d.device)} | ${mdText(d.platform)} | ${d.state} | ${d.changes} | ${d.unmanaged} |`);
  if (r.links.length > 0) {
    out.push("", "## Topology", "", fenced(mermaidTopology(r), "mermaid"));
    if (r.rerouted)
      out.push(
        "",
        `With the links that are down, the routing model (docs/impact.md) moves ${r.rerouted.moved} paths and cuts ${r.rerouted.unreachable}; the links carrying them are dashed.`,
      );
    const bad = r.links.filter((l) => l.state !== "up");
    if (bad.length > 0) {
      out.push("");
      for (const l of bad)
        out.push(`- link **${mdText(l.name)}** is ${l.state}: ${l.why.map(mdText).join("; ")}`);
    }
  }
  const shown = plan.devices.filter((d) => d.status !== "unchanged");
  if (shown.length > 0) {
    out.push("", "## Differences", "");
    for (const d of shown) {
      out.push(`### ${mdText(d.device)}`, "");
      out.push(fenced(maskVolatile(formatDevicePlan(d, { color: false })), "diff"), "");
    }
  }
  return `${out.join("\n").trimEnd()}\n`;
}
