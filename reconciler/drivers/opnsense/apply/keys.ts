// `reconciler keys` on OPNsense: a WireGuard instance already in config.xml has its key pair
// there (its public key is read back); for one that git adds, the box generates the pair now into
// /conf/reconciler/keys/<wgN>.key and .pub, root-only (kit/wg-keys.ts), and only the public key is
// returned. The candidate names the new instance's keys by the tokens `@device-key:wgN@` and
// `@device-pubkey:wgN@`, which the commit fills on the box from those files (fill-secrets.ts):
// the private key never leaves it.
import type { KeysCapability } from "../../apply-contract.ts";
import { ensureGeneratedKeys } from "../../kit/wg-keys.ts";
import { opnsenseDriver } from "../driver.ts";
import { OPNSENSE_LAYOUT } from "./layout.ts";

export const KEY_DIR = `${OPNSENSE_LAYOUT.stateDir}/keys`;

/** wg0, wg1, ...: the only names OPNsense gives its WireGuard devices (checked again here). */
export function wgName(name: string): string {
  if (!/^wg[0-9]{1,4}$/.test(name))
    throw new Error(`not an OPNsense WireGuard device name: ${JSON.stringify(name)}`);
  return name;
}

export const opnsenseKeys: KeysCapability = {
  async ensureKeys(session, ctx, interfaces) {
    if (interfaces.length === 0) return {};
    const live = await opnsenseDriver.read(session, ctx.device);
    return await ensureGeneratedKeys(session, ctx, interfaces, {
      keyDir: KEY_DIR,
      known: live.publicKeys,
      checkName: wgName,
    });
  },
};
