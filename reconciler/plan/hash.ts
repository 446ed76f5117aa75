// The plan's hash: what a reviewer approved, in a few hex digits. It covers the revision, and for
// every device its status, the live state it was read in (fingerprint), the candidate it would
// get and the changes: the same plan made twice hashes the same, a plan made against another
// revision or another device state does not. Shown in the pull request next to the head commit.
import { createHash } from "node:crypto";
import type { Plan } from "../model/plan.ts";

export function planHash(plan: Plan): string {
  const canonical = {
    revision: plan.revision ?? null,
    devices: plan.devices.map((d) => ({
      device: d.device,
      status: d.status,
      fingerprint: d.fingerprint ?? null,
      candidate: d.candidateFingerprint ?? null,
      changes: d.changes.map((c) => [c.path, c.action, c.before ?? null, c.after ?? null]),
    })),
  };
  return createHash("sha256").update(JSON.stringify(canonical)).digest("hex");
}
