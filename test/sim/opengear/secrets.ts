// How ogcli shows secrets. `--secrets mask|obfuscate|cleartext` is the option napalm-opengear
// passes (`ogcli --secrets mask export` for a sanitized configuration). `get` never prints a
// secret in clear (masked); `export` obfuscates by default so that its output can be imported
// back. The obfuscated form is the simulator's own (a prefix and base64): the real box's
// encoding is not public; import turns it back into the secret, and a masked value into "keep
// the secret the box holds".

export type SecretsMode = "mask" | "obfuscate" | "cleartext";
export const MASK = "********";
const OBF_PREFIX = "$og$";

export function showSecret(v: string, mode: SecretsMode): string {
  if (v === "") return "";
  if (mode === "cleartext") return v;
  if (mode === "mask") return MASK;
  return OBF_PREFIX + Buffer.from(v, "utf8").toString("base64");
}

/** A secret as read from input: the clear value, or undefined for "unchanged" (masked). */
export function readSecret(v: string): string | undefined {
  if (v === MASK) return undefined;
  if (v.startsWith(OBF_PREFIX)) return Buffer.from(v.slice(OBF_PREFIX.length), "base64").toString("utf8");
  return v;
}
