// --shard K/N: the split by site, joined along links and via chains, balanced, and stable.
import { describe, expect, it } from "vitest";
import type { ResolvedDevice } from "../../reconciler/model/repo.ts";
import {
  parseShard,
  ShardError,
  shardDevices,
  shardGroups,
  splitShards,
} from "../../reconciler/model/shard.ts";
import { testDevice } from "../helpers/device.ts";

const at = (name: string, site?: string, via?: string): ResolvedDevice =>
  testDevice(name, { labels: site ? { site } : {}, ...(via ? { via } : {}) });
const link = (a: string, b: string) => ({ ends: [{ device: a }, { device: b }] });

const fleet = [
  at("a-1", "pop-a"),
  at("a-2", "pop-a"),
  at("a-3", "pop-a"),
  at("b-1", "pop-b"),
  at("b-2", "pop-b"),
  at("c-1", "pop-c"),
  at("c-2", "pop-c"),
  at("lonely"),
];

describe("parseShard", () => {
  it("reads K/N", () => {
    expect(parseShard("1/4")).toEqual({ index: 1, count: 4 });
    expect(parseShard("4/4")).toEqual({ index: 4, count: 4 });
  });
  it.each([
    ["0/4", /K must be from 1 to N \(4\), not 0/],
    ["5/4", /K must be from 1 to N \(4\), not 5/],
    ["1/0", /N must be from 1 to 256, not 0/],
    ["1/999", /N must be from 1 to 256, not 999/],
    ["1", /expected K\/N/],
    ["a/b", /expected K\/N/],
    ["-1/4", /expected K\/N/],
    ["1/4/2", /expected K\/N/],
  ])("refuses %s with a clear error", (text, message) => {
    expect(() => parseShard(text)).toThrow(ShardError);
    expect(() => parseShard(text)).toThrow(message);
  });
});

describe("shardGroups", () => {
  it("groups by site; a device without a site is a group of its own", () => {
    expect(shardGroups(fleet, [])).toEqual([
      { name: "lonely", devices: ["lonely"] },
      { name: "pop-a", devices: ["a-1", "a-2", "a-3"] },
      { name: "pop-b", devices: ["b-1", "b-2"] },
      { name: "pop-c", devices: ["c-1", "c-2"] },
    ]);
  });
  it("joins the sites a link connects, and a device with its jump host", () => {
    const groups = shardGroups(fleet, [link("b-2", "c-1")]);
    expect(groups.map((g) => g.devices)).toContainEqual(["b-1", "b-2", "c-1", "c-2"]);
    const viaFleet = [...fleet.filter((d) => d.name !== "lonely"), at("lonely", undefined, "a-2")];
    expect(shardGroups(viaFleet, []).map((g) => g.devices)).toContainEqual(["a-1", "a-2", "a-3", "lonely"]);
  });
  it("follows a via chain through devices of several sites", () => {
    const chain = [at("x", "s1"), at("y", "s2", "x"), at("z", "s3", "y"), at("w", "s4")];
    expect(shardGroups(chain, []).map((g) => g.devices)).toEqual([["x", "y", "z"], ["w"]]);
  });
  it("ignores a link end the inventory does not hold (validate reports it)", () => {
    expect(shardGroups(fleet, [link("a-1", "ghost")])).toEqual(shardGroups(fleet, []));
  });
});

describe("splitShards", () => {
  it("is deterministic: the same input, in any order, splits the same", () => {
    const links = [link("a-1", "lonely")];
    const once = splitShards(fleet, links, 3);
    expect(splitShards([...fleet].reverse(), [...links], 3)).toEqual(once);
    expect(once.shards).toEqual([
      ["a-1", "a-2", "a-3", "lonely"],
      ["b-1", "b-2"],
      ["c-1", "c-2"],
    ]);
  });

  it("balances by device count, largest group first to the least loaded shard", () => {
    const big = [
      ...["1", "2", "3", "4", "5"].map((n) => at(`p-${n}`, "p")),
      ...["1", "2", "3"].map((n) => at(`q-${n}`, "q")),
      ...["1", "2", "3"].map((n) => at(`r-${n}`, "r")),
      ...["1", "2"].map((n) => at(`s-${n}`, "s")),
    ];
    const sizes = splitShards(big, [], 2).shards.map((s) => s.length);
    // p (5) → 1; q (3) → 2; r (3) → 2 (3 < 5); s (2) → 1 (5 < 6): 7 and 6.
    expect(sizes).toEqual([7, 6]);
    expect(splitShards(big, [], 2).shards[0]).toEqual(["p-1", "p-2", "p-3", "p-4", "p-5", "s-1", "s-2"]);
  });

  it("never splits a link or a via pair, whatever N", () => {
    const links = [link("a-3", "b-1"), link("c-2", "lonely")];
    for (let n = 1; n <= 6; n++) {
      const { shards } = splitShards(fleet, links, n);
      const shardOf = (d: string) => shards.findIndex((s) => s.includes(d));
      expect(shardOf("a-3")).toBe(shardOf("b-1"));
      expect(shardOf("c-2")).toBe(shardOf("lonely"));
      expect(shards.flat().sort()).toEqual(fleet.map((d) => d.name).sort());
    }
  });

  it("adding a new site's device moves no other group", () => {
    const before = splitShards(fleet, [], 3).shards;
    const after = splitShards([...fleet, at("z-1", "pop-z")], [], 3).shards;
    for (const [i, s] of before.entries()) expect(after[i]?.filter((d) => d !== "z-1")).toEqual(s);
    expect(after.flat()).toContain("z-1");
  });

  it("leaves shards empty when N exceeds the groups, and says which", () => {
    const { shards } = splitShards(fleet, [], 6);
    expect(shards.filter((s) => s.length === 0)).toHaveLength(2);
    expect(shards.slice(4)).toEqual([[], []]);
  });

  it("refuses a number of shards out of range", () => {
    expect(() => splitShards(fleet, [], 0)).toThrow(/from 1 to 256, not 0/);
  });
});

describe("shardDevices", () => {
  it("keeps the input's order and the union of all shards is the fleet", () => {
    const parts = [1, 2, 3].map((index) => shardDevices(fleet, [], { index, count: 3 }).map((d) => d.name));
    expect(parts[0]).toEqual(["a-1", "a-2", "a-3"]);
    expect(parts.flat().sort()).toEqual(fleet.map((d) => d.name).sort());
  });
});
