// WireGuard keys generated on a POSIX-like box that keeps them in files before its configuration
// names them (OPNsense, Opengear): a WireGuard interface the box already has keeps its key (its
// public key is read back from the box's state); for a new one the box runs `wg genkey` into
// KEYDIR/<name>.key (root-only) and `wg pubkey` into KEYDIR/<name>.pub, and only the public key
// comes back. The candidate names the pair by tokens the box fills from those files.
import { CommandError } from "../../model/errors.ts";
import { shQuote as q } from "../../transport/quote.ts";
import type { PosixSession } from "../../transport/session.ts";
import type { ApplyContext } from "../apply-contract.ts";
import { PATH_LINE } from "./layout.ts";
import { details, runStep, unexpected } from "./step.ts";

/** A Curve25519 public key as WireGuard prints it (32 bytes in base64). */
export const PUBLIC_KEY = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw480]=$/;

export function generateKeysScript(keyDir: string, names: readonly string[]): string {
  const d = q(keyDir);
  const L = [PATH_LINE, "umask 077", `mkdir -p ${d} && chmod 700 ${d} || exit 2`];
  for (const n of names) {
    const k = q(`${keyDir}/${n}.key`);
    const p = q(`${keyDir}/${n}.pub`);
    L.push(
      `[ -s ${k} ] || { wg genkey > ${k}.tmp && mv ${k}.tmp ${k}; } || exit 3`,
      `wg pubkey < ${k} > ${p} || exit 3`,
      `printf '%s\\t%s\\n' ${q(n)} "$(cat ${p})"`,
    );
  }
  L.push("");
  return L.join("\n");
}

/**
 * The public keys of `interfaces`: those the box's configuration already holds (`known`), the
 * others generated on the box. `checkName` refuses a name that cannot be a file name there.
 */
export async function ensureGeneratedKeys(
  session: PosixSession,
  ctx: ApplyContext,
  interfaces: readonly string[],
  opts: { keyDir: string; known: Readonly<Record<string, string>>; checkName: (name: string) => string },
): Promise<Record<string, string>> {
  const keys: Record<string, string> = {};
  const missing: string[] = [];
  for (const i of interfaces) {
    const k = opts.known[i];
    if (k && PUBLIC_KEY.test(k)) keys[i] = k;
    else missing.push(opts.checkName(i));
  }
  if (missing.length === 0) return keys;
  const r = await runStep(session, "ensure keys", generateKeysScript(opts.keyDir, missing));
  if (r.exitCode !== 0) throw unexpected(ctx, "ensure keys", r);
  for (const line of r.stdout.split("\n")) {
    const [name, key] = line.split("\t");
    if (name && key && missing.includes(name) && PUBLIC_KEY.test(key)) keys[name] = key;
  }
  for (const i of missing)
    if (!keys[i])
      throw new CommandError(
        `ensure keys: no public key for ${i}`,
        details(ctx, "ensure keys", r.all),
        r.exitCode,
      );
  return keys;
}
