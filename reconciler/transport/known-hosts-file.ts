// The text of inventory/known_hosts: reading it (OpenSSH's format, hashed names excluded: a
// reviewer must be able to read which host a key belongs to), and editing it for `reconciler
// trust` (pin one key for one host pattern, keeping comments, other hosts' lines and their order,
// so that the git diff shows exactly the change). Pure text in, values out: no I/O, so that load/
// reads the file with this same parser the transport pins keys with.
import type { Diagnostic } from "../model/diagnostic.ts";
import { type KnownHost, PINNABLE_KEY_TYPES } from "./host-keys.ts";

/** In the order the diagnostic lists them (OpenSSH's man page order). */
const KEY_TYPES = [
  "ssh-ed25519",
  "ssh-rsa",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
];

export type { KnownHost } from "./host-keys.ts";

/** The pinned keys of known_hosts text; a line that cannot be read is a diagnostic and pins nothing. */
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
        : !PINNABLE_KEY_TYPES.has(keyType)
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
        expected: `"<host or [host]:port> <${KEY_TYPES.join("|")}> <base64 key>"`,
      });
      return;
    }
    entries.push({ patterns: hosts.split(","), keyType, key, line: i + 1 });
  });
  return { entries, diagnostics };
}

export interface PinResult {
  text: string;
  /** "unchanged": the key was already pinned; "added": no key was; "replaced": other keys were. */
  outcome: "unchanged" | "added" | "replaced";
  /** The keys (type and base64) that were pinned for the pattern before, when replaced. */
  previous: { keyType: string; key: string }[];
}

/**
 * Pins `keyType key` for `pattern`: when the key is already pinned for it nothing changes;
 * otherwise every other key of that pattern is dropped (a line naming several hosts only loses
 * this pattern) and one line `<pattern> <type> <key>` takes the place of the first line that
 * held the pattern, or is appended.
 */
export function pinHostKey(text: string, pattern: string, keyType: string, key: string): PinResult {
  if (!PINNABLE_KEY_TYPES.has(keyType)) throw new Error(`cannot pin a key of type ${keyType}`);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key)) throw new Error("the key is not base64");
  if (/[\s,#]/.test(pattern) || pattern === "") throw new Error(`invalid host pattern ${pattern}`);
  const want = pattern.toLowerCase();
  const lines = text === "" ? [] : text.replace(/\n$/, "").split("\n");
  const parsed = lines.map((raw) => {
    const t = raw.trim();
    if (t === "" || t.startsWith("#")) return undefined;
    const [hosts = "", type = "", k = "", ...comment] = t.split(/\s+/);
    return { hosts: hosts.split(","), type, key: k, comment };
  });
  const sameKey = (k: string) => Buffer.from(k, "base64").equals(Buffer.from(key, "base64"));
  const mine = (e: (typeof parsed)[number]) => e?.hosts.some((h) => h.toLowerCase() === want) === true;

  if (parsed.some((e) => mine(e) && e?.type === keyType && sameKey(e.key))) {
    return { text, outcome: "unchanged", previous: [] };
  }
  const previous: PinResult["previous"] = [];
  const out: string[] = [];
  const newLine = `${pattern} ${keyType} ${key}`;
  let placed = false;
  lines.forEach((raw, i) => {
    const e = parsed[i];
    if (!e || !mine(e)) {
      out.push(raw);
      return;
    }
    previous.push({ keyType: e.type, key: e.key });
    if (!placed) {
      out.push(newLine);
      placed = true;
    }
    const others = e.hosts.filter((h) => h.toLowerCase() !== want);
    if (others.length > 0) out.push([others.join(","), e.type, e.key, ...e.comment].join(" "));
  });
  if (!placed) out.push(newLine);
  return {
    text: `${out.join("\n")}\n`,
    outcome: previous.length > 0 ? "replaced" : "added",
    previous,
  };
}
