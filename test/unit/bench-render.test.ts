// docs/benchmarks.md is rendered from the results: the table carries the medians and ratios,
// and nothing in the data (a CPU model, a path) can break the Markdown table.
import { describe, expect, it } from "vitest";
import { cell, headline, renderMarkdown, summaryTable } from "../../bench/render.ts";
import { type Results, type Run, summarize } from "../../bench/results.ts";

const run = (tool: Run["tool"], wallMs: number, cpuMs: number, delayMs = 0): Run => ({
  tool,
  n: 50,
  delayMs,
  round: 0,
  wallMs,
  cpuMs,
  sshdCpuMs: 1200,
  peakBytes: 100 * 2 ** 20,
  connections: 50,
  sessions: 100,
});

function results(): Results {
  const runs = [
    run("reconciler", 16_100, 5200),
    run("ansible", 118_000, 22_000),
    run("floor", 12_500, 1200),
    run("reconciler", 20_000, 5300, 50),
    run("floor", 19_000, 1300, 50),
  ];
  return {
    startedAt: "2026-11-30T04:00:00Z",
    finishedAt: "2026-11-30T04:10:00Z",
    argv: ["npm run bench --", "--sizes", "50"],
    machine: {
      cpu: "AMD EPYC | odd\nmodel",
      cores: 2,
      memoryBytes: 8 * 2 ** 30,
      kernel: "6.1.0",
      os: "Debian GNU/Linux 12 (bookworm)",
      node: "v20.20.2",
      openssh: "OpenSSH_9.2p1",
      ansible: "ansible-playbook [core 2.14.18]",
      reconciler: "0.1.0 (abc1234)",
    },
    rounds: 1,
    planner: [{ n: 50, step: "render", wallMs: 14, cpuMs: 13, vsSmallest: 1 }],
    sections: {},
    runs,
    summary: summarize(runs),
    cpuPerDeviceMs: { reconciler: 33, floor: 23 },
    notes: ["a note"],
  };
}

describe("benchmark Markdown", () => {
  it("escapes pipes and newlines in cells", () => {
    expect(cell("a|b\nc")).toBe("a\\|b c");
  });

  it("renders one row per tool, size and delay with the ratios of the same run", () => {
    const table = summaryTable(results().summary).split("\n");
    expect(table).toHaveLength(2 + 5);
    const ours = table.find((l) => l.startsWith("| 50 | – | reconciler"));
    expect(ours).toContain("16.1 s");
    expect(ours).toContain("5200 ms");
    expect(ours).toContain("1.29×"); // wall vs floor 16.1 / 12.5
    expect(ours).toContain("4.33×"); // CPU vs floor 5.2 / 1.2
    expect(ours).toContain("4.23×"); // Ansible CPU over ours 22 / 5.2
    const delayed = table.find((l) => l.startsWith("| 50 | 50 ms | reconciler"));
    expect(delayed).toContain("1.05×");
  });

  it("the page names the machine, keeps the table intact, and the headline quotes the ratios", () => {
    const md = renderMarkdown(results());
    expect(md).toContain("AMD EPYC \\| odd model, 2 cores");
    expect(md).toContain("OpenSSH_9.2p1");
    expect(md).toContain("reconciler 33.0 ms, floor 23.0 ms");
    expect(md).toContain("- a note");
    expect(headline(results())).toEqual([
      "N = 50: `reconciler plan` wall 1.29× the OpenSSH floor, controller CPU 4.33× the floor; Ansible uses 4.23× our CPU.",
      "Through a 50 ms-each-way relay: wall 1.05× the floor.",
    ]);
  });
});
