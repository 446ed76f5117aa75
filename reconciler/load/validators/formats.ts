// The string formats the schemas name (`format: ip-prefix` ...), as predicates. One module for
// the validators compiled at run time and for those generated at build time (scripts/build.ts):
// the generated code imports this file, so both judge an address the same way.
import { isNetwork, parseAddress, parsePrefix } from "../../model/ip.ts";

function isEndpoint(text: string): boolean {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):([0-9]{1,5})$/.exec(text);
  if (!m) return false;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return false;
  if (m[1] !== undefined) return parseAddress(m[1])?.family === 6;
  const host = m[2] ?? "";
  return (
    parseAddress(host) !== undefined ||
    /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(host)
  );
}

export const FORMATS: Readonly<Record<string, (s: string) => boolean>> = {
  "ip-address": (s) => parseAddress(s) !== undefined,
  "ipv4-address": (s) => parseAddress(s)?.family === 4,
  "interface-address": (s) => parsePrefix(s) !== undefined,
  "ip-prefix": (s) => {
    const p = parsePrefix(s);
    return p !== undefined && isNetwork(p);
  },
  "wg-endpoint": isEndpoint,
};
