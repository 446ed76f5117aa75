// The firewall part of the render: aliases (a keyed list like the others) and the reconciler's
// block of legacy <filter> rules, kept in git's order at a stable place among the box's own rules.
import type { FirewallRule } from "../../schema/device.ts";
import {
  CandidateError,
  type Field,
  model,
  newItem,
  type RenderContext,
  syncFields,
  syncList,
  type Want,
} from "./render-sync.ts";
import type { Item } from "./view.ts";
import { IP_PROTOCOLS, PROTOCOLS } from "./vocabulary.ts";
import type { XmlElement } from "./xml.ts";
import type { XNode } from "./xml-edit.ts";

export function renderAliases(ctx: RenderContext): void {
  const wants: Want[] = (ctx.intent.firewall?.aliases ?? []).map((a) => ({
    uuid: ctx.uuid("alias", a.name),
    key: a.name,
    fields: [
      ["enabled", "1"],
      ["name", a.name],
      ["type", a.type],
      ["content", a.content.map(String).join("\n")],
      ["description", a.description ?? ""],
    ],
  }));
  if (wants.length === 0 && !ctx.v.aliases.some((a) => a.owned)) return;
  const alias = model(ctx.ed, ctx.ed.path(ctx.root, "OPNsense", "Firewall"), "Firewall/Alias", "Alias");
  syncList(ctx.ed, ctx.ed.child(alias, "aliases"), "alias", ctx.v.aliases, wants);
}

function ruleWant(ctx: RenderContext, r: FirewallRule): Want {
  if (!r.interface) throw new CandidateError(`firewall rule "${r.description}": OPNsense needs an interface`);
  const addr = (a: string | undefined, port?: string): XNode[] => [
    a === undefined || a === "any" ? { name: "any", value: "1" } : { name: "address", value: a },
    ...(port ? [{ name: "port", value: port }] : []),
  ];
  const fields: Field[] = [
    ["type", r.action],
    ["ipprotocol", IP_PROTOCOLS[r.ip_version ?? "ipv4"]],
    ["descr", r.description],
    ["interface", ctx.ident(r.interface, `firewall rule "${r.description}"`)],
    ["direction", r.direction ?? "in"],
    ["protocol", r.protocol === "any" ? null : PROTOCOLS[r.protocol]],
    ["source", { name: "source", children: addr(r.source) }],
    [
      "destination",
      {
        name: "destination",
        children: addr(
          r.destination,
          r.destination_port === undefined ? undefined : String(r.destination_port),
        ),
      },
    ],
    ["log", r.log ? "1" : null],
    ["disabled", r.enabled === false ? "1" : null],
  ];
  return { uuid: ctx.uuid("rule", r.description), key: r.description, fields };
}

/**
 * The reconciler's rules are one block in <filter>, in git's order; the block keeps its place
 * among the other rules (new: at the end). A new rule goes after its predecessor in git's
 * order; when the block's own order changed, the block is written again where it began.
 */
export function renderRules(ctx: RenderContext): void {
  const wants = (ctx.intent.firewall?.rules ?? []).map((r) => ruleWant(ctx, r));
  const owned = ctx.v.rules.filter((r) => r.owned);
  if (wants.length === 0 && owned.length === 0) return;
  const filter = ctx.ed.child(ctx.root, "filter");
  const match = new Map<Want, Item>();
  const used = new Set<Item>();
  for (const w of wants) {
    const found =
      ctx.v.rules.find((i) => !used.has(i) && i.uuid === w.uuid) ??
      ctx.v.rules.find((i) => !used.has(i) && !i.owned && i.key === w.key);
    if (found) {
      match.set(w, found);
      used.add(found);
    }
  }
  const liveOrder = ctx.v.rules.filter((r) => used.has(r));
  const wantOrder = wants.flatMap((w) => (match.has(w) ? [match.get(w) as Item] : []));
  const inOrder = liveOrder.every((r, i) => r === wantOrder[i]);
  if (!inOrder) {
    const first = liveOrder[0] ?? owned[0];
    for (const r of new Set([...owned, ...liveOrder])) if (r !== first) ctx.ed.remove(r.el);
    if (first) ctx.ed.replace(first.el, newItem("rule", wants[0] as Want));
    for (const w of wants.slice(first ? 1 : 0)) {
      if (first) ctx.ed.insertAfter(first.el, newItem("rule", w));
      else ctx.ed.append(filter, newItem("rule", w));
    }
    return;
  }
  let prev: XmlElement | undefined;
  const firstLive = liveOrder[0];
  for (const w of wants) {
    const found = match.get(w);
    if (found) {
      if (found.uuid !== w.uuid) ctx.ed.setAttr(found.el, "uuid", w.uuid);
      syncFields(ctx.ed, found.el, w.fields);
      prev = found.el;
    } else if (prev) ctx.ed.insertAfter(prev, newItem("rule", w));
    else if (firstLive) ctx.ed.insertBefore(firstLive.el, newItem("rule", w));
    else ctx.ed.append(filter, newItem("rule", w));
  }
  for (const r of owned) if (!used.has(r)) ctx.ed.remove(r.el);
}
