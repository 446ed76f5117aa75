// The undo script: the inverse of a command list, built from the state as read, uploaded to the
// device before the first change so that the device can revert by itself.
import { CandidateRejectedError } from "../../model/errors.ts";
import type { LiveState } from "../../model/live.ts";
import type { CliSession } from "../../transport/session.ts";
import type { ApplyContext } from "../apply-contract.ts";
import { fileFind, send } from "./console.ts";
import { routerosLiveOf } from "./driver.ts";
import { type ItemRef, selectorText } from "./live-state.ts";
import { type ExportItem, parseExport, type Selector } from "./parse-export.ts";
import { findWhere, formatProperties, propertyName, quoteValue } from "./quote.ts";
import { secretFileName } from "./run-files.ts";
import { isSecretProperty } from "./vocabulary.ts";

/** The properties that identify an item RouterOS-wise, per menu (else its name, else all). */
const IDENTITY: Record<string, string[]> = {
  "/ip address": ["address", "interface"],
  "/ipv6 address": ["address", "interface"],
  "/interface wireguard peers": ["interface", "public-key"],
  "/ip route": ["dst-address"],
  "/ipv6 route": ["dst-address"],
  "/routing ospf interface-template": ["area", "interfaces"],
};

const isPlaceholder = (v: string) => /^@secret:[A-Z_][A-Z0-9_]*@$/.test(v);

/** An address as RouterOS keeps it: with its prefix length (exports print a /32 or /128 bare). */
function withLength(path: string, key: string, value: string): string {
  if (key !== "address" || value.includes("/") || (path !== "/ip address" && path !== "/ipv6 address"))
    return value;
  return `${value}/${path === "/ipv6 address" ? 128 : 32}`;
}

function identityOf(path: string, props: Record<string, string>): [string, string][] {
  const keys = IDENTITY[path] ?? (props.name !== undefined ? ["name"] : undefined);
  const entries = Object.entries(props).filter(([k, v]) => !isSecretProperty(k) && !isPlaceholder(v));
  if (!keys) return entries;
  const picked = keys
    .filter((k) => props[k] !== undefined)
    .map((k) => [k, withLength(path, k, props[k] as string)] as [string, string]);
  return picked.length > 0 ? picked : entries;
}

/** Whether a snapshot item is the one a selector picks. */
function selects(sel: Selector | undefined, item: ExportItem): boolean {
  if (!sel) return !item.selector && item.command === "set";
  if (item.selector && selectorText(item.selector) === selectorText(sel)) return true;
  const value = (k: string) =>
    item.properties[k] ?? (item.selector?.kind === "find" ? item.selector.where[k] : undefined);
  if (sel.kind === "find") {
    const where = Object.entries(sel.where);
    // An address matches with or without its /32 (/128): exports print a host address bare.
    const same = (k: string, have: string | undefined, want: string) =>
      have === want ||
      (have !== undefined && withLength(item.path, k, have) === withLength(item.path, k, want));
    return (
      where.length > 0 &&
      where.every(([k, v]) => (k.startsWith("!") ? !value(k.slice(1)) : same(k, value(k), v)))
    );
  }
  if (sel.kind === "name") return item.properties.name === sel.name;
  return false;
}

/** Properties as a command writes them; a third element `true`: the value is an expression, as is. */
type Prop = [string, string] | [string, string, true];

function propsText(props: Prop[]): string {
  return props
    .map(([k, v, raw]) => {
      try {
        if (raw) return `${propertyName(k)}=${v}`;
        return formatProperties([[k, v]]);
      } catch {
        throw new Error(`cannot write the property ${JSON.stringify(k)} back`);
      }
    })
    .join(" ");
}

/** A value as `get` returns it, spelled as a command takes it. */
function fromGet(v: string): string {
  if (v === "true") return "yes";
  if (v === "false") return "no";
  return v.includes(";") ? v.split(";").join(",") : v;
}

