// Hostile values through the RouterOS apply half, on the simulator over real SSH: descriptions
// carrying ", $, \, ;, [ ], { } and newlines reach the device as text, quoted by RouterOS's own
// rules, with no side effect (the device afterwards has exactly the intended items, its identity
// and its other menus untouched), and the undo script built from them restores the state before.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyWave } from "../../../reconciler/apply/executor.ts";
import type { ApplyContext } from "../../../reconciler/drivers/apply-contract.ts";
import { routerosApply } from "../../../reconciler/drivers/routeros/apply.ts";
import { routerosDriver } from "../../../reconciler/drivers/routeros/driver.ts";
import { UNDO_PART_CHARS } from "../../../reconciler/drivers/routeros/undo.ts";
import { CandidateRejectedError } from "../../../reconciler/model/errors.ts";
import type { ResolvedDevice } from "../../../reconciler/model/repo.ts";
import type { DeviceIntent } from "../../../reconciler/schema/device.ts";
import { StateStore } from "../../../reconciler/state/store.ts";
import { type SimTower, startSimTower } from "../../sim/routeros/harness.ts";
import type { RouterOsSsh } from "../../sim/routeros/ssh-server.ts";

let tower: SimTower;
let sim: RouterOsSsh;
let device: ResolvedDevice;

beforeAll(async () => {
  tower = await startSimTower();
  ({ sim, device } = tower);
});

afterAll(async () => {
  await tower?.close();
});

const transport = () => tower.transport();

/** Every value an attacker would try on a RouterOS command line. */
const HOSTILE = [
  'a "quoted" word',
  "$identity and $(:put x) and \\$escaped",
  "back\\slash at the end\\",
  "semi; /system identity set name=pwned; ",
  "[/system identity set name=pwned]",
  "{ /system reboot }",
  "line one\n/system identity set name=pwned\nline three",
  '"; /ip address add address=10.66.66.66/32 interface=ether2; :put "',
  "tab\there, cr\rthere, ünïcödé, ? and #comment",
];

async function applyIntent(intent: DeviceIntent, env: Record<string, string> = {}) {
  const t = transport();
  const state = mkdtempSync(join(tmpdir(), "ros-apply-state-"));
  try {
    const live = await routerosDriver.read(await t.session("tower-1"), device);
    const [outcome] = await applyWave(
      [
        {
          device,
          intent,
          candidate: routerosDriver.candidate(intent, device, live),
          live,
          probes: [],
          publicKeys: {},
        },
      ],
      {
        runId: `hostile-${Date.now().toString(36)}`,
        transport: t,
        drivers: { routeros: routerosApply },
        store: new StateStore(state),
        env,
        confirmTimeoutS: 60,
        healthTimeoutS: 5,
        pollIntervalMs: 100,
      },
    );
    return outcome;
  } finally {
    await t.closeAll();
    rmSync(state, { recursive: true, force: true });
  }
}

/** What the simulator holds, menu by menu (its own store, not the driver's reading of it). */
function simState() {
  const menus = sim.router.engine.store.data.menus;
  const out: Record<string, Record<string, string>[]> = {};
  for (const [path, items] of Object.entries(menus))
    if (path !== "file") out[path] = items.map((i) => ({ ...i.values }));
  return out;
}

/** RouterOS keeps bytes: a non-ASCII character goes out as its UTF-8 bytes (\\HH) and is stored as them. */
const stored = (text: string) => Buffer.from(text, "utf8").toString("latin1");

const comments = (path: string) => (simState()[path] ?? []).map((v) => v.comment ?? "");

