// A platform's raw escape hatches are compared as its descriptor says: OPNsense values by path,
// Opengear entities by name, RouterOS lines in the order written.
import { describe, expect, it } from "vitest";
import { DESCRIPTORS } from "../../reconciler/drivers/descriptors.ts";
import { diffStates } from "../../reconciler/plan/diff.ts";
import { rawListRules } from "../../reconciler/plan/keys.ts";

const lists = (platform: keyof typeof DESCRIPTORS) => rawListRules(DESCRIPTORS[platform].raw);

describe("raw lists", () => {
  it("derives the list rules of each platform from its descriptor", () => {
    expect(lists("opnsense")).toEqual({ keys: { "raw.opnsense": "path" }, ordered: [] });
    // The Opengear driver applies no raw entity yet: it declares none.
    expect(lists("opengear")).toEqual({ keys: {}, ordered: [] });
    expect(lists("routeros")).toEqual({ keys: {}, ordered: ["raw.routeros"] });
    expect(lists("debian")).toEqual({ keys: {}, ordered: [] });
  });

  it("OPNsense: one changed value is one change at its path, not the whole list", () => {
    const item = (path: string, value: string) => ({ path, value });
    const desired = { raw: { opnsense: [item("system/timezone", "UTC"), item("system/hostname", "fw-1")] } };
    const live = { raw: { opnsense: [item("system/hostname", "fw-1"), item("system/timezone", "CET")] } };
    expect(diffStates(desired, live, { device: "fw-1", lists: lists("opnsense") }).changes).toEqual([
      {
        device: "fw-1",
        path: "raw.opnsense[system/timezone].value",
        action: "update",
        before: "CET",
        after: "UTC",
      },
    ]);
  });

  it("RouterOS: the same lines in another order are a change (a later line may use an earlier one)", () => {
    const desired = { raw: { routeros: ["/ip pool add name=p", "/ip dhcp-server add address-pool=p"] } };
    const live = { raw: { routeros: [...desired.raw.routeros].reverse() } };
    expect(diffStates(desired, live, { device: "tower-1", lists: lists("routeros") }).changes).toEqual([
      {
        device: "tower-1",
        path: "raw.routeros",
        action: "update",
        before: live.raw.routeros,
        after: desired.raw.routeros,
      },
    ]);
    // Without the descriptor's rule the lines would be a set, and the reordering invisible.
    expect(diffStates(desired, live, { device: "tower-1" }).changes).toEqual([]);
  });
});
