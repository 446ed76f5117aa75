// The drift report's topology picture with the routing model: a link found down reroutes paths,
// and the up links now carrying them are drawn dashed, with a sentence counting them.
import { describe, expect, it } from "vitest";
import { driftMarkdown, mermaidTopology } from "../../reconciler/drift/markdown.ts";
import { driftReport } from "../../reconciler/drift/report.ts";
import type { DevicePlan, Plan } from "../../reconciler/model/plan.ts";
import { loadExample } from "../helpers/example-repo.ts";

const device = (name: string, over: Partial<DevicePlan> = {}): DevicePlan => ({
  device: name,
  platform: "debian",
  status: "unchanged",
  changes: [],
  files: [],
  unmanaged: [],
  ...over,
});

describe("the drift report's picture with the routing model", () => {
  it("draws the links that carry the paths a down link moved", async () => {
    const repo = (await loadExample()).repo;
    if (!repo) throw new Error("the example does not load");
    // router-b's OSPF interface to router-a is down: the a-b link is down.
    const b = device("router-b", {
      status: "changes",
      changes: [
        {
          device: "router-b",
          path: "runtime.bird.protocol[mesh4].interfaces[wg-a]",
          action: "update",
          before: "down",
          after: "up",
        },
      ],
    });
    const plan: Plan = {
      version: 1,
      createdAt: "t",
      origin: "working tree",
      devices: [device("router-a"), b, device("router-c")],
    };
    const r = driftReport(plan, repo, { ranAt: new Date("2026-11-29T03:17:00Z") });
    expect(r.links.find((l) => l.name === "a-b")?.state).toBe("down");
    // A to B now goes A-C-B: both a-c and b-c carry moved paths; nothing is cut.
    expect(r.rerouted).toMatchObject({ links: { "a-c": "moved", "b-c": "moved" }, unreachable: 0 });
    expect(r.rerouted?.links["core-fw"]).toBeUndefined();
    const m = mermaidTopology(r);
    expect(m).toMatch(/---\|"a-c: up, paths moved"\|/);
    expect(m).toMatch(/linkStyle \d+ stroke:#bf8700,stroke-width:2px,stroke-dasharray:2/);
    expect(driftMarkdown(r, plan)).toMatch(
      /the routing model \(docs\/impact\.md\) moves \d+ paths and cuts 0/,
    );
  });

  it("says nothing of rerouting while every link is up", async () => {
    const repo = (await loadExample()).repo;
    if (!repo) throw new Error("the example does not load");
    const plan: Plan = {
      version: 1,
      createdAt: "t",
      origin: "o",
      devices: [device("router-a"), device("router-b")],
    };
    const r = driftReport(plan, repo, { ranAt: new Date("2026-11-29T03:17:00Z") });
    expect(r.rerouted).toBeUndefined();
    expect(mermaidTopology(r)).not.toMatch(/paths moved/);
  });
});
