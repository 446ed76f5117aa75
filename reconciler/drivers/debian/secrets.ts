// Where secrets live on a Debian router and how the files rendered from git refer to them. No
// secret is ever in a rendered file, an artifact or a snapshot: the files name a root-only file on
// the device, whose content the apply step writes from the environment variable the desired state
// names (password_env, preshared_key_env). The variable's name is part of the path, so that a read
// of the rendered file tells which variable it expects.

import type { DeviceIntent } from "../../schema/device.ts";
import { shQuote } from "../../transport/quote.ts";
import { birdString, ifname, word } from "./guard.ts";
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

/**
 * The secret files a rendered bird.conf includes, with their content for the given secret values
 * (looked up by variable name). For the apply step, which writes them root-only before
 * `birdc configure`, and for tests, which fill them with dummies so that `bird -p` can check the
 * configuration. bird strings have no escapes: a secret with a double quote or newline is refused.
 */
export function birdSecretFiles(
  intent: DeviceIntent,
  secretOf: (env: string) => string,
): Record<string, string> {
  const files: Record<string, string> = {};
  const str = (env: string) => birdString(secretOf(env), `the secret in ${env}`);
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
