// `reconciler paths [DEVICE] [PREFIX]`: the routes the routing model computes for one revision
// (impact/), for troubleshooting: every router's table, one router's, or how one router reaches
// one prefix (followed hop by hop). --without takes links or devices out, as a failure would.

import { summarize } from "../impact/impact.ts";
import type { Route } from "../impact/model.ts";
import { NOT_MODELLED } from "../impact/not-modelled.ts";
import { Walker } from "../impact/reach.ts";
import { computeRoutes } from "../impact/tables.ts";
import { hasErrors } from "../model/diagnostic.ts";
import { parseAddress, parsePrefix } from "../model/ip.ts";
import { formatDiagnostic } from "../report/diagnostics.ts";
import { describePath } from "../report/impact-text.ts";
import { safeLine } from "../report/terminal-safe.ts";
import { CliError, EXIT } from "./exit-codes.ts";
import { loadFromOptions, type RepoOptions } from "./open-repo.ts";

export interface PathsOptions extends RepoOptions {
  json?: boolean;
  /** Links or devices to take out, comma-separated. */
  without?: string;
}

const SOURCE: Record<Route["source"], string> = {
  connected: "connected",
  static: "static",
  "ospf-intra": "ospf",
  "ospf-inter": "ospf-ia",
  bgp: "ibgp",
};

function routeLine(r: Route): string {
  const via =
    r.nextHops.length > 0
      ? `via ${r.nextHops.map((h) => `${h.router} ${h.interface}`).join(" and ")}`
      : r.blackhole
        ? "blackhole"
        : `dev ${r.interface ?? "?"}`;
  const extra = r.bgp
    ? ` next hop ${r.bgp.nextHop} from ${r.bgp.origin}`
    : r.ospf
      ? ` ${r.ospf.domain} area ${r.ospf.area}`
      : "";
  return `  ${r.prefix.padEnd(22)} ${SOURCE[r.source].padEnd(9)} ${String(r.cost).padStart(6)}  ${via}${extra}`;
}

/** A prefix as given, or an address as its host prefix. */
function destination(text: string): string {
  if (parsePrefix(text)) return text;
  if (parseAddress(text)) return `${text}/${text.includes(":") ? 128 : 32}`;
  throw new CliError(`not a prefix or an address: ${safeLine(text)}`, EXIT.usage);
}

export async function pathsCommand(
  device: string | undefined,
  prefix: string | undefined,
  opts: PathsOptions,
  out: NodeJS.WritableStream,
  color: boolean,
): Promise<number> {
  const loaded = await loadFromOptions(opts);
  if (!loaded.repo || hasErrors(loaded.diagnostics)) {
    for (const d of loaded.diagnostics) out.write(`${formatDiagnostic(d, color)}\n`);
    return EXIT.error;
  }
  const repo = loaded.repo;
  const without = (opts.without ?? "").split(",").filter((s) => s !== "");
  const linkNames = new Set(repo.links.map((l) => l.name));
  const unknownOut = without.filter((w) => !linkNames.has(w) && !repo.expanded[w]);
  if (unknownOut.length > 0)
    throw new CliError(`--without: no link or device named ${safeLine(unknownOut.join(", "))}`, EXIT.usage);
  const net = computeRoutes(repo, {
    links: without.filter((w) => linkNames.has(w)),
    devices: without.filter((w) => !linkNames.has(w)),
  });
  if (device !== undefined && !net.tables.has(device))
    throw new CliError(`unknown device: ${safeLine(device)}`, EXIT.usage);
  const routers = device !== undefined ? [device] : [...net.tables.keys()].sort();
  const notModelled = [...NOT_MODELLED, ...net.notes];

  if (prefix !== undefined) {
    const dest = destination(prefix);
    const walker = new Walker(net.tables);
    const paths = routers.map((r) => ({
      router: r,
      ...summarize(walker.path(r, dest), walker.through(r, dest)),
    }));
    if (opts.json)
      out.write(`${JSON.stringify({ origin: loaded.origin, prefix: dest, paths, notModelled }, null, 2)}\n`);
    else
      for (const p of paths)
        out.write(
          `${safeLine(p.router)} → ${safeLine(dest)}: ${safeLine(describePath(p))}${p.through.length > 0 ? ` (through ${p.through.map(safeLine).join(", ")})` : ""}\n`,
        );
    return EXIT.ok;
  }
  if (opts.json) {
    const tables = Object.fromEntries(routers.map((r) => [r, [...(net.tables.get(r)?.values() ?? [])]]));
    out.write(`${JSON.stringify({ origin: loaded.origin, tables, notModelled }, null, 2)}\n`);
    return EXIT.ok;
  }
  for (const r of routers) {
    out.write(`${safeLine(r)}:\n`);
    const routes = [...(net.tables.get(r)?.values() ?? [])].sort((a, b) => (a.prefix < b.prefix ? -1 : 1));
    for (const route of routes) out.write(`${safeLine(routeLine(route))}\n`);
  }
  for (const n of net.notes) out.write(`not modelled: ${safeLine(n)}\n`);
  return EXIT.ok;
}
