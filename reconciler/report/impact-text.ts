// The routing impact of a plan as people read it: on a terminal after the device plans (a line
// per changed path, the unreachable ones first, then the totals), and in the pull request comment
// (the same lines, and a Mermaid picture of the routing links with the changed paths drawn).
// Names and prefixes come from git, already validated; they still go through safeLine.
import pc from "picocolors";
import { linksOnChangedPaths, type PathChange, type PathSummary, type PlanImpact } from "../impact/impact.ts";
import { safeLine } from "./terminal-safe.ts";

/** At most this many path lines; the rest are counted (plan --json holds them all). */
export const MAX_PATH_LINES = 60;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

const SOURCE: Record<NonNullable<PathSummary["source"]>, string> = {
  connected: "connected",
  static: "static",
  "ospf-intra": "ospf",
  "ospf-inter": "ospf inter-area",
  bgp: "ibgp",
};

/** One side of a path: "via router-b wg-b (ospf, cost 40)", "direct br-lan", "no route". */
export function describePath(p: PathSummary): string {
  if (p.reach === "no-route") return "no route";
  if (p.reach === "loop") return `routing loop (via ${p.via.join(", ")})`;
  const how = p.source ? `${SOURCE[p.source]}${p.source === "connected" ? "" : `, cost ${p.cost}`}` : "";
  if (p.source === "connected") return `direct ${p.via.join(", ")}`;
  const end =
    p.reach === "blackhole"
      ? ", then discarded"
      : p.reach === "leaves"
        ? ", then out of the modelled network"
        : "";
  const via = p.via.length > 0 ? `via ${p.via.join(" and ")}` : "blackhole";
  return `${via} (${how})${end}`;
}

const LABEL: Record<PathChange["kind"], string> = {
  unreachable: "UNREACHABLE",
  withdrawn: "withdrawn",
  reachable: "now reachable",
  moved: "moved",
};

export function pathLine(c: PathChange): string {
  return `${safeLine(c.router)} → ${safeLine(c.prefix)}: ${LABEL[c.kind]}: ${safeLine(describePath(c.before))} → ${safeLine(describePath(c.after))}`;
}

const ORDER: Record<PathChange["kind"], number> = { unreachable: 0, withdrawn: 1, reachable: 2, moved: 3 };

function orderedLines(impact: PlanImpact): { lines: string[]; more: number } {
  const sorted = [...impact.changes].sort((a, b) => ORDER[a.kind] - ORDER[b.kind]);
  return {
    lines: sorted.slice(0, MAX_PATH_LINES).map(pathLine),
    more: Math.max(0, sorted.length - MAX_PATH_LINES),
  };
}

export function impactTotals(impact: PlanImpact): string {
  const t = impact.totals;
  const prefixes = `${t.prefixes} prefix${t.prefixes === 1 ? "" : "es"}`;
  return `Routing impact: ${plural(t.moved, "path")} moved, ${t.unreachable} unreachable, ${t.reachable} newly reachable, ${t.withdrawn} withdrawn (${plural(t.routers, "router")}, ${prefixes}).`;
}

/** The plan text's impact section; "" when the plan has no impact (not computed). */
export function formatImpact(impact: PlanImpact | string | undefined, color = false): string {
  if (impact === undefined) return "";
  const p = color ? pc : pc.createColors(false);
  if (typeof impact === "string") return p.dim(safeLine(impact));
  const out = [
    p.bold(
      `Routing, compared with ${safeLine(impact.base.revision.slice(0, 12))} (${safeLine(impact.base.why)}):`,
    ),
  ];
  const { lines, more } = orderedLines(impact);
  for (const l of lines)
    out.push(`  ${l.includes(": UNREACHABLE: ") ? p.red(l) : l.includes(": moved: ") ? p.yellow(l) : l}`);
  if (more > 0) out.push(`  ... and ${more} more (plan --json lists every one)`);
  const sp = impact.newSinglePoints;
  if (sp.links.length + sp.devices.length > 0)
    out.push(
      p.yellow(
        `  new single points of failure: ${[...sp.links.map((l) => `link ${l}`), ...sp.devices.map((d) => `device ${d}`)].map(safeLine).join(", ")}`,
      ),
    );
  if (impact.totals.unreachable > 0)
    out.push(p.red("  apply refuses this plan unless --allow-unreachable is passed"));
  out.push(impactTotals(impact));
  out.push(
    p.dim("Not modelled: see docs/impact.md; reconciler plan --json lists it under impact.notModelled."),
  );
  return out.join("\n");
}

