// Secrets in config.xml never leave the device in clear. The read script (read-script.ts) replaces
// the content of every secret element with `@device-secret:N@`; redactConfig() does the same here
// as a second fence. The contract with the apply half:
//
// - a secret element is found lexically, line by line: the open tag `<NAME>` or `<NAME attrs>` on
//   one line, NAME one of SECRET_ELEMENTS; N counts every such open tag in document order from 0,
//   self-closing and empty ones included (they get no token but keep their number);
// - its content (up to the first `</NAME>`, across lines) becomes the token when not empty;
// - the candidate keeps a token as the whole content of a secret element when that secret is
//   unchanged: the apply step substitutes it back from the same, unchanged live file (it refuses
//   when the file changed since the read); a secret from the environment is `@secret:ENV@`.
import type { DeviceIntent } from "../../schema/device.ts";

/** Elements whose content is a secret: WireGuard keys, FRR keys, password hashes, private keys. */
export const SECRET_ELEMENTS = ["privkey", "psk", "authkey", "password", "prv", "secret"] as const;

export function secretElementNames(): readonly string[] {
  return SECRET_ELEMENTS;
}

export const deviceSecretToken = (n: number): string => `@device-secret:${n}@`;
export const envSecretToken = (name: string): string => `@secret:${name}@`;
export const DEVICE_TOKEN = /^@device-secret:(\d{1,9})@$/;
export const ENV_TOKEN = /^@secret:([A-Z_][A-Z0-9_]{0,127})@$/;
/** Any token, anywhere in a text (refused in raw values: a value must not name a secret). */
export const ANY_TOKEN = /@(device-secret:\d+|device-(?:key|pubkey):[A-Za-z0-9]+|secret:[A-Za-z0-9_]+)@/;
/**
 * A new WireGuard instance's key pair, generated on the box by `reconciler keys` (apply/keys.ts)
 * and filled in by the commit there (apply/fill-secrets.ts).
 */
export const deviceKeyToken = (wg: string): string => `@device-key:${wg}@`;
export const devicePubkeyToken = (wg: string): string => `@device-pubkey:${wg}@`;

/** The open tag of a secret element on one line (the same pattern the device's awk uses). */
const OPEN = new RegExp(`<(${SECRET_ELEMENTS.join("|")})([ \\t\\r\\f\\v/][^>\\n]*)?>`, "g");

/** The text with the content of every secret element replaced by its token (idempotent). */
export function redactConfig(text: string): string {
  let out = "";
  let pos = 0;
  let n = 0;
  OPEN.lastIndex = 0;
  for (let m = OPEN.exec(text); m; m = OPEN.exec(text)) {
    const index = n++;
    const afterOpen = m.index + m[0].length;
    if (m[0].endsWith("/>")) continue;
    const close = text.indexOf(`</${m[1]}>`, afterOpen);
    const stop = close < 0 ? text.length : close;
    out += text.slice(pos, afterOpen);
    if (stop > afterOpen) out += deviceSecretToken(index);
    pos = stop;
    OPEN.lastIndex = stop;
  }
  return out + text.slice(pos);
}

/** Each secret element's content by its number N, in the text as the device holds it. */
export function secretValues(text: string): Map<number, string> {
  const out = new Map<number, string>();
  let n = 0;
  OPEN.lastIndex = 0;
  for (let m = OPEN.exec(text); m; m = OPEN.exec(text)) {
    const index = n++;
    if (m[0].endsWith("/>")) continue;
    const afterOpen = m.index + m[0].length;
    const close = text.indexOf(`</${m[1]}>`, afterOpen);
    const stop = close < 0 ? text.length : close;
    out.set(index, text.slice(afterOpen, stop));
    OPEN.lastIndex = stop;
  }
  return out;
}

/**
 * The reference of what the apply does with a candidate (it does it on the device, from the file
 * it holds): every secret element whose whole content is a token gets its value, a device token
 * from the live file as the device holds it, an environment token from `env`. A token anywhere
 * else (a description) is text and stays. Throws on a token it cannot fill.
 */
export function fillSecrets(
  candidate: string,
  deviceText: string,
  env: (name: string) => string | undefined,
): string {
  const values = secretValues(deviceText);
  let out = "";
  let pos = 0;
  OPEN.lastIndex = 0;
  for (let m = OPEN.exec(candidate); m; m = OPEN.exec(candidate)) {
    if (m[0].endsWith("/>")) continue;
    const afterOpen = m.index + m[0].length;
    const close = candidate.indexOf(`</${m[1]}>`, afterOpen);
    const stop = close < 0 ? candidate.length : close;
    const content = candidate.slice(afterOpen, stop);
    const dev = DEVICE_TOKEN.exec(content);
    const fromEnv = ENV_TOKEN.exec(content);
    let value: string | undefined;
    if (dev) {
      value = values.get(Number(dev[1]));
      if (value === undefined)
        throw new Error(`${content}: the device's file has no such secret (it changed since the read?)`);
    } else if (fromEnv) {
      value = env(fromEnv[1] as string);
      if (value === undefined)
        throw new Error(`${content}: the environment variable ${fromEnv[1]} is not set`);
      value = value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    }
    if (value !== undefined) {
      out += candidate.slice(pos, afterOpen) + value;
      pos = stop;
    }
    OPEN.lastIndex = stop;
  }
  return out + candidate.slice(pos);
}

/** The environment variables the intent declares (every `*_env` field). */
export function declaredEnv(intent: DeviceIntent): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown) => {
    if (Array.isArray(v)) for (const x of v) walk(x);
    else if (v && typeof v === "object")
      for (const [k, x] of Object.entries(v)) {
        if (k.endsWith("_env") && typeof x === "string") out.add(x);
        else walk(x);
      }
  };
  walk(intent);
  return out;
}
