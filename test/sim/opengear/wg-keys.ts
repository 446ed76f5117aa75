// WireGuard keys without the wg tool: Curve25519 (X25519) through node:crypto. A private key is
// 32 bytes, base64; its public key is what `wg pubkey` prints.
import { createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";

// DER prefixes of an X25519 PKCS#8 private key and SPKI public key (RFC 8410), before the 32 bytes.
const PKCS8_PREFIX = Buffer.from("302e020100300506032b656e04220420", "hex");

export function genPrivateKey(): string {
  const { privateKey } = generateKeyPairSync("x25519");
  const der = privateKey.export({ format: "der", type: "pkcs8" });
  return der.subarray(der.length - 32).toString("base64");
}

export function publicKeyOf(privateKey: string): string {
  const raw = Buffer.from(privateKey, "base64");
  if (raw.length !== 32) throw new Error("a WireGuard private key is 32 bytes");
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, raw]), format: "der", type: "pkcs8" });
  const spki = createPublicKey(key).export({ format: "der", type: "spki" });
  return spki.subarray(spki.length - 32).toString("base64");
}
