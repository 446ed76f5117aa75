// Start-up cost of the CLI (issue 14 §2): CPU (user + system) and wall time of `reconciler --help`,
// `--version` and `validate` of a generated 50-device fleet, each run as a user runs it
// (node bin/reconciler.js), from a fresh build of a copy of the project (npm run build, as npm ci
// runs it; the copy keeps edits to the working tree out of the figures). Targets: --help
// <= 0.15 s CPU, validate of 50 devices <= 0.5 s CPU. A child's CPU is read from this process's
// /proc/self/stat (cutime + cstime: the children it has waited for), around each spawnSync.
//
//   npx tsx bench/startup.ts [rounds]     (bench/main.ts calls startupBench() as one section)
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { distState } from "../bin/dist-state.js";
import { fleetFiles } from "./fleet.ts";

const ROOT = join(import.meta.dirname, "..");
const FLEET_SIZE = 50;
/** What a build reads and what the CLI runs: copied, so that edits to the working tree during a run cannot touch it. */
const PROJECT = [
  "reconciler",
  "bin",
  "scripts/build.ts",
  "package.json",
  "tsconfig.json",
  "tsconfig.build.json",
];

export interface StartupFigure {
  name: string;
  cpuSeconds: number;
  wallSeconds: number;
}

/** The targets of issue 14 by figure name, in CPU seconds. */
export const TARGETS: Readonly<Record<string, number>> = {
  "reconciler --help": 0.15,
  [`reconciler validate (${FLEET_SIZE} devices)`]: 0.5,
};

const ticksPerSecond = (() => {
  const r = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" });
  const n = Number(r.stdout.trim());
  return Number.isFinite(n) && n > 0 ? n : 100;
})();

/** CPU seconds of the children this process has waited for (user + system). */
function childrenCpu(): number {
  const stat = readFileSync("/proc/self/stat", "utf8");
  // Fields after the command name in parentheses (which may hold spaces): field 3 is at index 0.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[16 - 3]) + Number(fields[17 - 3])) / ticksPerSecond;
}

function runOnce(bin: string, args: string[]): { cpu: number; wall: number } {
  const cpu0 = childrenCpu();
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: dirname(dirname(bin)),
    env: { ...process.env, NO_COLOR: "1" },
    encoding: "utf8",
    timeout: 120_000,
  });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0)
    throw new Error(`reconciler ${args.join(" ")}: exit ${r.status ?? r.signal}: ${r.stderr}`);
  return { cpu: childrenCpu() - cpu0, wall };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/**
 * A snapshot of the project, built as npm ci builds it (npm run build): what an installed CLI runs,
 * whatever happens to the working tree meanwhile. Returns the snapshot's bin/reconciler.js.
 */
function buildSnapshot(dir: string): string {
  for (const p of PROJECT) cpSync(join(ROOT, p), join(dir, p), { recursive: true });
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  const r = spawnSync(process.execPath, ["--import", "tsx", join(dir, "scripts", "build.ts")], {
    cwd: dir,
    stdio: ["ignore", "ignore", "inherit"],
  });
  if (r.status !== 0) throw new Error("startup: npm run build failed on a copy of the project");
  if (!distState(dir).current) throw new Error("startup: the copy's dist/ is not current after its build");
  return join(dir, "bin", "reconciler.js");
}

export async function startupBench(rounds = 5): Promise<StartupFigure[]> {
  const dir = mkdtempSync(join(tmpdir(), "reconciler-startup-"));
  try {
    const bin = buildSnapshot(join(dir, "project"));
    const fleet = join(dir, "fleet");
    for (const [path, text] of fleetFiles(FLEET_SIZE, {
      host: (i) => ({ host: `198.18.${i >> 8}.${(i & 255) + 1}` }),
    })) {
      mkdirSync(dirname(join(fleet, path)), { recursive: true });
      writeFileSync(join(fleet, path), text);
    }
    const cases: [string, string[]][] = [
      ["reconciler --help", ["--help"]],
      ["reconciler --version", ["--version"]],
      [`reconciler validate (${FLEET_SIZE} devices)`, ["validate", "--repo", fleet]],
    ];
    const samples = cases.map(() => ({ cpu: [] as number[], wall: [] as number[] }));
    runOnce(bin, ["--help"]); // warm the file cache
    // Interleaved rounds, so that a burst of load elsewhere on the machine hits every case alike.
    for (let r = 0; r < rounds; r++)
      cases.forEach(([, args], i) => {
        const { cpu, wall } = runOnce(bin, args);
        samples[i]?.cpu.push(cpu);
        samples[i]?.wall.push(wall);
      });
    // Still the compiled code at the end (a run of the sources would cost ten times as much).
    if (!distState(dirname(dirname(bin))).current) throw new Error("startup: the copy's dist/ went stale");
    return cases.map(([name], i) => ({
      name,
      cpuSeconds: median(samples[i]?.cpu ?? []),
      wallSeconds: median(samples[i]?.wall ?? []),
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await startupBench(Number(process.argv[2] ?? 5));
  for (const f of figures) {
    const target = TARGETS[f.name];
    const verdict =
      target === undefined
        ? ""
        : f.cpuSeconds <= target
          ? `  (target <= ${target}: met)`
          : `  (target <= ${target}: MISSED)`;
    process.stdout.write(
      `${f.name.padEnd(36)} cpu ${f.cpuSeconds.toFixed(3)} s  wall ${f.wallSeconds.toFixed(3)} s${verdict}\n`,
    );
  }
}
