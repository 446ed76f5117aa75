// Drift adoption: the commit of a drift pull request makes desired/ say what the device runs.
// Each case: a device that drifted from the example, its plan, adoptDrift, then the edited files
// load with the example's own diagnostics and the device plans no changes against the same live
// state; comments of the edited files survive; what cannot be adopted says why.
import { describe, expect, it } from "vitest";
import { adoptDrift, LINKS_FILE } from "../../../reconciler/adopt/drift.ts";
import type { LiveState } from "../../../reconciler/model/live.ts";
import type { DesiredRepo } from "../../../reconciler/model/repo.ts";
import type { DeviceIntent } from "../../../reconciler/schema/device.ts";
import { exampleFiles, loadExample } from "../../helpers/example-repo.ts";
import { example } from "../debian/helpers.ts";
import { diagLine, filesWith, liveRunning, loadOk, planOne } from "./helpers.ts";

/** The live state of a device of the example that runs its desired state with an edit. */
async function drifted(name: string, edit: (intent: DeviceIntent) => void, extra: Partial<LiveState> = {}) {
  const repo = await example();
  const intent = structuredClone(repo.expanded[name]) as DeviceIntent;
  edit(intent);
  const live = liveRunning(name, intent, extra);
  const plan = planOne(repo, name, live);
  return { repo, live, plan };
}

/** Adopts, then loads the result and plans the device again: the adopted paths are gone from the plan. */
async function adoptAndReplan(name: string, repo: DesiredRepo, live: LiveState) {
  const plan = planOne(repo, name, live);
  const result = adoptDrift(exampleFiles(), plan, live, repo);
  const baseline = (await loadExample()).diagnostics.map(diagLine);
  const { repo: after, diagnostics } = await loadOk(filesWith(result.files));
  expect(diagnostics.map(diagLine)).toEqual(baseline);
  return { plan, result, after, replanned: planOne(after, name, live) };
}

const ifaceOf = (intent: DeviceIntent, instance: string, name: string) =>
  intent.ospf?.instances.find((i) => i.name === instance)?.areas[0]?.interfaces?.find((i) => i.name === name);

