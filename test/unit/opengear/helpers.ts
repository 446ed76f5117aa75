// Shared by the Opengear tests: the fixture export, the example's desired state of oob-1, and a
// tiny applier that replays planned ogcli commands onto the parsed store (each command is itself
// an export stanza), so that "apply, then plan again" can be checked without a device.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { type Entity, entitiesOf, entityKey } from "../../../reconciler/drivers/opengear/live-state.ts";
import { parseExport } from "../../../reconciler/drivers/opengear/ogcli-format.ts";
import type { PlannedCommand } from "../../../reconciler/model/live.ts";
import type { DeviceIntent } from "../../../reconciler/schema/device.ts";

export const fixture = (name: string) => readFileSync(join(import.meta.dirname, "fixtures", name), "utf8");

export const oob1 = (): DeviceIntent =>
  parse(readFileSync(join(import.meta.dirname, "../../../desired/oob-1.yaml"), "utf8")) as DeviceIntent;

/** The store after the commands, as ogcli would hold it (update merges fields, create adds). */
export function replay(
  entities: Map<string, Entity>,
  commands: readonly PlannedCommand[],
): Map<string, Entity> {
  const out = new Map([...entities].map(([k, e]) => [k, { ...e, fields: new Map(e.fields) }]));
  for (const c of commands) {
    if (!c.line.startsWith("ogcli ")) continue;
    for (const s of parseExport(c.line)) {
      if (s.verb === "update" && s.id !== undefined) {
        // `update user "netops"` names the entity by its id: find it whatever its key.
        const e = [...out.values()].find(
          (x) => x.path === s.path && (x.id === s.id || x.key === `${s.path} ${s.id}`),
        );
        if (e) {
          for (const f of s.fields) {
            // An array given again replaces the old items.
            const base = f.key.replace(/\[\d+\]$/, "");
            if (base !== f.key)
              for (const k of [...e.fields.keys()])
                if (k.startsWith(`${base}[`) && !s.fields.some((x) => x.key === k)) e.fields.delete(k);
            e.fields.set(f.key, f.value);
          }
          continue;
        }
      }
      const key = entityKey(s);
      const e = out.get(key);
      if (e) for (const f of s.fields) e.fields.set(f.key, f.value);
      else for (const [k, v] of entitiesOf([s])) out.set(k, v);
    }
  }
  return out;
}
