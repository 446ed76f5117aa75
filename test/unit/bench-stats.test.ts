// Medians over rounds, and the ratios against the floor and Ansible computed from the same run.
import { describe, expect, it } from "vitest";
import { cpuPerDevice, type Run, summarize } from "../../bench/results.ts";
import { median, medianSample, perDevice, ratio } from "../../bench/stats.ts";

const run = (
  tool: Run["tool"],
  n: number,
  round: number,
  wallMs: number,
  cpuMs: number,
  delayMs = 0,
): Run => ({
  tool,
  n,
  delayMs,
  round,
  wallMs,
  cpuMs,
  sshdCpuMs: 10,
  connections: n,
  sessions: 2 * n,
});

describe("bench statistics", () => {
  it("median of odd and even counts, whatever the order; none of nothing", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(() => median([])).toThrow(/no values/);
  });

  it("ratio refuses a missing or non-positive denominator", () => {
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(3, 0)).toBeUndefined();
    expect(ratio(undefined, 2)).toBeUndefined();
    expect(ratio(3, undefined)).toBeUndefined();
  });

  it("medianSample takes each field's median over the rounds that measured it", () => {
    expect(medianSample([{ a: 1, b: undefined }, { a: 5, b: 4 }, { a: 3 }])).toEqual({ a: 3, b: 4 });
  });

  it("perDevice is the least-squares slope, undefined with one size", () => {
    expect(
      perDevice([
        { n: 10, value: 1100 },
        { n: 50, value: 1500 },
        { n: 50, value: 1500 },
      ]),
    ).toBeCloseTo(10);
    expect(
      perDevice([
        { n: 10, value: 1 },
        { n: 10, value: 2 },
      ]),
    ).toBeUndefined();
  });

  it("summarize: medians per tool, size and delay, ratios against the floor and Ansible of the same size and delay", () => {
    const runs = [
      run("floor", 10, 0, 100, 10),
      run("floor", 10, 1, 300, 30),
      run("floor", 10, 2, 200, 20),
      run("reconciler", 10, 0, 250, 40),
      run("reconciler", 10, 1, 260, 60),
      run("reconciler", 10, 2, 240, 50),
      run("ansible", 10, 0, 2000, 500),
      run("ansible", 10, 1, 1000, 400),
      run("ansible", 10, 2, 3000, 600),
      run("floor", 10, 0, 1000, 100, 50),
      run("reconciler", 10, 0, 1500, 100, 50),
    ];
    const rows = summarize(runs);
    expect(rows.map((r) => `${r.delayMs}/${r.tool}`)).toEqual([
      "0/reconciler",
      "0/ansible",
      "0/floor",
      "50/reconciler",
      "50/floor",
    ]);
    const ours = rows[0];
    expect(ours?.median.wallMs).toBe(250);
    expect(ours?.wallVsFloor).toBeCloseTo(1.25);
    expect(ours?.cpuVsFloor).toBeCloseTo(2.5);
    expect(ours?.ansibleCpuOverOurs).toBeCloseTo(10);
    expect(ours?.connectionsPerDevice).toBe(1);
    expect(ours?.sessionsPerDevice).toBe(2);
    expect(rows[3]?.wallVsFloor).toBeCloseTo(1.5);
    expect(rows[3]?.ansibleCpuOverOurs).toBeUndefined();
    expect(rows[2]?.cpuVsFloor).toBe(1);
  });

  it("cpuPerDevice uses the direct runs only", () => {
    const rows = summarize([
      run("reconciler", 10, 0, 1, 1000),
      run("reconciler", 50, 0, 1, 2000),
      run("reconciler", 50, 0, 1, 99999, 50),
    ]);
    expect(cpuPerDevice(rows)).toEqual({ reconciler: 25 });
  });
});
