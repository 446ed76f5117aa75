// print: the table (v7: "Flags:", "Columns:", `;;;` comments), detail, terse, as-value, show-ids.
// Checked against the reference print-outputs (ntc-templates captures, test/helpers/reference.ts): `ip address
// print` (v7 columns), `interface wireguard print terse` (`0 R name=wg1 … private-key=…`),
// `routing ospf interface print terse`, `ip route print detail` (`;;; comment` then indented).
import type { Menu } from "./schema.ts";
import { formatId, type StoredItem } from "./store.ts";
import { quote } from "./values.ts";

export interface PrintOptions {
  mode: "table" | "detail" | "terse" | "as-value";
  showIds?: boolean;
  proplist?: string[];
}

/** The printed properties of an item: its values plus computed ones, defaults filled in. */
export function effective(menu: Menu, item: StoredItem): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of menu.props) {
    const v = item.values[p.name] ?? p.default;
    if (v !== undefined && !(p.type === "flag" && v !== "yes")) out[p.name] = v;
  }
  if ((menu.interfaceMenu || menu.view) && out.disabled !== "yes") out.running = "yes";
  return out;
}

function flagsOf(menu: Menu, values: Record<string, string>): string {
  return (menu.flags ?? [])
    .filter(([, prop, v]) => values[prop] === v)
    .map(([l]) => l)
    .join("");
}

function visible(menu: Menu, values: Record<string, string>, opts: PrintOptions): [string, string][] {
  return Object.entries(values).filter(
    ([k]) =>
      k !== "comment" &&
      k !== "disabled" &&
      (!opts.proplist || opts.proplist.includes(k)) &&
      menu.props.some((p) => p.name === k),
  );
}

/**
 * The dot shorthand of operational menus: `remote.address=… .as=…`, a key repeating the previous
 * key's prefix written from its dot (help.mikrotik.com "BGP": session print).
 */
function dotted(menu: Menu, kv: [string, string][]): [string, string][] {
  if (!menu.operational) return kv;
  let prefix = "";
  return kv.map(([k, v]) => {
    const dot = k.indexOf(".");
    if (dot < 0) {
      prefix = "";
      return [k, v];
    }
    const short = k.slice(0, dot) === prefix ? k.slice(dot) : k;
    prefix = k.slice(0, dot);
    return [short, v];
  });
}

export function printSingleton(menu: Menu, item: StoredItem): string {
  const values = Object.entries(effective(menu, item));
  const width = Math.max(...values.map(([k]) => k.length)) + 2;
  return values.map(([k, v]) => `${k.padStart(width)}: ${v}\n`).join("");
}

export function printItems(menu: Menu, items: StoredItem[], opts: PrintOptions): string {
  const rows = items.map((item, i) => ({
    item,
    n: opts.showIds ? formatId(item.id) : String(i),
    values: effective(menu, item),
    // flags also come from state that is not a property (dynamic, active, established)
    state: { ...item.values, ...effective(menu, item) },
  }));
  const flagLetters = (menu.flags ?? []).map(([l]) => l);
  const flagWidth = Math.max(0, ...rows.map((r) => flagsOf(menu, r.state).length));
  const numWidth = Math.max(1, ...rows.map((r) => r.n.length));
  if (opts.mode === "terse") {
    return rows
      .map((r) => {
        const f = flagsOf(menu, r.state);
        const comment = r.values.comment !== undefined ? [`comment=${r.values.comment}`] : [];
        const kv = dotted(menu, visible(menu, r.values, opts)).map(([k, v]) =>
          menu.props.find((p) => p.name === k)?.type === "flag" ? k : `${k}=${v}`,
        );
        return `${[r.n.padStart(numWidth), ...(f ? [f] : []), ...comment, ...kv].join(" ")}\n`;
      })
      .join("");
  }
  const legend = flagLetters.length
    ? `Flags: ${(menu.flags ?? []).map(([l, prop]) => `${l} - ${prop === "disabled" ? "DISABLED" : prop.toUpperCase()}`).join("; ")}\n`
    : "";
  if (opts.mode === "detail") {
    const body = rows
      .map((r) => {
        const f = flagsOf(menu, r.state).padEnd(flagWidth);
        // a menu without flags has no flag column (`routing ospf neighbor print`: ` 0 instance=…`)
        const lead = menu.flags?.length ? ` ${r.n.padStart(numWidth)} ${f} ` : ` ${r.n.padStart(numWidth)} `;
        const kv = dotted(menu, visible(menu, r.values, opts))
          .map(([k, v]) => {
            const type = menu.props.find(
              (p) => p.name === k || (k.startsWith(".") && p.name.endsWith(k)),
            )?.type;
            if (type === "flag") return k;
            return type === "string" || type === "key" ? `${k}=${quote(v)}` : `${k}=${v}`;
          })
          .join(" ");
        const comment =
          r.values.comment !== undefined ? `;;; ${r.values.comment}\n${" ".repeat(lead.length)}` : "";
        return `${lead}${comment}${kv}\n`;
      })
      .join("\n");
    return legend + body;
  }
  // the table
  const cols = (opts.proplist ?? menu.columns ?? []).filter((c) => menu.props.some((p) => p.name === c));
  const head = ["#", ...cols.map((c) => c.toUpperCase())];
  const cells = rows.map((r) => [
    `${r.n.padEnd(numWidth)} ${flagsOf(menu, r.state).padEnd(flagWidth)}`,
    ...cols.map((c) => r.values[c] ?? ""),
  ]);
  const widths = head.map((h, i) =>
    Math.max(i === 0 ? numWidth + 1 + flagWidth : h.length, ...cells.map((c) => (c[i] ?? "").length)),
  );
  // the number and flags column is followed by one space, the others by two (`ip address print`)
  const line = (c: string[]) =>
    c
      .map((x, i) => x.padEnd(widths[i] ?? 0))
      .map((x, i) => (i === 0 ? `${x} ` : i < c.length - 1 ? `${x}  ` : x))
      .join("")
      .trimEnd();
  let out = legend;
  if (cols.length) out += `Columns: ${cols.map((c) => c.toUpperCase()).join(", ")}\n`;
  out += `${line(head)}\n`;
  rows.forEach((r, i) => {
    if (r.values.comment !== undefined) out += `;;; ${r.values.comment}\n`;
    out += `${line(cells[i] ?? [])}\n`;
  });
  return out;
}

/** print as-value: an array of records, `.id` first (help.mikrotik.com "Scripting": print as-value). */
export function asValue(menu: Menu, items: StoredItem[], proplist?: string[]): Record<string, string>[] {
  return items.map((item) => {
    const rec: Record<string, string> = { ".id": formatId(item.id) };
    for (const [k, v] of Object.entries(effective(menu, item)))
      if (!proplist || proplist.includes(k)) rec[k] = v;
    return rec;
  });
}