describe("adoptDrift", () => {
  it("a link's OSPF cost changed on one end becomes that end's override in links.yaml", async () => {
    const { repo, live, plan } = await drifted("router-a", (intent) => {
      for (const inst of ["mesh4", "mesh6"]) {
        const wgB = ifaceOf(intent, inst, "wg-b");
        if (wgB) wgB.cost = 30;
      }
    });
    expect(plan.changes.map((c) => c.path)).toEqual([
      "ospf.instances[mesh4].areas[0.0.0.0].interfaces[wg-b].cost",
      "ospf.instances[mesh6].areas[0.0.0.0].interfaces[wg-b].cost",
    ]);
    const { result, after, replanned } = await adoptAndReplan("router-a", repo, live);
    expect(result.notAdopted).toEqual([]);
    expect([...result.files.keys()]).toEqual([LINKS_FILE]);
    const text = result.files.get(LINKS_FILE) ?? "";
    // Only router-a's end of a-b changed; the link, its anchor and the other links are as they were.
    const before = exampleFiles().get(LINKS_FILE) ?? "";
    const removed = before.split("\n").filter((l) => !text.split("\n").includes(l));
    expect(removed).toEqual([
      "      - { device: router-a, interface: wg-b, listen_port: 51820, endpoint: 198.51.100.64, link_local: fe80::ab:1/64 }",
    ]);
    expect(text).toContain(
      "      - { device: router-a, interface: wg-b, listen_port: 51820, endpoint: 198.51.100.64, link_local: fe80::ab:1/64, ospf: { cost: 30 } }",
    );
    // Comments and the anchor survive.
    expect(text).toContain("# Links between devices, each written once.");
    expect(text).toContain("  # The core's links: only the core listens;");
    expect(text).toContain("ospf: &mesh-ospf");
    expect(replanned.changes).toEqual([]);
    expect(replanned.status).toBe("unchanged");
    // router-b's end still runs cost 10.
    expect(ifaceOf(after.expanded["router-b"] as DeviceIntent, "mesh4", "wg-a")?.cost).toBe(10);
  });

  it("an address added by hand to an interface is added to the device file, its comments kept", async () => {
    const { repo, live, plan } = await drifted("router-a", (intent) => {
      intent.interfaces?.find((i) => i.name === "br-lan")?.addresses?.push("192.0.2.2/26");
    });
    expect(plan.changes).toEqual([
      expect.objectContaining({ path: "interfaces[br-lan].addresses[192.0.2.2/26]", action: "delete" }),
    ]);
    const { result, replanned } = await adoptAndReplan("router-a", repo, live);
    expect(result.notAdopted).toEqual([]);
    expect(result.adopted).toEqual(["interfaces[br-lan].addresses[192.0.2.2/26]"]);
    const text = result.files.get("desired/router-a.yaml") ?? "";
    expect(text).toContain("    addresses: [192.0.2.1/26, 2001:db8:a::1/64, 192.0.2.2/26]");
    const original = exampleFiles().get("desired/router-a.yaml") ?? "";
    expect(text.split("\n").filter((l) => l.startsWith("#"))).toEqual(
      original.split("\n").filter((l) => l.startsWith("#")),
    );
    // Nothing else of the file moved.
    expect(text.split("\n").filter((l) => !original.split("\n").includes(l))).toHaveLength(1);
    expect(replanned.changes).toEqual([]);
    expect(replanned.status).toBe("unchanged");
  });

  it("a static route removed by hand is removed from the device file", async () => {
    const { repo, live, plan } = await drifted("core-1", (intent) => {
      delete intent.static_routes;
    });
    expect(plan.changes).toEqual([
      expect.objectContaining({ path: "static_routes[192.0.2.0/24]", action: "create" }),
    ]);
    const { result, replanned } = await adoptAndReplan("core-1", repo, live);
    expect(result.notAdopted).toEqual([]);
    const text = result.files.get("desired/core-1.yaml") ?? "";
    expect(text).not.toContain("static_routes");
    expect(text).toContain("# The core router at POP 1");
    expect(text).toContain("announce: [192.0.2.0/24]");
    expect(replanned.changes).toEqual([]);
    expect(replanned.status).toBe("unchanged");
  });

  it("runtime drift is not adopted: nothing in desired/ describes it", async () => {
    const runtime = [
      { path: "runtime.bird.protocol[mesh4]", seen: "down (disabled at run time)", expected: "up" },
    ];
    const { repo, live, plan } = await drifted("router-a", () => {}, { runtime });
    expect(plan.changes.map((c) => c.path)).toEqual(["runtime.bird.protocol[mesh4]"]);
    const result = adoptDrift(exampleFiles(), plan, live, repo);
    expect(result.files.size).toBe(0);
    expect(result.adopted).toEqual([]);
    expect(result.notAdopted).toEqual([
      {
        path: "runtime.bird.protocol[mesh4]",
        why: expect.stringMatching(/^running state, not configuration .*apply restores it/),
      },
    ]);
  });

  it("a one-sided MTU or hello on a link is not adopted: both ends must agree", async () => {
    const { repo, live, plan } = await drifted("router-a", (intent) => {
      const wg = intent.wireguard?.find((w) => w.name === "wg-b");
      if (wg) wg.mtu = 1380;
      for (const inst of ["mesh4", "mesh6"]) {
        const i = ifaceOf(intent, inst, "wg-c");
        if (i) i.hello = 7;
      }
    });
    const result = adoptDrift(exampleFiles(), plan, live, repo);
    expect(result.files.size).toBe(0);
    const why = Object.fromEntries(result.notAdopted.map((n) => [n.path, n.why]));
    expect(why["wireguard[wg-b].mtu"]).toMatch(/both ends of link a-b must agree on the MTU/);
    expect(why["ospf.instances[mesh4].areas[0.0.0.0].interfaces[wg-c].hello"]).toMatch(
      /both ends of link a-c must agree on OSPF hello/,
    );
  });

  it("a link cost that differs between the device's OSPF instances is not adopted", async () => {
    const { repo, live, plan } = await drifted("router-a", (intent) => {
      const i = ifaceOf(intent, "mesh4", "wg-b");
      if (i) i.cost = 30;
    });
    const result = adoptDrift(exampleFiles(), plan, live, repo);
    expect(result.files.size).toBe(0);
    expect(result.notAdopted).toEqual([
      {
        path: "ospf.instances[mesh4].areas[0.0.0.0].interfaces[wg-b].cost",
        why: expect.stringMatching(/one OSPF cost in every instance, and router-a runs 30 and 10/),
      },
    ]);
  });

  it("a cost back to the link's own value removes the end's override", async () => {
    const files = exampleFiles();
    const links = (files.get(LINKS_FILE) ?? "").replace(
      "link_local: fe80::ab:1/64 }",
      "link_local: fe80::ab:1/64, ospf: { cost: 30 } }",
    );
    const { repo } = await loadOk(filesWith({ [LINKS_FILE]: links }));
    // The device runs the link's cost 10 again.
    const live = liveRunning("router-a", (await example()).expanded["router-a"] as DeviceIntent);
    const plan = planOne(repo, "router-a", live);
    expect(plan.changes).toHaveLength(2);
    const result = adoptDrift(filesWith({ [LINKS_FILE]: links }), plan, live, repo);
    expect(result.files.get(LINKS_FILE)).toBe(exampleFiles().get(LINKS_FILE));
  });

  it("an OSPF password the device holds is adopted by a variable, never by its value", async () => {
    const { repo, live, plan } = await drifted("core-1", (intent) => {
      const lo = intent.ospf?.instances[0]?.areas[0]?.interfaces?.find((i) => i.name === "lo");
      if (lo) lo.authentication = { type: "cryptographic", key_id: 2, password_env: "WHATEVER" };
    });
    expect(plan.changes.map((c) => c.path)).toEqual([
      "ospf.instances[ospf].areas[0.0.0.0].interfaces[lo].authentication",
    ]);
    const { result, replanned } = await adoptAndReplan("core-1", repo, live);
    const text = result.files.get("desired/core-1.yaml") ?? "";
    expect(text).not.toContain("SECRET_SET");
    expect(text).toContain("password_env: CORE_1_OSPF_LO_PASSWORD");
    expect(result.variables).toEqual([
      expect.objectContaining({ name: "CORE_1_OSPF_LO_PASSWORD", derived: true }),
    ]);
    expect(replanned.changes).toEqual([]);
  });

  it("items git does not describe and a key git does not record are not adopted, each with its reason", async () => {
    const { repo, live } = await drifted("router-a", () => {});
    // A bridge someone else made: in the kernel, not in the reconciler's ifupdown file.
    live.state.interfaces?.push({ name: "br-lab", kind: "bridge", addresses: ["198.51.100.200/29"] });
    const plan = planOne(repo, "router-a", { ...live, publicKeys: { "wg-b": `${"k".repeat(43)}=` } });
    const keyChange = plan.changes.find((c) => c.path === "wireguard[wg-b].public_key");
    expect(keyChange).toBeDefined();
    expect(plan.unmanaged.map((u) => u.path)).toEqual(["interfaces[br-lab]"]);
    const result = adoptDrift(exampleFiles(), plan, live, repo);
    expect(result.files.size).toBe(0);
    const why = Object.fromEntries(result.notAdopted.map((n) => [n.path, n.why]));
    expect(why["wireguard[wg-b].public_key"]).toMatch(/`reconciler keys` records it/);
    expect(why["interfaces[br-lab]"]).toMatch(/^not managed: git does not describe it/);
  });

  it("a device file that does not exist yet is created with the schema header", async () => {
    const { repo, live, plan } = await drifted("core-1", (intent) => {
      intent.static_routes?.push({ prefix: "198.51.100.192/26", blackhole: true });
    });
    const files = exampleFiles();
    files.delete("desired/core-1.yaml");
    const result = adoptDrift(files, plan, live, repo);
    expect(result.files.get("desired/core-1.yaml")).toBe(
      "# yaml-language-server: $schema=../reconciler/schema/json/device.schema.json\n\n" +
        "static_routes:\n  - prefix: 198.51.100.192/26\n    blackhole: true\n",
    );
  });
});
