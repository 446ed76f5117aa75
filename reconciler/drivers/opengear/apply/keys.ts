// `reconciler keys` on an Opengear: the box generates each WireGuard private key itself (`wg
// genkey`, into /etc/config/reconciler/keys/<name>.key, root-only) and only the public key comes
// back. A tunnel the store already has keeps its key (its public key is read back). The candidate
// names a new tunnel's private key by the token `@device-key:NAME@`, which the stage fills on the
// box from that file (scripts.ts fill_keys): the private key never leaves it.
import { CommandError } from "../../../model/errors.ts";
import { shQuote as q } from "../../../transport/quote.ts";
import type { KeysCapability } from "../../apply-contract.ts";
import { PATH_LINE } from "../../kit/layout.ts";
import { details, runStep, unexpected } from "../../kit/step.ts";
import { readOpengear } from "../read.ts";
import { KEY_DIR } from "./layout.ts";

const PUBLIC_KEY = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw480]=$/;

export function keyName(name: string): string {
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(name) || name.startsWith("."))
    throw new Error(`not a WireGuard interface name: ${JSON.stringify(name)}`);
  return name;
}

export function generateKeysScript(names: readonly string[]): string {
  const d = q(KEY_DIR);
  const L = [PATH_LINE, "umask 077", `mkdir -p ${d} && chmod 700 ${d} || exit 2`];
  for (const n of names.map(keyName)) {
    const k = q(`${KEY_DIR}/${n}.key`);
    L.push(
      `[ -s ${k} ] || { wg genkey > ${k}.tmp && mv ${k}.tmp ${k}; } || exit 3`,
      `printf '%s\\t%s\\n' ${q(n)} "$(wg pubkey < ${k})"`,
    );
  }
  L.push("");
  return L.join("\n");
}

export const opengearKeys: KeysCapability = {
  async ensureKeys(session, ctx, interfaces) {
    if (interfaces.length === 0) return {};
    const live = await readOpengear(session, ctx.device);
    const keys: Record<string, string> = {};
    const missing: string[] = [];
    for (const i of interfaces) {
      const k = live.publicKeys[i];
      if (k && PUBLIC_KEY.test(k)) keys[i] = k;
      else missing.push(keyName(i));
    }
    if (missing.length === 0) return keys;
    const r = await runStep(session, "ensure keys", generateKeysScript(missing));
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
  },
};
