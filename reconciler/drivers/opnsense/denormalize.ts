// An OPNsense box's live state as a human would write it in desired/ (reconciler import, drift
// adoption): the defaults OPNsense fills in left out (a WireGuard instance's routes, "auto"), and
// each secret the box holds given a variable name of its own (config.xml never names one). Pure.
import type { DeviceIntent } from "../../schema/device.ts";
import type { DenormalizeContext } from "../driver.ts";

export function denormalizeOpnsense(state: DeviceIntent, ctx: DenormalizeContext): DeviceIntent {
  const out = structuredClone(state);
  for (const w of out.wireguard ?? []) {
    if (w.table === "auto") delete w.table;
    for (const p of w.peers) {
      if (p.preshared_key_env)
        p.preshared_key_env = ctx.namer.name(
          p.preshared_key_env,
          `the WireGuard preshared key of peer ${p.public_key} on ${w.name}`,
          ctx.device,
          w.name,
          "psk",
          p.public_key.slice(0, 8),
        );
    }
  }
  for (const inst of out.ospf?.instances ?? [])
    for (const area of inst.areas)
      for (const i of area.interfaces ?? []) {
        const auth = i.authentication;
        if (auth?.password_env)
          auth.password_env = ctx.namer.name(
            auth.password_env,
            `the OSPF key of ${i.name} (area ${area.id})`,
            ctx.device,
            "ospf",
            i.name,
            "key",
          );
      }
  return out;
}
