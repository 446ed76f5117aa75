// The inventory's rollout section: a canary selector that matches no device is almost always a
// typo, and would silently leave the rollout without canaries. A warning, not an error: a canary
// device may be removed from the inventory before its selector is.
import type { Diagnostic } from "../../model/diagnostic.ts";
import type { ResolvedDevice } from "../../model/repo.ts";
import { SelectorError, selectDevices } from "../../model/select.ts";
import type { RolloutSection } from "../../schema/inventory.ts";
import { diagnosticAt, type SourceFile } from "../source.ts";

export function checkRollout(
  rollout: RolloutSection | undefined,
  devices: Readonly<Record<string, ResolvedDevice>>,
  source: SourceFile,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  (rollout?.canary ?? []).forEach((term, i) => {
    try {
      selectDevices(Object.values(devices), term);
    } catch (err) {
      if (!(err instanceof SelectorError)) throw err;
      out.push(
        diagnosticAt(source, ["rollout", "canary", i], {
          severity: "warning",
          message: `the canary selector ${JSON.stringify(term)} matches no device`,
          value: term,
          expected: "a device name glob or a label selector matching a device of the inventory",
        }),
      );
    }
  });
  return out;
}
