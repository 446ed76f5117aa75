// Host-key pinning: the keys inventory/known_hosts pins for a device, OpenSSH-style fingerprints,
// and the verdict on a key a device presents. Pure: no I/O, no ssh2.
//
// A presented key is the SSH wire-format public key blob (RFC 4253 §6.6: string key type, then
// the type's fields), which is exactly what the third field of a known_hosts line base64-encodes.
import { createHash } from "node:crypto";

/** One pinned key of known_hosts (parsed by known-hosts-file.ts). */
export interface KnownHost {
  /** host, or [host]:port when the port is not 22 */
  patterns: string[];
  keyType: string;
  key: string;
  line: number;
}

/** The pattern OpenSSH writes for a host and port. */
export const knownHostPattern = (host: string, port: number) => (port === 22 ? host : `[${host}]:${port}`);

export interface PinnedKey {
  keyType: string;
  /** base64 of the key blob, as written in known_hosts */
  key: string;
  /** 1-based line in known_hosts */
  line: number;
}

/** OpenSSH's fingerprint of a key blob: "SHA256:" + unpadded base64 of its SHA-256. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

/** The fingerprint of a key written as base64 (a known_hosts key field). */
export const fingerprintOfBase64 = (key: string) => fingerprint(Buffer.from(key, "base64"));

/** The key type a blob declares in its first field ("ssh-ed25519", ...), or undefined if malformed. */
export function keyTypeOf(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const len = blob.readUInt32BE(0);
  if (len === 0 || len > 64 || blob.length < 4 + len) return undefined;
  const type = blob.subarray(4, 4 + len).toString("latin1");
  return /^[a-z0-9@.-]+$/.test(type) ? type : undefined;
}

/** Every key known_hosts pins for host:port, in file order. */
export function pinnedKeysFor(entries: readonly KnownHost[], host: string, port: number): PinnedKey[] {
  const pattern = knownHostPattern(host, port).toLowerCase();
  return entries
    .filter((e) => e.patterns.some((p) => p.toLowerCase() === pattern))
    .map((e) => ({ keyType: e.keyType, key: e.key, line: e.line }));
}

export type HostKeyVerdict =
  | { kind: "pinned"; fingerprint: string }
  | { kind: "unknown"; keyType: string; fingerprint: string }
  | { kind: "changed"; keyType: string; fingerprint: string; expected: string[] };

/** Compares a presented key blob with the pinned keys: the key type and the blob must match exactly. */
export function verifyHostKey(pins: readonly PinnedKey[], presented: Buffer): HostKeyVerdict {
  const fp = fingerprint(presented);
  const keyType = keyTypeOf(presented) ?? "unknown";
  if (pins.some((p) => p.keyType === keyType && Buffer.from(p.key, "base64").equals(presented))) {
    // Compared as bytes so that a pin written with odd base64 padding still matches.
    return { kind: "pinned", fingerprint: fp };
  }
  if (pins.length === 0) return { kind: "unknown", keyType, fingerprint: fp };
  return {
    kind: "changed",
    keyType,
    fingerprint: fp,
    expected: pins.map((p) => `${p.keyType} ${fingerprintOfBase64(p.key)}`),
  };
}

/** ssh2's host-key algorithms for each known_hosts key type. */
const ALGORITHMS_OF: Record<string, string[]> = {
  "ssh-ed25519": ["ssh-ed25519"],
  "ecdsa-sha2-nistp256": ["ecdsa-sha2-nistp256"],
  "ecdsa-sha2-nistp384": ["ecdsa-sha2-nistp384"],
  "ecdsa-sha2-nistp521": ["ecdsa-sha2-nistp521"],
  "ssh-rsa": ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"],
};

/** The key types inventory/known_hosts accepts. */
export const PINNABLE_KEY_TYPES: ReadonlySet<string> = new Set(Object.keys(ALGORITHMS_OF));

/** ssh2 1.17's default host-key algorithm order. */
export const DEFAULT_HOST_KEY_ALGORITHMS = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "rsa-sha2-512",
  "rsa-sha2-256",
  "ssh-rsa",
];

/**
 * The host-key algorithms to offer, the pinned key types first (as OpenSSH does with known hosts):
 * a device that has several host keys then presents the one we pinned, not merely the one the
 * client likes best. Other types stay offered, so that a device that lost its pinned key is
 * refused with a "changed key" error naming both fingerprints rather than a bare handshake failure.
 */
export function hostKeyAlgorithms(pins: readonly PinnedKey[]): string[] {
  const first = pins.flatMap((p) => ALGORITHMS_OF[p.keyType] ?? []);
  return [...new Set([...first, ...DEFAULT_HOST_KEY_ALGORITHMS])];
}
