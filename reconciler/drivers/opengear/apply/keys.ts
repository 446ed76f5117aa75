// `reconciler keys` on an Opengear: the box generates each WireGuard private key itself (`wg
// genkey`, into /etc/config/reconciler/keys/<name>.key, root-only) and only the public key comes
// back (kit/wg-keys.ts). A tunnel the store already has keeps its key (its public key is read
// back). The candidate names a new tunnel's private key by the token `@device-key:NAME@`, which
// the stage fills on the box from that file (scripts.ts fill_keys): the private key never leaves it.
import type { KeysCapability } from "../../apply-contract.ts";
import { ensureGeneratedKeys } from "../../kit/wg-keys.ts";
import { readOpengear } from "../read.ts";
import { KEY_DIR } from "./layout.ts";

export function keyName(name: string): string {
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(name) || name.startsWith("."))
    throw new Error(`not a WireGuard interface name: ${JSON.stringify(name)}`);
  return name;
}

export const opengearKeys: KeysCapability = {
  async ensureKeys(session, ctx, interfaces) {
    if (interfaces.length === 0) return {};
    const live = await readOpengear(session, ctx.device);
    return await ensureGeneratedKeys(session, ctx, interfaces, {
      keyDir: KEY_DIR,
      known: live.publicKeys,
      checkName: keyName,
    });
  },
};
