// `reconciler keys` on RouterOS: each WireGuard interface the intent names is added on the device
// when missing, without a private key, so that RouterOS generates one there (it never leaves the
// device); only the public key is read back. The interface is added as the plan would add it
// (port, MTU, marked comment), so the next plan has nothing left to say about it.
import { CommandError } from "../../model/errors.ts";
import type { KeysCapability } from "../apply-contract.ts";
import { details, exists, must } from "./console.ts";
import { findWhere, formatProperties, quoteValue } from "./quote.ts";
import { MENU, markedComment } from "./vocabulary.ts";

/** A Curve25519 public key as WireGuard prints it (32 bytes in base64). */
const PUBLIC_KEY = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw480]=$/;

export const routerosKeys: KeysCapability = {
  addsInterfaces: true,
  async ensureKeys(session, ctx, interfaces) {
    const keys: Record<string, string> = {};
    for (const name of interfaces) {
      if (!(await exists(session, MENU.wireguard, name, "ensure keys"))) {
        const w = ctx.intent.wireguard?.find((x) => x.name === name);
        const props: [string, string | number][] = [["name", name]];
        if (w?.listen_port !== undefined) props.push(["listen-port", w.listen_port]);
        if (w?.mtu !== undefined) props.push(["mtu", w.mtu]);
        props.push(["comment", markedComment(w?.description)]);
        await must(session, ctx, `${MENU.wireguard} add ${formatProperties(props)}`, "ensure keys");
      }
      // The marker keeps the key apart from anything else the console prints (a banner, a warning).
      const r = await must(
        session,
        ctx,
        `:put ("@@key " . [${MENU.wireguard} get ${findWhere([["name", name]])} public-key])`,
        "ensure keys",
      );
      const key = /@@key (\S{1,100})/.exec(r.out)?.[1] ?? "";
      if (!PUBLIC_KEY.test(key))
        throw new CommandError(
          `ensure keys: the device gave no WireGuard public key for ${quoteValue(name)}`,
          details(ctx, "ensure keys", r.out.slice(0, 500)),
          1,
        );
      keys[name] = key;
    }
    return keys;
  },
};