export interface UndoStep {
  line: string;
  /** A removal's inverse: consecutive re-adds in one menu keep their original order. */
  readd?: string;
}

/** Builds the inverse of each command (see the module comment); asks the device what the export omits. */
export async function buildUndo(
  session: CliSession,
  ctx: ApplyContext,
  commands: readonly string[],
  snapshot: LiveState,
  secrets: string[],
  secretFiles: string[],
): Promise<string[]> {
  // A secret the undo needs (a removed interface's private key, a changed preshared key) waits in
  // a file of its own (files are in no export, script sources are): the undo reads it there.
  const secretValue = (value: string): string => {
    secrets.push(value);
    secretFiles.push(value);
    return `[/file get ${fileFind(secretFileName(ctx.runId, secretFiles.length))} contents]`;
  };
  const inv = routerosLiveOf(snapshot).inventory;
  const items = inv.items;
  // The planner selects items by their refs' selectors: the item behind each, exactly.
  const selKey = (path: string, find: string) => {
    const sel = parseExport(`${path} remove ${find}`).items[0]?.selector;
    return `${path} ${sel ? selectorText(sel) : find}`;
  };
  const byFind = new Map<string, ExportItem>();
  const refs: ItemRef[] = [
    ...inv.interfaces.values(),
    ...inv.peers.values(),
    ...inv.addresses.values(),
    ...inv.ospfInstances.values(),
    ...inv.ospfAreas.values(),
    ...inv.ospfTemplates,
    ...inv.bgpConnections.values(),
    ...inv.routes.values(),
    ...inv.filterRules,
  ];
  for (const ref of refs) {
    const same = JSON.stringify(ref.properties);
    const item = items.find((i) => i.path === ref.path && JSON.stringify(i.properties) === same);
    byFind.set(
      selKey(ref.path, ref.find),
      item ?? { path: ref.path, command: "add", properties: ref.properties, flags: [], line: 0 },
    );
  }
  const itemsOf = (path: string, sel: Selector | undefined, command?: string): ExportItem[] => {
    const exact = sel ? byFind.get(`${path} ${selectorText(sel)}`) : undefined;
    if (exact) return [exact];
    return items.filter((i) => i.path === path && (!command || i.command === command) && selects(sel, i));
  };
  const ask = async (expr: string): Promise<string | undefined> => {
    const r = await send(session, `:put ("@@v " . [${expr}])`, "stage");
    if (!r.ok) return undefined;
    const at = r.out.indexOf("@@v ");
    return at < 0 ? undefined : r.out.slice(at + 4).replace(/\n$/, "");
  };
  const steps: UndoStep[] = [];
  for (const line of commands) {
    const parsed = parseExport(line);
    const item = parsed.items[0];
    const refuse = (why: string) =>
      new CandidateRejectedError(`stage: no undo for ${JSON.stringify(line.slice(0, 200))}: ${why}`, {
        device: ctx.device.name,
        command: "stage",
      });
    if (!item || parsed.items.length !== 1 || parsed.diagnostics.some((d) => d.severity === "error"))
      throw refuse("not a command the driver can invert");
    const path = item.path;
    if (item.command === "add") {
      steps.push({ line: `${path} remove ${findWhere(identityOf(path, item.properties))}` });
    } else if (item.command === "set") {
      const sel = item.selector;
      const find = sel ? selectorText(sel) : "";
      const before = itemsOf(path, sel)[0];
      const old: Prop[] = [];
      for (const [k, v] of Object.entries(item.properties)) {
        let was = before && !isSecretProperty(k) ? before.properties[k] : undefined;
        if (was === undefined) {
          const got = await ask(`${path} get ${find ? `${find} ` : ""}${k}`);
          if (got === undefined) throw refuse(`the device does not say what ${k} is now`);
          if (isSecretProperty(k) && got !== "") {
            old.push([k, secretValue(got), true]);
            continue;
          }
          was = isSecretProperty(k) ? got : fromGet(got);
        }
        if (was !== v) old.push([k, was]);
      }
      // A selector by a property the set changes finds the item by its new value afterwards.
      let undoFind = find;
      if (sel?.kind === "find")
        undoFind = findWhere(
          Object.entries(sel.where).map(([k, v]) => [k, item.properties[k] ?? v] as [string, string]),
        );
      else if (sel?.kind === "name" && item.properties.name !== undefined)
        undoFind = quoteValue(item.properties.name);
      if (old.length > 0)
        steps.push({ line: `${path} set ${undoFind ? `${undoFind} ` : ""}${propsText(old)}` });
    } else if (item.command === "remove") {
      const gone = itemsOf(path, item.selector, "add");
      if (gone.length === 0) throw refuse("the item it removes is not in the state as read");
      for (const g of gone) {
        const props: Prop[] = [];
        for (const [k, v] of Object.entries(g.properties)) {
          if (isSecretProperty(k) && v !== "") {
            const got = await ask(`${path} get ${selectorText(item.selector)} ${k}`);
            if (got === undefined) throw refuse(`its ${k} could not be read back`);
            props.push([k, secretValue(got), true]);
          } else props.push([k, v]);
        }
        const again = [`${path} add`, propsText(props), ...g.flags.map((f) => quoteValue(f))]
          .filter((s) => s !== "")
          .join(" ");
        steps.push({
          line: `:if ([:len [${path} find where ${identityOf(path, g.properties)
            .map(([k, v]) => `${k}=${quoteValue(v)}`)
            .join(" and ")}]] = 0) do={ ${again} }`,
          readd: path,
        });
      }
    } else throw refuse(`RouterOS's ${item.command} has no inverse here`);
  }
  // Reverse order, except that consecutive re-adds in one menu keep theirs (an ordered list such
  // as the firewall's is written back as it was).
  const out: string[] = [];
  for (let i = steps.length - 1; i >= 0; ) {
    const s = steps[i] as UndoStep;
    if (!s.readd) {
      out.push(s.line);
      i--;
      continue;
    }
    let j = i;
    while (j > 0 && steps[j - 1]?.readd === s.readd) j--;
    for (let k = j; k <= i; k++) out.push((steps[k] as UndoStep).line);
    i = j - 1;
  }
  return out;
}

