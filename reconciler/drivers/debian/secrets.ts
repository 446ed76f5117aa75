// Where secrets live on a Debian router and how the files rendered from git refer to them. No
// secret is ever in a rendered file, an artifact or a snapshot: the files name a root-only file on
// the device, whose content the apply step writes from the environment variable the desired state
// names (password_env, preshared_key_env). The variable's name is part of the path, so that a read
// of the rendered file tells which variable it expects.

import { secretVariables } from "../../model/secret-variables.ts";
import type { DeviceIntent } from "../../schema/device.ts";
import { shQuote } from "../../transport/quote.ts";
import { ifname, word } from "./guard.ts";
import { BIRD_SECRET_DIR, WIREGUARD_KEY_DIR, wireguardKeyPath } from "./paths.ts";

/** bird: `authentication cryptographic;` then `include` of a file holding `password "..." { id K; };`. */
export function birdOspfSecretPath(env: string, keyId: number | undefined): string {
  const id = keyId === undefined ? "" : `-${word(keyId, "a key id")}`;
  return `${BIRD_SECRET_DIR}/ospf-${word(env, "an environment variable name")}${id}.conf`;
}

/** bird: `include` inside `protocol bgp` of a file holding `password "...";`. */
export function birdBgpSecretPath(env: string): string {
  return `${BIRD_SECRET_DIR}/bgp-${word(env, "an environment variable name")}.conf`;
}

export function parseBirdSecretPath(
  path: string,
): { kind: "ospf"; env: string; keyId?: number } | { kind: "bgp"; env: string } | undefined {
  const dir = BIRD_SECRET_DIR.replace(/\//g, "\\/");
  const ospf = new RegExp(`^${dir}/ospf-([A-Z_][A-Z0-9_]*)(?:-([0-9]{1,3}))?\\.conf$`).exec(path);
  if (ospf?.[1]) return { kind: "ospf", env: ospf[1], ...(ospf[2] ? { keyId: Number(ospf[2]) } : {}) };
  const bgp = new RegExp(`^${dir}/bgp-([A-Z_][A-Z0-9_]*)\\.conf$`).exec(path);
  if (bgp?.[1]) return { kind: "bgp", env: bgp[1] };
  return undefined;
}

/** A WireGuard preshared key, loaded by a PostUp `wg set %i peer K preshared-key FILE`. */
export function wireguardPskPath(env: string): string {
  return `${WIREGUARD_KEY_DIR}/psk-${word(env, "an environment variable name")}.key`;
}

export function parseWireguardPskPath(path: string): string | undefined {
  return /^\/etc\/wireguard\/keys\/psk-([A-Z_][A-Z0-9_]*)\.key$/.exec(path)?.[1];
}

/** Writes where a secret named by an environment variable goes in a rendered file. */
export type SecretMark = (env: string) => string;

/**
 * FRR has no include: frr.conf must hold the secret itself for frr-reload.py to keep it. The
 * rendered text holds this placeholder instead; the apply step substitutes the environment value
 * on its way to the device (over stdin), and the read redacts the secret to "(hidden)" on the
 * device, so neither plans nor snapshots ever contain it.
 */
export function frrSecretPlaceholder(env: string): string {
  return `@secret:${word(env, "an environment variable name")}@`;
}

/**
 * The sh input for `wg syncconf IF /dev/stdin` that keeps the private key: the stripped config,
 * then a second [Interface] section with the key read on the device (wg accepts repeated
 * sections; checked with wireguard-tools v1.0.20210914). The key never leaves the device.
 */
export function wireguardSyncInput(name: string, confPath: string): string {
  const key = wireguardKeyPath(ifname(name));
  return `{ wg-quick strip ${shQuote(confPath)} && printf '[Interface]\\nPrivateKey = ' && cat ${shQuote(key)}; }`;
}

/** A secret that cannot be written into bird.conf. The message names the variable, never the value. */
export class UnwritableSecretError extends Error {
  constructor(
    readonly variable: string,
    why: string,
  ) {
    super(`the secret in ${variable} cannot be written into bird.conf: ${why}`);
    this.name = "UnwritableSecretError";
  }
}

/**
 * A secret as a bird 2 string. bird 2.0's lexer takes everything between two double quotes
 * verbatim, with no escapes (checked with bird 2.0.12: `"a\\b"` is the three characters a, \, b):
 * `$`, `\`, `` ` ``, `'` and any other printable character are written as they are; a double
 * quote or a line break cannot be carried at all, so they are refused, naming the variable only.
 */
export function birdSecretString(value: string, variable: string): string {
  if (value.includes('"')) throw new UnwritableSecretError(variable, "it contains a double quote");
  if ([...value].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f))
    throw new UnwritableSecretError(variable, "it contains a line break or another control character");
  return `"${value}"`;
}

/**
 * The secret files a rendered bird.conf includes, with their content for the given secret values
 * (looked up by variable name). For the apply step, which writes them root-only before
 * `birdc configure`, and for tests, which fill them with dummies so that `bird -p` can check the
 * configuration.
 */
export function birdSecretFiles(
  intent: DeviceIntent,
  secretOf: (env: string) => string,
): Record<string, string> {
  const files: Record<string, string> = {};
  const str = (env: string) => birdSecretString(secretOf(env), env);
  for (const inst of intent.ospf?.instances ?? []) {
    for (const area of inst.areas) {
      for (const i of area.interfaces ?? []) {
        const auth = i.authentication;
        if (!auth?.password_env || auth.type === "none") continue;
        if (auth.type === "cryptographic") {
          const id = auth.key_id ?? 1;
          files[birdOspfSecretPath(auth.password_env, id)] =
            `password ${str(auth.password_env)} { id ${id}; };\n`;
        } else
          files[birdOspfSecretPath(auth.password_env, undefined)] = `password ${str(auth.password_env)};\n`;
      }
    }
  }
  for (const n of intent.bgp?.neighbors ?? []) {
    if (n.password_env) files[birdBgpSecretPath(n.password_env)] = `password ${str(n.password_env)};\n`;
  }
  return files;
}

/** The environment variables the intent names as secrets (every `*_env` field): the only ones substituted. */
export function declaredSecrets(intent: DeviceIntent): Set<string> {
  return secretVariables(intent);
}
