// The plan hash shown in pull requests: equal for the same plan, different when the revision, a
// device's live state, its candidate or a change differs; the time it was made does not count.
import { describe, expect, it } from "vitest";
import type { Plan } from "../../reconciler/model/plan.ts";
import { planHash } from "../../reconciler/plan/hash.ts";

const base = (): Plan => ({
  version: 1,
  createdAt: "2026-11-29T00:00:00Z",
  origin: "working tree",
  revision: "a".repeat(40),
  devices: [
    {
      device: "router-a",
      platform: "debian",
      status: "changes",
      fingerprint: "f1",
      candidateFingerprint: "c1",
      changes: [
        { device: "router-a", path: "wireguard[wg-b].mtu", action: "update", before: 1380, after: 1420 },
      ],
      files: [],
      unmanaged: [],
    },
  ],
});

describe("planHash", () => {
  it("is stable, and moves with the revision, the live state, the candidate and the changes", () => {
    const h = planHash(base());
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(planHash({ ...base(), createdAt: "2026-11-30T00:00:00Z" })).toBe(h);
    const variants: ((p: Plan) => void)[] = [
      (p) => (p.revision = "b".repeat(40)),
      (p) => ((p.devices[0] as Plan["devices"][0]).fingerprint = "f2"),
      (p) => ((p.devices[0] as Plan["devices"][0]).candidateFingerprint = "c2"),
      (p) =>
        ((p.devices[0] as Plan["devices"][0]).changes[0] = {
          device: "router-a",
          path: "wireguard[wg-b].mtu",
          action: "update",
          before: 1380,
          after: 1400,
        }),
    ];
    for (const change of variants) {
      const p = base();
      change(p);
      expect(planHash(p)).not.toBe(h);
    }
  });
});
