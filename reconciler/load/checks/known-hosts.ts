// inventory/known_hosts pins each device's SSH host key. The parser is the transport's (pure, in
// transport/known-hosts-file.ts: the keys the loader checks are exactly the keys the transport
// pins); this adds what only the loader knows: which devices of the inventory the keys belong to.
import type { Diagnostic } from "../../model/diagnostic.ts";
import type { ResolvedDevice } from "../../model/repo.ts";
import { knownHostPattern } from "../../transport/host-keys.ts";
import { type KnownHost, parseKnownHosts } from "../../transport/known-hosts-file.ts";

export { type KnownHost, knownHostPattern, parseKnownHosts };

export function checkKnownHosts(
  file: string,
  text: string,
  devices: Readonly<Record<string, ResolvedDevice>>,
): Diagnostic[] {
  const { entries, diagnostics } = parseKnownHosts(file, text);
  const known = new Set(Object.values(devices).map((d) => knownHostPattern(d.host, d.port)));
  for (const e of entries) {
    if (e.patterns.some((p) => known.has(p))) continue;
    diagnostics.push({
      severity: "warning",
      file,
      line: e.line,
      column: 1,
      path: "",
      message: `host key for ${e.patterns.join(",")}, which is no device of the inventory`,
      expected: "keys only for devices of the inventory (remove stale ones)",
    });
  }
  return diagnostics;
}
