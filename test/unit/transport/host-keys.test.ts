// Host-key pinning without a network: fingerprints agree with ssh-keygen, known_hosts entries
// match by OpenSSH's host pattern, and a presented key is pinned, unknown or changed.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  fingerprint,
  hostKeyAlgorithms,
  keyTypeOf,
  pinnedKeysFor,
  verifyHostKey,
} from "../../../reconciler/transport/host-keys.ts";
import { parseKnownHosts } from "../../../reconciler/transport/known-hosts-file.ts";
import { generateKey } from "../../helpers/sshd.ts";

const dir = mkdtempSync(join(tmpdir(), "rcl-hostkeys-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ed = generateKey(dir, "ed", "ed25519");
const rsa = generateKey(dir, "rsa", "rsa");
const ecdsa = generateKey(dir, "ecdsa", "ecdsa");
const other = generateKey(dir, "other", "ed25519");
const blob = (k: { key: string }) => Buffer.from(k.key, "base64");

describe("fingerprint", () => {
  for (const k of [ed, rsa, ecdsa]) {
    it(`matches ssh-keygen -lf for ${k.keyType}`, () => {
      const line = execFileSync("ssh-keygen", ["-E", "sha256", "-lf", `${k.path}.pub`], { encoding: "utf8" });
      const expected = line.split(" ")[1];
      expect(expected).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
      expect(fingerprint(blob(k))).toBe(expected);
      expect(keyTypeOf(blob(k))).toBe(k.keyType);
    });
  }

  it("reads no key type from garbage", () => {
    expect(keyTypeOf(Buffer.from("xy"))).toBeUndefined();
    expect(keyTypeOf(Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2]))).toBeUndefined();
  });
});

describe("known_hosts matching", () => {
  const text = [
    "# pinned keys",
    `198.51.100.10 ${ed.keyType} ${ed.key}`,
    `[198.51.100.10]:2222 ${rsa.keyType} ${rsa.key}`,
    `router.example.net,198.51.100.11 ${ecdsa.keyType} ${ecdsa.key}`,
    `[2001:db8::1]:830 ${other.keyType} ${other.key}`,
    "",
  ].join("\n");
  const { entries, diagnostics } = parseKnownHosts("inventory/known_hosts", text);

  it("parses the fixture", () => {
    expect(diagnostics).toEqual([]);
    expect(entries).toHaveLength(4);
  });

  it("uses the bare host for port 22 and [host]:port otherwise", () => {
    expect(pinnedKeysFor(entries, "198.51.100.10", 22).map((p) => p.keyType)).toEqual(["ssh-ed25519"]);
    expect(pinnedKeysFor(entries, "198.51.100.10", 2222).map((p) => p.keyType)).toEqual(["ssh-rsa"]);
    expect(pinnedKeysFor(entries, "198.51.100.10", 2200)).toEqual([]);
    expect(pinnedKeysFor(entries, "2001:db8::1", 830)).toHaveLength(1);
  });

  it("matches any pattern of a line naming several hosts, case-insensitively", () => {
    expect(pinnedKeysFor(entries, "198.51.100.11", 22)).toHaveLength(1);
    expect(pinnedKeysFor(entries, "Router.Example.NET", 22)).toHaveLength(1);
    expect(pinnedKeysFor(entries, "198.51.100.1", 22)).toEqual([]);
  });

  it("accepts exactly the pinned key", () => {
    const pins = pinnedKeysFor(entries, "198.51.100.10", 22);
    expect(verifyHostKey(pins, blob(ed))).toEqual({ kind: "pinned", fingerprint: fingerprint(blob(ed)) });
  });

  it("reports an unknown host with the presented fingerprint", () => {
    expect(verifyHostKey([], blob(ed))).toEqual({
      kind: "unknown",
      keyType: "ssh-ed25519",
      fingerprint: fingerprint(blob(ed)),
    });
  });

  it("reports a changed key with the pinned and the presented fingerprints", () => {
    const pins = pinnedKeysFor(entries, "198.51.100.10", 22);
    expect(verifyHostKey(pins, blob(other))).toEqual({
      kind: "changed",
      keyType: "ssh-ed25519",
      fingerprint: fingerprint(blob(other)),
      expected: [`ssh-ed25519 ${fingerprint(blob(ed))}`],
    });
  });

  it("compares the key type too: the right blob under the wrong type is not pinned", () => {
    const pins = [{ keyType: "ssh-rsa", key: ed.key, line: 1 }];
    expect(verifyHostKey(pins, blob(ed)).kind).toBe("changed");
  });

  it("offers the pinned key types first, and the others after them", () => {
    expect(hostKeyAlgorithms([]).at(0)).toBe("ssh-ed25519");
    const algos = hostKeyAlgorithms([{ keyType: "ssh-rsa", key: rsa.key, line: 1 }]);
    expect(algos.slice(0, 3)).toEqual(["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"]);
    expect(algos).toContain("ssh-ed25519");
    expect(new Set(algos).size).toBe(algos.length);
  });
});
