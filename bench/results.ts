// The shape of bench/results/latest.json and the summary computed from the raw rounds: medians
// per tool, size and delay, and the ratios against the floor and Ansible from the same run.
import { medianSample, perDevice, ratio, type Sample } from "./stats.ts";

export const TOOLS = ["reconciler", "ansible", "floor"] as const;
export type Tool = (typeof TOOLS)[number];

/** One tool's run at one size, delay and round. */
export interface Run {
  tool: Tool;
  n: number;
  /** Added by the relay in each direction (0: direct). */
  delayMs: number;
  round: number;
  wallMs: number;
  /** Controller CPU: the whole client process tree (cgroup). */
  cpuMs: number;
  /** CPU of every sshd and session on the devices during the run. */
  sshdCpuMs: number;
  /** Peak memory of the client tree (cgroup). */
  peakBytes?: number;
  /** Peak RSS and most open descriptors of the tool's first process. */
  rssBytes?: number;
  fds?: number;
  /** From sshd's VERBOSE log, over all devices. */
  connections: number;
  sessions: number;
}

export interface SummaryRow {
  tool: Tool;
  n: number;
  delayMs: number;
  rounds: number;
  median: Sample;
  connectionsPerDevice: number;
  sessionsPerDevice: number;
  /** This tool against the floor (wall, CPU) and, for the reconciler, Ansible's CPU over ours. */
  wallVsFloor?: number;
  cpuVsFloor?: number;
  ansibleCpuOverOurs?: number;
}

export function summarize(runs: readonly Run[]): SummaryRow[] {
  const groups = new Map<string, Run[]>();
  for (const r of runs) {
    const key = `${r.tool}\t${r.n}\t${r.delayMs}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const rows: SummaryRow[] = [];
  for (const rs of groups.values()) {
    const first = rs[0] as Run;
    const median = medianSample(
      rs.map((r) => ({
        wallMs: r.wallMs,
        cpuMs: r.cpuMs,
        sshdCpuMs: r.sshdCpuMs,
        peakBytes: r.peakBytes,
        rssBytes: r.rssBytes,
        fds: r.fds,
        connections: r.connections,
        sessions: r.sessions,
      })),
    );
    rows.push({
      tool: first.tool,
      n: first.n,
      delayMs: first.delayMs,
      rounds: rs.length,
      median,
      connectionsPerDevice: (median.connections ?? 0) / first.n,
      sessionsPerDevice: (median.sessions ?? 0) / first.n,
    });
  }
  const find = (tool: Tool, n: number, d: number) =>
    rows.find((r) => r.tool === tool && r.n === n && r.delayMs === d);
  for (const row of rows) {
    const floor = find("floor", row.n, row.delayMs);
    row.wallVsFloor = ratio(row.median.wallMs, floor?.median.wallMs);
    row.cpuVsFloor = ratio(row.median.cpuMs, floor?.median.cpuMs);
    if (row.tool === "reconciler") {
      row.ansibleCpuOverOurs = ratio(find("ansible", row.n, row.delayMs)?.median.cpuMs, row.median.cpuMs);
    }
  }
  const order = (t: Tool) => TOOLS.indexOf(t);
  return rows.sort((a, b) => a.delayMs - b.delayMs || a.n - b.n || order(a.tool) - order(b.tool));
}

/** Controller CPU per extra device (ms) of each tool, from the direct runs' medians across sizes. */
export function cpuPerDevice(rows: readonly SummaryRow[]): Partial<Record<Tool, number>> {
  const out: Partial<Record<Tool, number>> = {};
  for (const tool of TOOLS) {
    const points = rows
      .filter((r) => r.tool === tool && r.delayMs === 0 && r.median.cpuMs !== undefined)
      .map((r) => ({ n: r.n, value: r.median.cpuMs as number }));
    const slope = perDevice(points);
    if (slope !== undefined) out[tool] = slope;
  }
  return out;
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryBytes: number;
  kernel: string;
  os: string;
  node: string;
  openssh: string;
  ansible: string;
  reconciler: string;
}

/** The N = 1,000 memory point: `reconciler plan` alone, many addresses on fewer sshd's. */
export interface BigPoint {
  n: number;
  namespaces: number;
  addressesPerNamespace: number;
  wallMs: number;
  cpuMs: number;
  peakBytes?: number;
  rssBytes?: number;
  fds?: number;
  connections: number;
  exitCode: number;
  /** Devices the plan reported an error for (e.g. a connect timeout). */
  deviceErrors: number;
  /** Whether the CLI has an option bounding the connections (`plan --parallel`). */
  parallelOption: boolean;
}

export interface Results {
  startedAt: string;
  finishedAt: string;
  argv: string[];
  machine: Machine;
  rounds: number;
  planner: { n: number; step: string; wallMs: number; cpuMs: number; vsSmallest: number }[];
  /** Other helpers' sections by file (bench/startup.ts: "startup", bench/impact.ts: "impact"), when present. */
  sections: Record<string, unknown>;
  runs: Run[];
  summary: SummaryRow[];
  cpuPerDeviceMs: Partial<Record<Tool, number>>;
  /** Peak RSS of `reconciler plan` per extra device (bytes), from the direct runs. */
  rssPerDeviceBytes?: number;
  big?: BigPoint;
  /** What stood between the reconciler and the floor, from the CPU profile. */
  profile?: { n: number; topSelf: { fn: string; url: string; ms: number }[]; byArea: Record<string, number> };
  notes: string[];
}
