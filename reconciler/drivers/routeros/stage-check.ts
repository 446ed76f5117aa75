// What stage can check against the device before anything is sent (RouterOS has no dry run):
// every interface a command refers to exists there or is added before.
import type { CliSession } from "../../transport/session.ts";
import type { ApplyContext } from "../apply-contract.ts";
import { must } from "./console.ts";
import { parseExport } from "./parse-export.ts";
import { oneCommandProblem } from "./quote.ts";

const REFERS: Record<string, string> = {
  "/ip address": "interface",
  "/ipv6 address": "interface",
  "/interface wireguard peers": "interface",
  "/interface vlan": "interface",
};
const INTERFACE_MENUS = new Set(["/interface bridge", "/interface vlan", "/interface wireguard"]);

export async function interfaceNames(session: CliSession, ctx: ApplyContext): Promise<Set<string>> {
  const r = await must(session, ctx, "/interface print terse", "stage");
  const names = new Set<string>();
  for (const l of r.out.split("\n")) {
    const m = /(?:^|\s)name=(\S+)/.exec(l);
    if (m) names.add(m[1] as string);
  }
  return names;
}

/** Why the device would refuse the commands (what can be known before sending any), or undefined. */
export function refusal(commands: readonly string[], known: Set<string>): string | undefined {
  for (const [n, line] of commands.entries()) {
    const problem = oneCommandProblem(line, 256 * 1024);
    if (problem) return `line ${n + 1} is not one command: ${problem}`;
    const item = parseExport(line).items[0];
    if (!item) continue;
    const ref = REFERS[item.path];
    const target = ref ? item.properties[ref] : undefined;
    if (item.command === "add" && target !== undefined && !known.has(target))
      return `line ${n + 1} (${line.slice(0, 200)}): the device has no interface ${JSON.stringify(target)}`;
    if (item.command === "add" && INTERFACE_MENUS.has(item.path) && item.properties.name)
      known.add(item.properties.name);
  }
  return undefined;
}
