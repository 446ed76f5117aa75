// The drift report from a plan of the example network: device states, link states (up, down,
// drifted) with the reason, the Markdown (summary table, Mermaid topology, differences with
// volatile values masked) and hostile device text kept inside its fences.
import { describe, expect, it } from "vitest";
import { driftExitCode, driftSummary } from "../../../reconciler/cli/drift.ts";
import { driftMarkdown, fenced, mdText, mermaidTopology } from "../../../reconciler/drift/markdown.ts";
import { maskVolatile } from "../../../reconciler/drift/mask.ts";
import { driftReport } from "../../../reconciler/drift/report.ts";
import type { DevicePlan, Plan } from "../../../reconciler/model/plan.ts";
import type { DesiredRepo } from "../../../reconciler/model/repo.ts";
import { loadExample } from "../../helpers/example-repo.ts";

async function example(): Promise<DesiredRepo> {
  const loaded = await loadExample();
  if (!loaded.repo) throw new Error("the example does not load");
  return loaded.repo;
}

const device = (name: string, over: Partial<DevicePlan> = {}): DevicePlan => ({
  device: name,
  platform: "debian",
  status: "unchanged",
  changes: [],
  files: [],
  unmanaged: [],
  ...over,
});

const planOf = (devices: DevicePlan[]): Plan => ({
  version: 1,
  createdAt: "t",
  origin: "working tree",
  devices,
});
const NOW = new Date("2026-11-29T03:17:00Z");

describe("driftReport", () => {
  it("says which devices drifted or could not be read, and each link's state with why", async () => {
    const repo = await example();
    const plan = planOf([
      device("router-a", {
        status: "changes",
        changes: [
          { device: "router-a", path: "wireguard[wg-b].mtu", action: "update", before: 1380, after: 1420 },
        ],
      }),
      device("router-b"),
      device("router-c", {
        status: "error",
        error: { kind: "ConnectionError", message: "router-c: connection refused" },
      }),
    ]);
    const r = driftReport(plan, repo, { ranAt: NOW, revision: "0123456789abcdef0123" });
    expect(r.devices.map((d) => [d.device, d.state, d.changes])).toEqual([
      ["router-a", "drifted", 1],
      ["router-b", "in-sync", 0],
      ["router-c", "unreachable", 0],
    ]);
    expect(r.totals).toEqual({ "in-sync": 1, drifted: 1, unreachable: 1, unsupported: 0 });
    const links = Object.fromEntries(r.links.map((l) => [l.name, [l.state, l.why]]));
    expect(links["a-b"]).toEqual(["drifted", ["router-a: wireguard[wg-b].mtu"]]);
    expect(links["a-c"]).toEqual(["down", ["router-c unreachable"]]);
    expect(links["b-c"]).toEqual(["down", ["router-c unreachable"]]);
    expect(r.covered).toEqual({ devices: 3, of: Object.keys(repo.devices).length });
    expect(driftExitCode(r)).toBe(1);
    expect(driftSummary(r)).toMatch(/^router-a \(debian\): drifted, 1 item\(s\) differ\n/);
    expect(driftSummary(r)).toMatch(/\nlink a-c: down \(router-c unreachable\)\n/);
  });

  it("a runtime drift on a link's interface makes the link down; in sync everywhere exits 0", async () => {
    const repo = await example();
    const runtime = device("router-b", {
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
    const r = driftReport(planOf([device("router-a"), runtime]), repo, { ranAt: NOW });
    expect(r.links.find((l) => l.name === "a-b")?.state).toBe("down");
    const clean = driftReport(planOf([device("router-a"), device("router-b")]), repo, { ranAt: NOW });
    expect(clean.links.find((l) => l.name === "a-b")).toMatchObject({ state: "up", why: [] });
    expect(driftExitCode(clean)).toBe(0);
  });
});

describe("the Markdown report", () => {
  it("has the summary table, the Mermaid topology with link styles, and masked differences", async () => {
    const repo = await example();
    const plan = planOf([
      device("router-a", {
        status: "changes",
        changes: [
          {
            device: "router-a",
            path: "runtime.bird.protocol[mesh4]",
            action: "update",
            before: "down (disabled at 2026-11-28 21:50:26)",
            after: "up",
          },
        ],
      }),
      device("router-b"),
    ]);
    const r = driftReport(plan, repo, { ranAt: NOW });
    const md = driftMarkdown(r, plan);
    expect(md).toMatch(/^# Drift report: drift found\n/);
    expect(md).toContain("| router\\-a | debian | drifted | 1 | 0 |");
    expect(md).toContain("```mermaid\ngraph LR\n");
    expect(md).toMatch(/n_router_2da ---\|"a-b: up"\| n_router_2db\n {2}linkStyle 0 stroke:#2da44e/);
    expect(md).toContain("### router\\-a");
    expect(md).toContain("<time>");
    expect(md).not.toContain("21:50:26");
  });

  it("keeps hostile device text inside its fence and out of the markup", () => {
    const text = "x\n```\n# injected heading\n````";
    const block = fenced(text);
    expect(block.startsWith("`````\n")).toBe(true);
    expect(block.endsWith("\n`````")).toBe(true);
    expect(mdText("a|b\n# c <img src=x>")).toBe("a\\|b \\# c \\<img src=x\\>");
    const r = {
      version: 1 as const,
      ranAt: "t",
      origin: "o",
      covered: { devices: 1, of: 1 },
      devices: [
        { device: 'evil"]--> x', platform: "debian", state: "in-sync" as const, changes: 0, unmanaged: 0 },
      ],
      links: [],
      totals: { "in-sync": 1, drifted: 0, unreachable: 0, unsupported: 0 },
    };
    const m = mermaidTopology(r);
    expect(m).not.toContain('"]-->');
    expect(m.split("\n")[1]).toMatch(/^ {2}n_evil[A-Za-z0-9_]+\["evil\]-- x \(in-sync\)"\]$/);
  });
});

describe("maskVolatile", () => {
  it("masks times, ages, epochs and counters, and nothing else", () => {
    expect(
      maskVolatile("since 2026-11-28T21:50:26.269Z, up 12:01:02, 5 s ago, 1764372000, 3024 bytes, cost 10"),
    ).toBe("since <time>, up <time>, <age> ago, <epoch>, <count> bytes, cost 10");
  });
});
