// The UUIDs of the items the reconciler creates: derived from (device, kind, key) by a namespace
// hash, as RFC 9562 version 5 does (SHA-1 over a fixed namespace and the name), so that rendering
// again gives the same UUID and owned() recognises the reconciler's items by their UUID alone,
// without a mark in any free-text field.
import { createHash } from "node:crypto";

/** The reconciler's namespace (a fixed random UUID): UUIDs of other origins never collide with ours. */
const NAMESPACE = Buffer.from("6f3c1a52e8b94d0c9a7e2b51d4c08f13", "hex");

export type ItemKind =
  | "wg-server"
  | "wg-peer"
  | "ospf-network"
  | "ospf-interface"
  | "bgp-neighbor"
  | "alias"
  | "rule"
  | "loopback";

export function stableUuid(device: string, kind: ItemKind, key: string): string {
  const h = createHash("sha1").update(NAMESPACE).update(`${device}\u0000${kind}\u0000${key}`).digest();
  h[6] = ((h[6] as number) & 0x0f) | 0x50;
  h[8] = ((h[8] as number) & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
