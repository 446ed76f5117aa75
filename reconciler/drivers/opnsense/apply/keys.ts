// `reconciler keys` on OPNsense: a WireGuard instance already in config.xml has its key pair
// there (its public key is read back); for one that git adds, the box generates the private key
// now (`wg genkey`, into /conf/reconciler/keys/<wgN>.key, root-only) and only the public key is
// returned. The candidate names the new instance's keys by the tokens `@device-key:wgN@` and
// `@device-pubkey:wgN@`, which the commit fills on the box from those files (fill-secrets.ts):
// the private key never leaves it.
import { CommandError } from "../../../model/errors.ts";
import { shQuote as q } from "../../../transport/quote.ts";
import type { KeysCapability } from "../../apply-contract.ts";
import { PATH_LINE } from "../../kit/layout.ts";
import { details, runStep, unexpected } from "../../kit/step.ts";
import { opnsenseDriver } from "../driver.ts";
import { OPNSENSE_LAYOUT } from "./layout.ts";

export const KEY_DIR = `${OPNSENSE_LAYOUT.stateDir}/keys`;
const PUBLIC_KEY = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw480]=$/;

/** wg0, wg1, ...: the only names OPNsense gives its WireGuard devices (checked again here). */
export function wgName(name: string): string {
  if (!/^wg[0-9]{1,4}$/.test(name))
    throw new Error(`not an OPNsense WireGuard device name: ${JSON.stringify(name)}`);
  return name;
}

export function generateKeysScript(names: readonly string[]): string {
  const d = q(KEY_DIR);
  const L = [PATH_LINE, "umask 077", `mkdir -p ${d} && chmod 700 ${d} || exit 2`];
  for (const n of names.map(wgName))
    L.push(
      `[ -s ${d}/${n}.key ] || { wg genkey > ${d}/${n}.key.tmp && mv ${d}/${n}.key.tmp ${d}/${n}.key; } || exit 3`,
      `wg pubkey < ${d}/${n}.key > ${d}/${n}.pub || exit 3`,
      `printf '%s\\t%s\\n' ${n} "$(cat ${d}/${n}.pub)"`,
    );
  L.push("");
  return L.join("\n");
}

export const opnsenseKeys: KeysCapability = {
  async ensureKeys(session, ctx, interfaces) {
    if (interfaces.length === 0) return {};
    const live = await opnsenseDriver.read(session, ctx.device);
    const keys: Record<string, string> = {};
    const missing: string[] = [];
    for (const i of interfaces) {
      const k = live.publicKeys[i];
      if (k && PUBLIC_KEY.test(k)) keys[i] = k;
      else missing.push(wgName(i));
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
