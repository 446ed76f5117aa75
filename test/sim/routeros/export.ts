// /export: the header, the menus in RouterOS's order, compact (defaults omitted) or verbose,
// terse (the full path on every line, no wrapping), sensitive values hidden unless show-sensitive.
// Checked against the reference routeros exports 01 (7.10 terse), 03 (7.16), 06 (7.18.2, model lines),
// 07 (7.8, mon/dd/yyyy), 08 (6.49.7 verbose) and help.mikrotik.com "Configuration Management".
import { exportOrder, type Menu, type Prop } from "./schema.ts";
import type { Store, StoredItem } from "./store.ts";
import { needsQuotes, quote } from "./values.ts";
import { renderCommand, type Token } from "./wrap.ts";

export interface Identity {
  version: string;
  softwareId: string;
  model?: string;
  serial?: string;
}

export interface ExportOptions {
  terse?: boolean;
  verbose?: boolean;
  showSensitive?: boolean;
  /** Only these menus (a section export such as `/ip address export`). */
  under?: string;
  /** Dates in values follow the version, as the header does (`start-date=mar/01/2018` before 7.10). */
  version?: string;
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const two = (n: number) => String(n).padStart(2, "0");

/** "7.10" or later: ISO date; before: mon/dd/yyyy (07-v7.8 vs 01-v7.10). */
export function versionAtLeast(version: string, major: number, minor: number): boolean {
  const [a = 0, b] = version.split(".").map((x) => Number.parseInt(x, 10));
  return a > major || (a === major && (b ?? 0) >= minor);
}

export function headerDate(now: Date, version: string): string {
  const time = `${two(now.getUTCHours())}:${two(now.getUTCMinutes())}:${two(now.getUTCSeconds())}`;
  if (versionAtLeast(version, 7, 10)) {
    return `${now.getUTCFullYear()}-${two(now.getUTCMonth() + 1)}-${two(now.getUTCDate())} ${time}`;
  }
  return `${MONTHS[now.getUTCMonth()]}/${two(now.getUTCDate())}/${now.getUTCFullYear()} ${time}`;
}

/** 2018-03-01 → mar/01/2018 */
function oldDate(iso: string): string {
  const m = /^(\d{4})-(\d\d)-(\d\d)$/.exec(iso);
  return m ? `${MONTHS[Number(m[2]) - 1]}/${m[3]}/${m[1]}` : iso;
}

export function header(now: Date, id: Identity): string[] {
  const lines = [
    `# ${headerDate(now, id.version)} by RouterOS ${id.version}`,
    `# software id = ${id.softwareId}`,
    "#",
  ];
  if (id.model) lines.push(`# model = ${id.model}`);
  if (id.serial) lines.push(`# serial number = ${id.serial}`);
  return lines;
}

/** The value as /export writes it; a value longer than a line is quoted so that it can be cut. */
export function writtenValue(value: string, wrap: boolean): string {
  return needsQuotes(value) || (wrap && value.length > 73) ? quote(value) : value;
}

function valueFor(prop: Prop, item: StoredItem, opts: ExportOptions): string | undefined {
  const v = item.values[prop.name] ?? (opts.verbose || prop.always ? prop.default : undefined);
  // a /32 is written as the bare address (01-v7.10: `address=10.255.255.1 … network=10.255.255.1`)
  return prop.type === "prefix" && prop.name === "address" && v?.endsWith("/32") ? v.slice(0, -3) : v;
}

function exported(menu: Menu, prop: Prop, item: StoredItem, opts: ExportOptions): boolean {
  const v = valueFor(prop, item, opts);
  if (prop.readOnly || v === undefined) return false;
  if (prop.sensitive && !opts.showSensitive) return false;
  if (prop.type === "flag") return v === "yes";
  // a built-in item keeps its own name (ether1, the default template): it is how `set` finds it
  if (
    item.builtin &&
    prop.name === "name" &&
    (menu.path === "routing bgp template" || v === item.values["default-name"])
  ) {
    return false;
  }
  if (opts.verbose || prop.always) return true;
  return v !== prop.default;
}

/** key=value tokens, sorted by key, with the `.role=` shorthand for a repeated dotted prefix. */
export function tokensOf(menu: Menu, item: StoredItem, opts: ExportOptions, wrap: boolean): Token[] {
  const props = menu.props
    .filter((p) => exported(menu, p, item, opts))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: Token[] = [];
  let prevPrefix: string | undefined;
  for (const p of props) {
    const v = valueFor(p, item, opts) as string;
    if (p.type === "flag") {
      out.push({ value: p.name });
      prevPrefix = undefined;
      continue;
    }
    const dot = p.name.indexOf(".");
    const prefix = dot > 0 ? p.name.slice(0, dot) : undefined;
    const key = prefix !== undefined && prefix === prevPrefix ? p.name.slice(dot) : p.name;
    prevPrefix = prefix;
    const dated = p.name === "start-date" && opts.version && !versionAtLeast(opts.version, 7, 10);
    out.push({ key, value: writtenValue(dated ? oldDate(v) : v, wrap) });
  }
  return out;
}

/**
 * RouterOS's note above an item that refers to an interface which is not running: 01-v7.10 writes
 * `# tunnel-mikrotik not ready` above the NAT rule with `out-interface=tunnel-mikrotik` (an
 * interface added `disabled=yes`); in a terse export the note breaks the run of full-path lines.
 */
function noteFor(menu: Menu, store: Store, item: StoredItem): string | undefined {
  if (menu.path !== "ip firewall filter") return undefined;
  const down = new Set(
    store
      .list("interface")
      .filter((i) => i.values.disabled === "yes")
      .map((i) => i.values.name),
  );
  const iface = [item.values["in-interface"], item.values["out-interface"]].find(
    (n) => n !== undefined && down.has(n),
  );
  return iface ? `# ${iface} not ready` : undefined;
}

function commandsOf(
  menu: Menu,
  store: Store,
  opts: ExportOptions,
): { head: string; tokens: Token[]; note?: string }[] {
  const wrap = !opts.terse;
  const out: { head: string; tokens: Token[]; note?: string }[] = [];
  for (const item of store.list(menu.path)) {
    const tokens = tokensOf(menu, item, opts, wrap);
    const note = noteFor(menu, store, item);
    if (note) {
      out.push({ head: "add", tokens, note });
      continue;
    }
    if (menu.singleton) {
      if (tokens.length > 0) out.push({ head: "set", tokens });
    } else if (item.builtin) {
      if (tokens.length === 0) continue;
      const which =
        menu.path === "interface ethernet"
          ? `[ find default-name=${item.values["default-name"]} ]`
          : item.values.name;
      out.push({ head: `set ${which}`, tokens });
    } else out.push({ head: "add", tokens });
  }
  return out;
}

/** The whole export, lines joined with "\n" (the caller turns them into CRLF for a file). */
export function exportConfig(store: Store, now: Date, id: Identity, opts: ExportOptions = {}): string {
  const lines = header(now, id);
  for (const menu of exportOrder()) {
    if (opts.under && menu.path !== opts.under && !menu.path.startsWith(`${opts.under} `)) continue;
    const cmds = commandsOf(menu, store, opts);
    if (cmds.length === 0) continue;
    if (!opts.terse) lines.push(`/${menu.path}`);
    for (const c of cmds) {
      if (c.note) {
        if (opts.terse) lines.push(`/${menu.path}`);
        lines.push(c.note);
      }
      const head = opts.terse && !c.note ? `/${menu.path} ${c.head}` : c.head;
      lines.push(...renderCommand(head, c.tokens, !opts.terse));
    }
  }
  return `${lines.join("\n")}\n`;
}
