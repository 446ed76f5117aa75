// Credentials for a device, taken from the environment as the inventory names them: the SSH agent
// (SSH_AUTH_SOCK), a private key file whose path is in a variable, or a password in a variable.
// The values never reach a message: errors name the variable, never its content.
import { readFile } from "node:fs/promises";
import ssh2, { type AnyAuthMethod } from "ssh2";
import { AuthError } from "../model/errors.ts";
import type { ResolvedDevice } from "../model/repo.ts";

export type Env = Readonly<Record<string, string | undefined>>;

export interface AuthPlan {
  /** ssh2 authHandler entries, tried in order. */
  methods: AnyAuthMethod[];
  /** Values to redact from anything printed about this device. */
  secrets: string[];
  /** What is used, for messages: "the SSH agent", "the key in $X", "the password in $Y". */
  describe: string;
}

export async function authFor(device: ResolvedDevice, env: Env): Promise<AuthPlan> {
  const { credentials: c, user: username, name } = device;
  const fail = (message: string) => new AuthError(message, { device: name });
  if (c.keyFileEnv) {
    const path = env[c.keyFileEnv];
    if (!path) throw fail(`$${c.keyFileEnv} is not set: it must hold the path of the SSH private key`);
    let key: Buffer;
    try {
      key = await readFile(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? "error";
      throw fail(`cannot read the SSH private key named by $${c.keyFileEnv} (${code})`);
    }
    const parsed = ssh2.utils.parseKey(key);
    const first = Array.isArray(parsed) ? parsed[0] : parsed;
    if (first === undefined || first instanceof Error || !first.isPrivateKey()) {
      // ssh2's own message says what is wrong (format, passphrase) and never quotes the key.
      const why = first instanceof Error ? `: ${first.message}` : ": not a private key";
      throw fail(`the SSH private key named by $${c.keyFileEnv} cannot be used${why}`);
    }
    return {
      methods: [{ type: "publickey", username, key }],
      secrets: [],
      describe: `the private key named by $${c.keyFileEnv}`,
    };
  }
  if (c.passwordEnv) {
    const password = env[c.passwordEnv];
    if (password === undefined || password === "")
      throw fail(`$${c.passwordEnv} is not set: it must hold the password`);
    return {
      methods: [
        { type: "password", username, password },
        // Some devices take the password only through keyboard-interactive: answer a single
        // hidden password prompt, nothing else.
        {
          type: "keyboard-interactive",
          username,
          prompt: (_name, _instructions, _lang, prompts, finish) =>
            finish(
              prompts.length === 1 && prompts[0]?.echo !== true && /password/i.test(prompts[0]?.prompt ?? "")
                ? [password]
                : [],
            ),
        },
      ],
      secrets: [password],
      describe: `the $${c.passwordEnv} password`,
    };
  }
  if (c.agent) {
    const sock = env.SSH_AUTH_SOCK;
    if (!sock) throw fail("the inventory says to use the SSH agent, but SSH_AUTH_SOCK is not set");
    return { methods: [{ type: "agent", username, agent: sock }], secrets: [], describe: "the SSH agent" };
  }
  throw fail("the inventory names no credentials for this device");
}

/** At most this many device names in a message; the rest are counted. */
const NAMED = 4;

/** "tower-1, core-1", "all 8 devices", "core-1, fw-1, oob-1, oob-2 and 3 more". */
export function devicesPhrase(names: readonly string[], of: number): string {
  if (names.length === of && of > 2) return `all ${of} devices`;
  const shown = names.slice(0, NAMED).join(", ");
  return names.length > NAMED ? `${shown} and ${names.length - NAMED} more` : shown;
}

/**
 * What authFor would refuse, for every device at once and without connecting: each problem once
 * (one unset variable is one problem however many devices use it), with the devices it affects.
 */
export async function credentialProblems(devices: readonly ResolvedDevice[], env: Env): Promise<string[]> {
  const affected = new Map<string, string[]>();
  for (const device of devices) {
    try {
      await authFor(device, env);
    } catch (err) {
      if (!(err instanceof AuthError)) throw err;
      // The message is worded for one device ("core-1: $X is not set ..."): the name goes.
      const why = err.message.startsWith(`${device.name}: `)
        ? err.message.slice(device.name.length + 2)
        : err.message;
      affected.set(why, [...(affected.get(why) ?? []), device.name]);
    }
  }
  return [...affected].map(([why, names]) => `${why} (needed for ${devicesPhrase(names, devices.length)})`);
}
