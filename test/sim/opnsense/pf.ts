// The packet filter's presentation, not its filtering: `filter reload` loads the legacy rules and
// the aliases of config.xml the way the box's filter_configure does (each alias a pf table of its
// name, each rule a pf rule on its interface's device), and `pfctl -sr` / `pfctl -t NAME -T show`
// print what is loaded in pfctl's format (FreeBSD pfctl(8); OPNsense's rules.debug names a table
// `<alias>` and splits an IPv4+IPv6 rule per family). Nothing is filtered: this kernel has no pf.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { items } from "./model.ts";
import { at, child, childrenNamed, text, type XmlElement } from "./xml.ts";

export interface Loaded {
  rules: string[];
  tables: Record<string, string[]>;
}

/** The device an OPNsense interface (wan, lan, optN) stands for. */
function deviceOf(root: XmlElement, ident: string): string {
  return text(at(root, `interfaces/${ident}`), "if") || ident;
}

function endpoint(e: XmlElement | undefined, tables: Record<string, string[]>): string {
  if (!e || child(e, "any")) return "any";
  const addr = text(e, "address") || text(e, "network");
  if (!addr) return "any";
  return tables[addr] ? `<${addr}>` : addr;
}

/** filter_configure's view of config.xml: the tables, then the rules in their order. */
export function loadRules(root: XmlElement): Loaded {
  const tables: Record<string, string[]> = {};
  for (const { e } of items(root, "OPNsense/Firewall/Alias/aliases", "alias")) {
    if (text(e, "enabled") === "0") continue;
    const type = text(e, "type");
    if (type !== "host" && type !== "network") continue;
    tables[text(e, "name")] = text(e, "content")
      .split("\n")
      .map((x) => x.trim())
      .filter(Boolean);
  }
  const rules: string[] = [];
  for (const r of childrenNamed(at(root, "filter"), "rule")) {
    if (child(r, "disabled")) continue;
    const type = text(r, "type") || "pass";
    const action = type === "pass" ? "pass" : type === "reject" ? "block return" : "block drop";
    const dev = deviceOf(root, text(r, "interface"));
    const dir = text(r, "direction") || "in";
    const log = child(r, "log") ? "log " : "";
    const proto = text(r, "protocol");
    const port = text(at(r, "destination"), "port");
    const from = endpoint(child(r, "source"), tables);
    const to = endpoint(child(r, "destination"), tables);
    const fams = { inet: ["inet"], inet6: ["inet6"], inet46: ["inet", "inet6"] }[
      text(r, "ipprotocol") || "inet"
    ] ?? ["inet"];
    for (const fam of fams)
      rules.push(
        `${action} ${dir} ${log}quick on ${dev} ${fam}${proto && proto !== "any" ? ` proto ${proto}` : ""} from ${from} to ${to}${port ? ` port = ${port}` : ""}${type === "pass" ? " keep state" : ""}`,
      );
  }
  return { rules, tables };
}

export function saveLoaded(path: string, loaded: Loaded): void {
  writeFileSync(path, `${JSON.stringify(loaded)}\n`, { mode: 0o600 });
}

/** pfctl(8), the two reads: `-sr` (the rules) and `-t TABLE -T show` (a table's addresses). */
export function pfctl(
  argv: readonly string[],
  statePath: string,
): { stdout: string; stderr: string; code: number } {
  const loaded: Loaded = existsSync(statePath)
    ? (JSON.parse(readFileSync(statePath, "utf8")) as Loaded)
    : { rules: [], tables: {} };
  if (argv.length === 1 && argv[0] === "-sr")
    return { stdout: loaded.rules.map((l) => `${l}\n`).join(""), stderr: "", code: 0 };
  if (argv.length === 4 && argv[0] === "-t" && argv[2] === "-T" && argv[3] === "show") {
    const t = loaded.tables[argv[1] as string];
    if (!t) return { stdout: "", stderr: "pfctl: Table does not exist.\n", code: 1 };
    return { stdout: t.map((x) => `   ${x}\n`).join(""), stderr: "", code: 0 };
  }
  return {
    stdout: "",
    stderr: "usage: pfctl [-AdeghMmNnOPqRrvz] ... (only -sr and -t T -T show are simulated)\n",
    code: 64,
  };
}
