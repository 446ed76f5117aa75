// --limit: names, globs, labels, groups and !exclusions over a small inventory.
import { describe, expect, it } from "vitest";
import { parseLimit, SelectorError, selectDevices } from "../../reconciler/model/select.ts";
import { testDevice } from "../helpers/device.ts";

const fleet = [
  testDevice("core-1", { groups: ["core"], labels: { site: "pop-1", role: "router" } }),
  testDevice("core-2", { groups: ["core"], labels: { site: "pop-2", role: "router" } }),
  testDevice("tower-1", { groups: ["towers", "radio"], labels: { site: "pop-1" } }),
  testDevice("tower-2", { groups: ["towers", "radio"], labels: { site: "pop-2" } }),
  testDevice("fw-1", { labels: { site: "pop-1", role: "firewall" } }),
];
const names = (limit: string | undefined) => selectDevices(fleet, limit).map((d) => d.name);

describe("selectDevices", () => {
  it("selects everything without a limit", () => {
    expect(names(undefined)).toEqual(["core-1", "core-2", "tower-1", "tower-2", "fw-1"]);
    expect(names("")).toHaveLength(5);
  });

  it("selects a device by its exact name, in inventory order", () => {
    expect(names("fw-1,core-2")).toEqual(["core-2", "fw-1"]);
  });

  it("selects by glob over device names", () => {
    expect(names("core-*")).toEqual(["core-1", "core-2"]);
    expect(names("tower-?")).toEqual(["tower-1", "tower-2"]);
  });

  it("selects by label, the value possibly a glob", () => {
    expect(names("site=pop-1")).toEqual(["core-1", "tower-1", "fw-1"]);
    expect(names("role=fire*")).toEqual(["fw-1"]);
  });

  it("selects every device of a group by the group's name", () => {
    expect(names("towers")).toEqual(["tower-1", "tower-2"]);
    expect(names("core,fw-1")).toEqual(["core-1", "core-2", "fw-1"]);
  });

  it("applies exclusions after inclusions, whatever their order", () => {
    expect(names("!core-2,core")).toEqual(["core-1"]);
    expect(names("site=pop-1,!towers")).toEqual(["core-1", "fw-1"]);
    expect(names("radio,!site=pop-2")).toEqual(["tower-1"]);
  });

  it("starts from the whole inventory when there are only exclusions", () => {
    expect(names("!core,!fw-*")).toEqual(["tower-1", "tower-2"]);
  });

  it("refuses a name that is neither a device nor a group, listing what exists", () => {
    const err = (() => {
      try {
        names("core-3,!towres");
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(SelectorError);
    expect(err?.message).toContain('"core-3", "towres"');
    expect(err?.message).toContain("devices: core-1, core-2, fw-1, tower-1, tower-2");
    expect(err?.message).toContain("groups: core, radio, towers");
  });

  it("ignores unknown names when asked (canaries removed before their selector)", () => {
    expect(selectDevices(fleet, "core-9,fw-1", { unknownNames: "ignore" }).map((d) => d.name)).toEqual([
      "fw-1",
    ]);
  });

  it("fails when the selection is empty", () => {
    expect(() => names("edge-*")).toThrow(/matches no device/);
    expect(() => names("core,!role=router")).toThrow(/matches no device/);
    expect(() => names("core-*,!core-?")).toThrow(/matches no device/);
  });

  it("refuses malformed terms", () => {
    for (const bad of ["", "core-1,", "a b", "!", "!!core", "site=", "=x", "core/1", "Site=x"])
      expect(() => parseLimit(bad), bad).toThrow(SelectorError);
  });

  it("reads the kind of each term", () => {
    expect(parseLimit("core,core-*,!site=pop-1").map((t) => [t.kind, t.exclude])).toEqual([
      ["name", false],
      ["glob", false],
      ["label", true],
    ]);
  });
});
