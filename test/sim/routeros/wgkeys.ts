// WireGuard keys as RouterOS makes them (help.mikrotik.com "WireGuard": a private key is generated
// when none is given; the public key is derived from it): real X25519 through node:crypto.
import { createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";

const PKCS8_X25519 = Buffer.from("302e020100300506032b656e04220420", "hex");
const b64 = (url: string) => Buffer.from(url, "base64url").toString("base64");

export function generatePrivateKey(): string {
  const { privateKey } = generateKeyPairSync("x25519");
  return b64(privateKey.export({ format: "jwk" }).d as string);
}

export function publicKeyOf(privateKey: string): string {
  const raw = Buffer.from(privateKey, "base64");
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_X25519, raw]), format: "der", type: "pkcs8" });
  return b64(createPublicKey(key).export({ format: "jwk" }).x as string);
}