/** The undo script: each step runs whatever the one before did; a failed step is logged and said. */
export function undoSource(runId: string, steps: readonly string[]): string {
  const lines = steps.map(
    (s, n) =>
      `:do { ${s} } on-error={ :log warning ${quoteValue(`reconciler undo ${runId}: step ${n + 1} failed`)}; :put "@@undo-failed ${n + 1}" }`,
  );
  return [`# reconciler: undo of run ${runId}`, ...lines, ""].join("\n");
}

/**
 * The most script source one command line carries, quoted: a longer script goes up in parts, each
 * line under the 4096 characters the driver's other lines keep to (quote.ts).
 */
export const UNDO_PART_CHARS = 3800;

/**
 * The lines that put a script on the device: `add` with its first part, then a `set` per further
 * part appending it (`source=([get ... source] . "part")`), parts cut at line ends so that no
 * escape is split (a single longer line goes alone).
 */
export function uploadLines(name: string, source: string): string[] {
  const parts: string[] = [];
  let part = "";
  for (const line of source.split(/(?<=\n)/)) {
    if (part !== "" && quoteValue(part + line).length > UNDO_PART_CHARS) {
      parts.push(part);
      part = "";
    }
    part += line;
  }
  if (part !== "" || parts.length === 0) parts.push(part);
  const find = findWhere([["name", name]]);
  return parts.map((p, n) =>
    n === 0
      ? `/system script add name=${quoteValue(name)} source=${quoteValue(p)}`
      : `/system script set ${find} source=([/system script get ${find} source] . ${quoteValue(p).startsWith('"') ? quoteValue(p) : `"${quoteValue(p)}"`})`,
  );
}
