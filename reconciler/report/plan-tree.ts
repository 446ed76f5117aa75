// The semantic changes of one device as a tree an operator reads like Terraform's or Ansible's
// diff: one line per changed item or attribute, nested under the item it belongs to, created and
// removed values shown whole as indented trees. The planner's paths
// (`wireguard[wg-b].peers[XXKo...=].endpoint`) become words (`wireguard wg-b`, `peer XXKo...=`).
import type { Change, Unmanaged } from "../model/plan.ts";
import { inline, valueLines } from "./plan-values.ts";
import { safeLine } from "./terminal-safe.ts";

interface Segment {
  name: string;
  key?: string;
}

/**
 * `a[k].b.c[x]` as segments, names being the model's field names; undefined when the path is not
 * in that shape (a driver's own, such as `ogcli:lighthouse_enrollment 192.0.2.10`): shown as is.
 */
export function parsePath(path: string): Segment[] | undefined {
  const segments: Segment[] = [];
  let i = 0;
  while (i < path.length) {
    const m = /^([A-Za-z_][A-Za-z0-9_-]*)(?:\[([^\]]*)\])?(?:\.(?=.)|$)/.exec(path.slice(i));
    if (!m?.[1]) return undefined;
    segments.push(m[2] !== undefined ? { name: m[1], key: m[2] } : { name: m[1] });
    i += m[0].length;
  }
  return segments;
}

/** A list's name for one of its items: `peers` → `peer`, `addresses` → `address`. */
export function singular(name: string): string {
  if (/(ss|x|ch|sh)es$/.test(name) || /ases$/.test(name)) return name.slice(0, -2);
  if (/ies$/.test(name)) return `${name.slice(0, -3)}y`;
  if (/s$/.test(name) && !/(ss|us)$/.test(name)) return name.slice(0, -1);
  return name;
}

const label = (s: Segment) => safeLine(s.key === undefined ? s.name : `${singular(s.name)} ${s.key}`);

interface Node {
  segment: Segment;
  change?: Change;
  children: Node[];
}

export type Paint = (action: Change["action"], line: string) => string;

/** A field of a keyed item whose value is the item's key (the `name` of `wireguard wg-b`). */
const repeatsKey = (leaf: Segment, v: unknown) =>
  leaf.key !== undefined && (typeof v === "string" || typeof v === "number") && String(v) === leaf.key;

const SYMBOL: Record<Change["action"], string> = { create: "+", update: "~", delete: "-" };
const STEP = "    ";

function buildTree(changes: readonly Change[]): Node[] {
  const roots: Node[] = [];
  for (const c of changes) {
    const segments = parsePath(c.path) ?? [{ name: c.path }];
    let level = roots;
    let node: Node | undefined;
    for (const s of segments) {
      node = level.find((n) => n.segment.name === s.name && n.segment.key === s.key);
      if (!node) {
        node = { segment: s, children: [] };
        level.push(node);
      }
      level = node.children;
    }
    if (node) node.change = c;
  }
  return roots;
}

/**
 * The lines of a created, removed or changed value named `name` (its segments' words), at `ind`.
 * A scalar set's item is its own key (`+ address 192.0.2.1/26`): the value is not repeated.
 */
function changeLines(words: string, leaf: Segment, c: Change, ind: string, paint: Paint): string[] {
  const sym = SYMBOL[c.action];
  if (c.action === "update") {
    const before = inline(c.before, leaf.name);
    const after = inline(c.after, leaf.name);
    if (before !== undefined && after !== undefined)
      return [paint("update", `${ind}${sym} ${words}: ${before} → ${after}`)];
    return [
      paint("update", `${ind}${sym} ${words}`),
      paint("delete", `${ind}${STEP}- was:`),
      ...valueLines(c.before, `${ind}${STEP}    `).map((l) => paint("delete", l)),
      paint("create", `${ind}${STEP}+ now:`),
      ...valueLines(c.after, `${ind}${STEP}    `).map((l) => paint("create", l)),
    ];
  }
  const value = c.action === "create" ? c.after : c.before;
  const one = inline(value, leaf.key === undefined ? leaf.name : undefined);
  if (one !== undefined && leaf.key !== undefined && one === safeLine(leaf.key))
    return [paint(c.action, `${ind}${sym} ${words}`)];
  if (one !== undefined) return [paint(c.action, `${ind}${sym} ${words}: ${one}`)];
  const omit = (_k: string, v: unknown) => repeatsKey(leaf, v);
  return [
    paint(c.action, `${ind}${sym} ${words}`),
    ...valueLines(value, `${ind}${STEP}`, omit).map((l) => paint(c.action, l)),
  ];
}

function nodeLines(node: Node, ind: string, paint: Paint): string[] {
  // Items with one change below them and none of their own are passed through: the change reads
  // as one line, `~ wireguard wg-b: mtu 1420 → 1380`, or under one header, `~ interface br-lan`
  // then `+ address ...` (an added or removed thing always starts its own line, so that `+` is
  // never read as adding the item above it).
  const chain = [node];
  let end = node;
  while (!end.change && end.children.length === 1 && end.children[0]) {
    end = end.children[0];
    chain.push(end);
  }
  const words = (nodes: Node[]) => nodes.map((n) => label(n.segment)).join(" ");
  const out: string[] = [];
  let inner = ind;
  const c = end.change;
  if (!c) out.push(paint("update", `${ind}~ ${words(chain)}`));
  else if (chain.length === 1) out.push(...changeLines(words(chain), end.segment, c, ind, paint));
  else {
    const before = inline(c.before, end.segment.name);
    const after = inline(c.after, end.segment.name);
    if (c.action === "update" && before !== undefined && after !== undefined)
      out.push(paint("update", `${ind}~ ${words([node])}: ${words(chain.slice(1))} ${before} → ${after}`));
    else {
      out.push(paint("update", `${ind}~ ${words(chain.slice(0, -1))}`));
      inner = `${ind}${STEP}`;
      out.push(...changeLines(words([end]), end.segment, c, inner, paint));
    }
  }
  // Changes below a change of its own (a rotated key on a reloaded interface), or below a header.
  for (const child of end.children) out.push(...nodeLines(child, `${inner}${STEP}`, paint));
  return out;
}

/** The device's semantic changes, grouped by the item they belong to, in the planner's order. */
export function changeTreeLines(changes: readonly Change[], paint: Paint, indent = "  "): string[] {
  return buildTree(changes).flatMap((n) => nodeLines(n, indent, paint));
}

/** Unmanaged values come from the device: a long one is cut after this many lines. */
const UNMANAGED_LINES = 40;

/** What the device carries that git does not describe, with its value, left as it is. */
export function unmanagedLines(u: Unmanaged, indent = "  "): string[] {
  const segments = parsePath(u.path);
  const words = segments ? segments.map(label).join(" ") : safeLine(u.path);
  const leaf = segments?.at(-1);
  const one = inline(u.value, leaf?.key === undefined ? leaf?.name : undefined);
  const head = `${indent}? ${words}`;
  const note = "(unmanaged: on the device, not in git; left as it is)";
  // A RouterOS item's path is its command line, and so is its value: said once.
  if (one !== undefined) return [one === words ? `${head} ${note}` : `${head}: ${one} ${note}`];
  const omit = (_k: string, v: unknown) => leaf !== undefined && repeatsKey(leaf, v);
  const lines = valueLines(u.value, `${indent}${STEP}`, omit);
  const shown = lines.slice(0, UNMANAGED_LINES);
  if (lines.length > shown.length) shown.push(`${indent}${STEP}… ${lines.length - shown.length} more lines`);
  return [`${head} ${note}`, ...shown];
}