describe("hostile values on the simulator", () => {
  it("reach the device as text: exactly the intended items, nothing else ran", async () => {
    const intent: DeviceIntent = {
      interfaces: [
        { name: "ether1", kind: "ethernet", description: HOSTILE[0], addresses: ["192.0.2.1/24"] },
        ...HOSTILE.slice(1).map((d, n) => ({
          name: `br-h${n}`,
          kind: "dummy" as const,
          description: d,
        })),
      ],
      static_routes: HOSTILE.map((d, n) => ({
        prefix: `203.0.113.${n * 8}/29`,
        via: "192.0.2.254",
        description: d,
      })),
    };
    const before = simState();
    const outcome = await applyIntent(intent);
    expect(outcome?.result).toBe("confirmed");
    const after = simState();
    // Nothing else changed: the identity, the scheduler and scripts (of the run's own, only its
    // restore point is left, the undo of exactly what it sent).
    expect(after["system identity"]).toEqual(before["system identity"]);
    expect(after["system scheduler"]).toEqual([]);
    expect((after["system script"] ?? []).map((x) => x.name)).toEqual([
      expect.stringMatching(/^reconciler-restore-/),
    ]);
    expect(sim.router.reboots).toBe(0);
    // Exactly the intended addresses (no 10.66.66.66 smuggled in) and routes, with their comments verbatim.
    expect((after["ip address"] ?? []).map((a) => `${a.address} ${a.interface}`)).toEqual([
      "192.0.2.1/24 ether1",
    ]);
    expect((after["ip route"] ?? []).map((r) => r["dst-address"])).toEqual(
      HOSTILE.map((_, n) => `203.0.113.${n * 8}/29`),
    );
    expect(comments("ip route")).toEqual(HOSTILE.map((d) => stored(`${d} [reconciler]`)));
    expect((after["interface ethernet"] ?? []).find((e) => e.name === "ether1")?.comment).toBe(
      stored(HOSTILE[0] as string),
    );
    expect(comments("interface bridge")).toEqual(HOSTILE.slice(1).map((d) => stored(`${d} [reconciler]`)));
    // And read back, the device's state is the desired one: nothing more to do.
    const t = transport();
    try {
      const live = await routerosDriver.read(await t.session("tower-1"), device);
      expect(routerosDriver.candidate(intent, device, live)).toEqual({ kind: "commands", commands: [] });
    } finally {
      await t.closeAll();
    }
  });

  it("the undo script restores hostile values exactly, and hostile new ones leave nothing behind", async () => {
    const t = transport();
    const s = await t.session("tower-1");
    try {
      const exportBefore = sim.router.run("/export").output.split("\n").slice(1).join("\n");
      const live = await routerosDriver.read(s, device);
      const desired: DeviceIntent = {
        interfaces: [
          {
            name: "ether1",
            kind: "ethernet",
            description: [...HOSTILE].reverse().join(" | "),
            addresses: ["192.0.2.1/24"],
          },
        ],
        static_routes: [{ prefix: "198.51.100.0/24", via: "192.0.2.254", description: HOSTILE.join("\n") }],
      };
      const ctx: ApplyContext = {
        runId: `hostile-undo-${Date.now().toString(36)}`,
        device,
        intent: desired,
        env: {},
      };
      await routerosApply.lock(s, ctx);
      const staged = await routerosApply.stage(s, ctx, routerosDriver.candidate(desired, device, live), live);
      await routerosApply.arm?.(s, ctx, staged, 60);
      await routerosApply.commit(s, ctx, staged, 60);
      expect((simState()["ip route"] ?? []).some((r) => r["dst-address"] === "198.51.100.0/24")).toBe(true);
      expect((simState()["interface ethernet"] ?? []).find((e) => e.name === "ether1")?.comment).toBe(
        stored([...HOSTILE].reverse().join(" | ")),
      );
      await routerosApply.rollback(s, ctx, staged);
      await routerosApply.unlock(s, ctx);
      expect(sim.router.run("/export").output.split("\n").slice(1).join("\n")).toBe(exportBefore);
      expect(simState()["system identity"]?.[0]?.name).toBe("tower-1");
    } finally {
      await t.closeAll();
    }
  });

  it("a long undo script goes up in parts, arrives whole, and restores exactly", async () => {
    const t = transport();
    const s = await t.session("tower-1");
    try {
      const exportBefore = sim.router.run("/export").output.split("\n").slice(1).join("\n");
      // The first test's 9 routes and 8 bridges removed (git no longer names them, and they carry
      // the mark), 60 new routes added: a long inverse, re-adding the hostile ones.
      const desired: DeviceIntent = {
        interfaces: [
          { name: "ether1", kind: "ethernet", description: HOSTILE[0], addresses: ["192.0.2.1/24"] },
        ],
        static_routes: Array.from({ length: 60 }, (_, n) => ({
          prefix: `10.${n}.0.0/16`,
          via: "192.0.2.254",
          description: `${HOSTILE[n % HOSTILE.length]} #${n}`,
        })),
      };
      const live = await routerosDriver.read(s, device);
      const ctx: ApplyContext = {
        runId: `long-${Date.now().toString(36)}`,
        device,
        intent: desired,
        env: {},
      };
      await routerosApply.lock(s, ctx);
      const staged = await routerosApply.stage(s, ctx, routerosDriver.candidate(desired, device, live), live);
      const source = sim.router.run(
        `:put [/system script get [find where name="reconciler-undo-${ctx.runId}"] source]`,
      ).output;
      expect(source.length).toBeGreaterThan(3 * UNDO_PART_CHARS);
      expect(source.split("\n").filter((l) => l.startsWith(":do {"))).toHaveLength(60 + 9 + 8);
      await routerosApply.arm?.(s, ctx, staged, 60);
      await routerosApply.commit(s, ctx, staged, 60);
      expect(simState()["ip route"]).toHaveLength(60);
      await routerosApply.rollback(s, ctx, staged);
      await routerosApply.unlock(s, ctx);
      expect(sim.router.run("/export").output.split("\n").slice(1).join("\n")).toBe(exportBefore);
    } finally {
      await t.closeAll();
    }
  });

  it("a secret is filled in quoted only where the desired state declares it, and never in an error", async () => {
    const t = transport();
    const s = await t.session("tower-1");
    try {
      const live = await routerosDriver.read(s, device);
      const intent: DeviceIntent = { interfaces: [{ name: "ether1", kind: "ethernet", description: "x" }] };
      const ctx: ApplyContext = {
        runId: `secret-${Date.now().toString(36)}`,
        device,
        intent,
        env: { TOWER_PSK: 'p"s$k;[x]' },
      };
      const candidate = {
        kind: "commands" as const,
        commands: [
          {
            line: "/interface ethernet set [ find where name=ether1 ] comment=@secret:TOWER_PSK@",
            description: "",
          },
        ],
      };
      // The intent declares no TOWER_PSK: refused before anything is sent.
      const err = await routerosApply.stage(s, ctx, candidate, live).catch((e) => e);
      expect(err).toBeInstanceOf(CandidateRejectedError);
      expect(String(err.message)).toContain("TOWER_PSK");
      expect(String(err.message)).not.toContain('p"s$k');
      await routerosApply.abandon(s, ctx);
    } finally {
      await t.closeAll();
    }
  });
});
