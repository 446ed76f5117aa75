// The driver through the shared planner (not registered yet: handed to it directly): a converged
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
});
