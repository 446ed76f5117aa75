// The pure planner, without any device: load + validate + expand, render, and plan for
// synthetic fleets (bench/fleet.ts with chords) of increasing size. Wall and CPU time per step
// and the per-device cost relative to the smallest fleet of the same run (about 1.0x: linear).
import { cpuUsage, hrtime } from "node:process";
import { debianDriver } from "../reconciler/drivers/debian/driver.ts";
import { DESCRIPTORS } from "../reconciler/drivers/descriptors.ts";
import { loadRepo } from "../reconciler/load/load.ts";
import type { RepoReader } from "../reconciler/load/reader.ts";
import type { LiveState } from "../reconciler/model/live.ts";
import { plan } from "../reconciler/plan/planner.ts";
import { fleetFiles } from "./fleet.ts";

export interface PlannerRow {
  n: number;
  step: string;
  wallMs: number;
  cpuMs: number;
  /** Wall per device relative to the smallest fleet's. */
  vsSmallest: number;
}

class MemoryReader implements RepoReader {
  readonly origin = "memory";
  constructor(readonly files: Map<string, string>) {}
  async list(dir: string): Promise<string[]> {
    return [...this.files.keys()].filter((p) => p.startsWith(`${dir}/`)).sort();
  }
  async read(path: string): Promise<string | undefined> {
    return this.files.get(path);
  }
}

const synthetic = (n: number) =>
  fleetFiles(n, { host: (i) => ({ host: `198.18.${(16 + i) >> 8}.${(16 + i) & 255}` }), chords: true });

async function measure<T>(fn: () => Promise<T> | T): Promise<[T, { wallMs: number; cpuMs: number }]> {
  const cpu = cpuUsage();
  const start = hrtime.bigint();
  const result = await fn();
  const wallMs = Number(hrtime.bigint() - start) / 1e6;
  const used = cpuUsage(cpu);
  return [result, { wallMs, cpuMs: (used.user + used.system) / 1000 }];
}

export async function plannerBench(sizes: readonly number[] = [50, 200, 800]): Promise<PlannerRow[]> {
  // Warm-up: the first load compiles the schemas and JITs the code; keep that out of the baseline.
  await loadRepo(new MemoryReader(synthetic(20)), { descriptors: DESCRIPTORS });
  const rows: Omit<PlannerRow, "vsSmallest">[] = [];
  for (const n of sizes) {
    const [loaded, load] = await measure(() =>
      loadRepo(new MemoryReader(synthetic(n)), { descriptors: DESCRIPTORS }),
    );
    const repo = loaded.repo;
    if (!repo) throw new Error(`the synthetic fleet of ${n} is invalid: ${loaded.diagnostics[0]?.message}`);
    rows.push({ n, step: "load+validate+expand", ...load });
    const devices = Object.values(repo.devices);
    const empty = (device: string): LiveState => ({
      device,
      platform: "debian",
      state: {},
      artifacts: {},
      publicKeys: {},
      fingerprint: "",
    });
    const [, render] = await measure(() =>
      devices.map((d) => debianDriver.candidate(repo.expanded[d.name] ?? {}, d, empty(d.name))),
    );
    rows.push({ n, step: "render", ...render });
    const [, planned] = await measure(() =>
      plan(
        devices.map((d) => ({ device: d, desired: repo.expanded[d.name] ?? {}, live: empty(d.name) })),
        { origin: "bench", drivers: { debian: debianDriver } },
      ),
    );
    rows.push({ n, step: "plan (all new)", ...planned });
  }
  const base = new Map(rows.filter((r) => r.n === sizes[0]).map((r) => [r.step, r.wallMs / r.n]));
  return rows.map((r) => ({ ...r, vsSmallest: r.wallMs / r.n / (base.get(r.step) ?? r.wallMs / r.n) }));
}
