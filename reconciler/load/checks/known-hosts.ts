// inventory/known_hosts pins each device's SSH host key (OpenSSH's format, hashed names excluded:
// a reviewer must be able to read which host a key belongs to).
import type { Diagnostic } from "../../model/diagnostic.ts";
import type { ResolvedDevice } from "../../model/repo.ts";

const KEY_TYPES = new Set([
  "ssh-ed25519",
  "ssh-rsa",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
]);

export interface KnownHost {
  /** host, or [host]:port when the port is not 22 */
  patterns: string[];
  keyType: string;
  key: string;
  line: number;
}

export function parseKnownHosts(
  file: string,
  text: string,
): { entries: KnownHost[]; diagnostics: Diagnostic[] } {
  const entries: KnownHost[] = [];
  const diagnostics: Diagnostic[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const fields = line.split(/\s+/);
    const [hosts = "", keyType = "", key = ""] = fields;
    const problem = hosts.startsWith("|")
      ? "a hashed host name, which a reviewer cannot read"
      : hosts.startsWith("@")
        ? `a ${hosts} marker, which the reconciler does not honour`
        : !KEY_TYPES.has(keyType)
          ? `key type ${JSON.stringify(keyType)}`
          : !/^[A-Za-z0-9+/]+={0,2}$/.test(key) || Buffer.from(key, "base64").length < 32
            ? "a key that is not base64"
            : undefined;
    if (problem) {
      diagnostics.push({
        severity: "error",
        file,
        line: i + 1,
        column: 1,
        path: "",
        message: `unreadable known_hosts line: ${problem}`,
        expected: `"<host or [host]:port> <${[...KEY_TYPES].join("|")}> <base64 key>"`,
      });
      return;
    }
    entries.push({ patterns: hosts.split(","), keyType, key, line: i + 1 });
  });
  return { entries, diagnostics };
}

/** The pattern OpenSSH writes for a host and port. */
export const knownHostPattern = (host: string, port: number) => (port === 22 ? host : `[${host}]:${port}`);

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