/** Mermaid node ids: letters and digits only (device names may hold '-' and '.'). */
const nodeId = (device: string) =>
  `n_${device.replace(/[^A-Za-z0-9]/g, (c) => `_${c.charCodeAt(0).toString(16)}`)}`;
const label = (s: string) => s.replace(/["<>#&;`\\|]/g, "").slice(0, 80);

/**
 * The routing links as a Mermaid graph: removed links red and dashed, added ones green, the links
 * between routers on a changed path orange (amber for a moved path, red for an unreachable one).
 */
export function impactMermaid(impact: PlanImpact): string {
  const lines = ["graph LR"];
  const marked = linksOnChangedPaths(impact);
  const nodes = [...new Set(impact.links.flatMap((l) => [l.a, l.b]))].sort();
  for (const n of nodes) lines.push(`  ${nodeId(n)}["${label(n)}"]`);
  impact.links.forEach((l, i) => {
    const on = marked.get(l.link);
    const text = `${l.link}${l.state === "kept" ? "" : `: ${l.state}`}${on === "lost" ? ", paths lost" : on === "moved" ? ", paths moved" : ""}`;
    lines.push(`  ${nodeId(l.a)} ${l.state === "removed" ? "-.-" : "---"}|"${label(text)}"| ${nodeId(l.b)}`);
    const style =
      l.state === "removed"
        ? "stroke:#cf222e,stroke-width:3px,stroke-dasharray:4"
        : on === "lost"
          ? "stroke:#cf222e,stroke-width:3px"
          : on === "moved"
            ? "stroke:#bf8700,stroke-width:3px"
            : l.state === "added"
              ? "stroke:#2da44e,stroke-width:3px"
              : "stroke:#8c959f,stroke-width:1px";
    lines.push(`  linkStyle ${i} ${style}`);
  });
  return lines.join("\n");
}

/** The pull request comment's section: totals, the path lines, the picture; within budget bytes. */
export function impactMarkdown(impact: PlanImpact | string | undefined, budget: number): string {
  if (impact === undefined) return "";
  if (typeof impact === "string") return `_${label(impact)}_\n\n`;
  const { lines, more } = orderedLines(impact);
  const sp = impact.newSinglePoints;
  const parts = [
    `#### ${impactTotals(impact)}`,
    "",
    `Compared with \`${impact.base.revision.slice(0, 12)}\` (${label(impact.base.why)}).${impact.totals.unreachable > 0 ? " **apply refuses this plan unless `--allow-unreachable` is passed.**" : ""}`,
    ...(sp.links.length + sp.devices.length > 0
      ? [
          "",
          `New single points of failure: ${[...sp.links.map((l) => `link \`${l}\``), ...sp.devices.map((d) => `device \`${d}\``)].join(", ")}.`,
        ]
      : []),
  ];
  const text =
    lines.length > 0 ? ["", "```text", ...lines, ...(more > 0 ? [`... and ${more} more`] : []), "```"] : [];
  const picture = impact.links.length > 0 ? ["", "```mermaid", impactMermaid(impact), "```"] : [];
  let body = [...parts, ...text, ...picture, "", ""].join("\n");
  if (Buffer.byteLength(body) > budget) body = [...parts, ...text, "", ""].join("\n");
  if (Buffer.byteLength(body) > budget) body = [...parts, "", ""].join("\n");
  return body;
}
