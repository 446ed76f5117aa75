// The fleet order: exact waves for links, via chains, canaries and batches.
import { describe, expect, it } from "vitest";
import type { ResolvedDevice } from "../../../reconciler/model/repo.ts";
import { batchSize, OrderError, orderWaves, type Wave } from "../../../reconciler/rollout/waves.ts";
import { testDevice } from "../../helpers/device.ts";

/** An inventory from name -> via (or "" for a device reached directly), with optional labels. */
function inventory(
  spec: Record<string, string>,
  labels: Record<string, Record<string, string>> = {},
): Record<string, ResolvedDevice> {
  return Object.fromEntries(
    Object.entries(spec).map(([name, via]) => [
      name,
      testDevice(name, { labels: labels[name] ?? {}, ...(via ? { via } : {}) }),
    ]),
  );
}

const devicesOf = (waves: Wave[]) => waves.map((w) => w.devices);

describe("orderWaves", () => {
  it("changes a via chain farthest first: c (through b, through a), then b, then a", () => {
    const devices = inventory({ a: "", b: "a", c: "b" });
    expect(devicesOf(orderWaves({ changed: ["a", "b", "c"], devices, links: [] }))).toEqual([
      ["c"],
      ["b"],
      ["a"],
    ]);
  });

  it("follows the chain through a device that does not change", () => {
    const devices = inventory({ a: "", b: "a", c: "b" });
    expect(devicesOf(orderWaves({ changed: ["a", "c"], devices, links: [] }))).toEqual([["c"], ["a"]]);
  });

  it("puts both ends of every changed link in one wave, and only changed ends count", () => {
    const devices = inventory({ w: "", x: "", y: "", z: "", q: "" });
    const links = [
      ["x", "y"],
      ["z", "y"],
      ["w", "q"],
    ] as const;
    expect(devicesOf(orderWaves({ changed: ["z", "x", "y", "w"], devices, links, batch: 1 }))).toEqual([
      ["w"],
      ["x", "y", "z"],
    ]);
  });

  it("orders a topology: links, a tower reached through a hub, CPEs through the tower", () => {
    const devices = inventory({
      hub: "",
      tower: "hub",
      "cpe-1": "tower",
      "cpe-2": "tower",
      "core-1": "",
      "core-2": "",
      edge: "",
    });
    const links = [
      ["core-1", "core-2"],
      ["core-2", "hub"],
      ["cpe-1", "cpe-2"],
    ] as const;
    const changed = ["hub", "tower", "cpe-1", "cpe-2", "core-1", "core-2", "edge"];
    expect(devicesOf(orderWaves({ changed, devices, links }))).toEqual([
      ["cpe-1", "cpe-2", "edge"],
      ["tower"],
      ["core-1", "core-2", "hub"],
    ]);
  });

  it("puts a link between a device and the one it is reached through in one wave, committed farthest first", () => {
    const devices = inventory({ a: "", b: "a", c: "" });
    const waves = orderWaves({ changed: ["a", "b", "c"], devices, links: [["a", "b"]] });
    expect(waves).toEqual([{ devices: ["a", "b", "c"], canary: false, commitOrder: [["b"], ["a", "c"]] }]);
    // Only one of them changing is fine, with no order to keep.
    expect(orderWaves({ changed: ["b"], devices, links: [["a", "b"]] })).toEqual([
      { devices: ["b"], canary: false },
    ]);
  });

  it("puts canaries first, with the devices reached through them before them", () => {
    const devices = inventory({ a: "", b: "a", c: "b", d: "", e: "", f: "" }, { e: { role: "canary" } });
    const waves = orderWaves({
      changed: ["a", "b", "c", "d", "e", "f"],
      devices,
      links: [],
      canary: ["b", "role=canary"],
      batch: 2,
    });
    expect(waves).toEqual([
      { devices: ["c", "e"], canary: true },
      { devices: ["b"], canary: true },
      { devices: ["a", "d"], canary: false },
      { devices: ["f"], canary: false },
    ]);
  });

  it("takes a canary's link partner into the canary wave; a selector matching nothing gives no canary", () => {
    const devices = inventory({ a: "", b: "", c: "" });
    expect(
      orderWaves({ changed: ["a", "b", "c"], devices, links: [["b", "c"]], canary: ["c", "nothing-*"] }),
    ).toEqual([
      { devices: ["b", "c"], canary: true },
      { devices: ["a"], canary: false },
    ]);
  });

  it("batches by count and by percentage of the devices to change", () => {
    const devices = inventory({ a: "", b: "", c: "", d: "", e: "" });
    const changed = ["e", "d", "c", "b", "a"];
    expect(devicesOf(orderWaves({ changed, devices, links: [], batch: 2 }))).toEqual([
      ["a", "b"],
      ["c", "d"],
      ["e"],
    ]);
    expect(devicesOf(orderWaves({ changed, devices, links: [], batch: "40%" }))).toEqual([
      ["a", "b"],
      ["c", "d"],
      ["e"],
    ]);
    expect(devicesOf(orderWaves({ changed, devices, links: [], batch: "50%" }))).toEqual([
      ["a", "b", "c"],
      ["d", "e"],
    ]);
    expect(devicesOf(orderWaves({ changed, devices, links: [] }))).toEqual([["a", "b", "c", "d", "e"]]);
  });

  it("computes batch sizes and refuses nonsense", () => {
    expect(batchSize("25%", 10)).toBe(3);
    expect(batchSize("1%", 10)).toBe(1);
    expect(batchSize(4, 10)).toBe(4);
    expect(batchSize(undefined, 10)).toBe(Number.POSITIVE_INFINITY);
    for (const bad of [0, 2.5, "0%", "101%", "ten"]) expect(() => batchSize(bad, 10)).toThrow(OrderError);
  });

  it("is deterministic whatever the order of its input", () => {
    const devices = inventory({ hub: "", tower: "hub", x: "", y: "", z: "" });
    const one = orderWaves({
      changed: ["z", "tower", "hub", "y", "x"],
      devices,
      links: [["y", "x"]],
      batch: 2,
    });
    const two = orderWaves({
      changed: ["x", "y", "hub", "z", "tower"],
      devices,
      links: [["x", "y"]],
      batch: 2,
    });
    expect(one).toEqual(two);
    // First fit: z fills the first wave beside tower; the link group x-y waits for a wave it fits.
    expect(devicesOf(one)).toEqual([["tower", "z"], ["hub"], ["x", "y"]]);
  });
});
