// The driver through the shared planner: a converged
// tower plans "unchanged", a drifted one shows the same change as model diff and as commands,
// and what the model cannot read is reported as unmanaged, never planned away.
import { describe, expect, it } from "vitest";
import { routerosDriver } from "../../../reconciler/drivers/routeros/driver.ts";
import { liveStateFromOutput } from "../../../reconciler/drivers/routeros/read.ts";
import { planDevice } from "../../../reconciler/plan/planner.ts";
import { testDevice } from "../../helpers/device.ts";
import { loadExample } from "../../helpers/example-repo.ts";
import { TOWER_CONVERGED } from "./fixtures.ts";

const device = testDevice("tower-1", { platform: "routeros", user: "reconciler" });

async function tower() {
  const { repo } = await loadExample();
  const desired = repo?.expanded["tower-1"];
  if (!desired) throw new Error("no tower-1");
  return desired;
}

describe("the shared planner with the RouterOS driver", () => {
  it("finds a converged tower unchanged", async () => {
    const live = liveStateFromOutput("tower-1", TOWER_CONVERGED);
    const plan = planDevice({ device, desired: await tower(), live }, routerosDriver);
    expect(plan.status).toBe("unchanged");
    expect(plan.changes).toEqual([]);
    expect(plan.commands).toEqual([]);
    expect(plan.unmanaged).toEqual([]);
  });

  it("shows a cost changed by hand as one change and one command", async () => {
    const live = liveStateFromOutput("tower-1", TOWER_CONVERGED.replace("cost=100", "cost=10"));
    const plan = planDevice({ device, desired: await tower(), live }, routerosDriver);
    expect(plan.status).toBe("changes");
    expect(plan.changes.map((c) => [c.path, c.action, c.before, c.after])).toEqual([
      ["ospf.instances[default-v2].areas[0.0.0.0].interfaces[wg-core].cost", "update", 10, 100],
    ]);
    expect(plan.commands?.map((c) => c.line)).toEqual([
      "/routing ospf interface-template set [ find where area=default-v2-0.0.0.0 and interfaces=wg-core ] cost=100",
    ]);
  });

  it("reports an interface someone else made as unmanaged, and plans nothing for it", async () => {
    const live = liveStateFromOutput("tower-1", `${TOWER_CONVERGED}/interface bridge\nadd name=br-guest\n`);
    const plan = planDevice({ device, desired: await tower(), live }, routerosDriver);
    expect(plan.unmanaged.map((u) => u.path)).toEqual(["interfaces[br-guest]"]);
    expect(plan.commands).toEqual([]);
  });

  it("removes an interface the reconciler made once git drops it", async () => {
    const live = liveStateFromOutput(
      "tower-1",
      `${TOWER_CONVERGED}/interface bridge\nadd comment="old [reconciler]" name=br-old\n`,
    );
    const plan = planDevice({ device, desired: await tower(), live }, routerosDriver);
    expect(plan.changes.map((c) => [c.path, c.action])).toEqual([["interfaces[br-old]", "delete"]]);
    expect(plan.commands?.map((c) => c.line)).toEqual([
      "/interface bridge remove [ find where name=br-old ]",
    ]);
  });

  it("lists menus and properties the model has no place for as unmanaged, less what a raw line asks for", async () => {
    const extra = [
      "/snmp",
      "set enabled=yes",
      "/ip service",
      "set telnet disabled=yes",
      "/interface bridge",
      "add name=br-lab protocol-mode=none",
    ].join("\n");
    const live = liveStateFromOutput("tower-1", `${TOWER_CONVERGED}${extra}\n`);
    const desired = await tower();
    const plan = planDevice({ device, desired, live }, routerosDriver);
    const paths = plan.unmanaged.map((u) => u.path);
    expect(paths).toContain("/snmp set enabled=yes");
    expect(paths).toContain("/ip service set telnet disabled=yes");
    expect(paths).not.toContain("/ip dns set servers=192.0.2.53");
    expect(plan.commands).toEqual([]);
    // Once git asks for it in a raw line, it is managed: no longer listed, nothing to send.
    const withRaw = {
      ...desired,
      raw: { routeros: [...(desired.raw?.routeros ?? []), "/snmp set enabled=yes"] },
    };
    const again = planDevice({ device, desired: withRaw, live }, routerosDriver);
    expect(again.unmanaged.map((u) => u.path)).not.toContain("/snmp set enabled=yes");
    expect(again.commands).toEqual([]);
  });

  it("a desired state the device cannot take makes this device's plan an error, naming why", async () => {
    // git wants a WireGuard interface under a name the device uses for a bridge.
    const live = liveStateFromOutput("tower-1", `${TOWER_CONVERGED}/interface bridge\nadd name=wg-x\n`);
    const desired = await tower();
    const withWg = { ...desired, wireguard: [...(desired.wireguard ?? []), { name: "wg-x", peers: [] }] };
    const plan = planDevice({ device, desired: withWg, live }, routerosDriver);
    expect(plan.status).toBe("error");
    expect(plan.error).toEqual({
      kind: "CandidateError",
      message: "wg-x is a bridge interface on the device, not a WireGuard one",
    });
  });
});
