// Runs a command with its whole process tree in fresh cgroups, so that its CPU time and peak
// memory include every child (ssh clients, Ansible's forks and ControlPersist masters), and
// kills what it left behind. CPU comes from cgroup v2 (cpu.stat is there even without the cpu
// controller); peak memory from cgroup v2's memory.peak when the memory controller is on, or
// from the cgroup v1 memory hierarchy on hybrid machines (memory.max_usage_in_bytes).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface Cgroups {
  /** Parent cgroup v2 directory for the benchmark's leaves. */
  v2: string;
  /** Parent cgroup v1 memory directory (hybrid machines), when memory.peak is not available. */
  v1memory?: string;
  /** Whether v2 leaves have memory.peak. */
  v2memory: boolean;
}

const BENCH = "reconciler-bench";

function mountPoint(fstype: string, option?: string): string | undefined {
  for (const line of readFileSync("/proc/self/mounts", "utf8").split("\n")) {
    const [, dir, type, opts] = line.split(" ");
    if (type === fstype && dir && (!option || (opts ?? "").split(",").includes(option))) return dir;
  }
  return undefined;
}

function ownPath(hierarchy: (fields: string[]) => boolean): string {
  for (const line of readFileSync("/proc/self/cgroup", "utf8").split("\n")) {
    const fields = line.split(":");
    if (fields.length >= 3 && hierarchy(fields)) return fields.slice(2).join(":");
  }
  return "/";
}

/** Sets up the benchmark's parent cgroups, or says clearly why it cannot. */
export function setupCgroups(): Cgroups {
  const v2root = mountPoint("cgroup2");
  if (!v2root) throw new Error("no cgroup v2 hierarchy is mounted: the benchmark needs one to account CPU");
  const v2 = join(v2root, BENCH);
  try {
    mkdirSync(v2, { recursive: true });
  } catch (e) {
    throw new Error(
      `cannot create ${v2} (${(e as Error).message}): the benchmark runs as root on a writable cgroup v2`,
    );
  }
  // Memory in v2: enable the controller down to our parent when the root offers it.
  let v2memory = false;
  const controllers = readFileSync(join(v2root, "cgroup.controllers"), "utf8").split(/\s+/);
  if (controllers.includes("memory")) {
    try {
      writeFileSync(join(v2root, "cgroup.subtree_control"), "+memory");
      writeFileSync(join(v2, "cgroup.subtree_control"), "+memory");
      v2memory = true;
    } catch {
      v2memory = false;
    }
  }
  let v1memory: string | undefined;
  if (!v2memory) {
    const v1 = mountPoint("cgroup", "memory");
    if (v1) {
      const own = ownPath((f) => (f[1] ?? "").split(",").includes("memory"));
      v1memory = join(v1, own, BENCH);
      try {
        mkdirSync(v1memory, { recursive: true });
      } catch {
        v1memory = undefined;
      }
    }
  }
  return { v2, v1memory, v2memory };
}

export interface Leaf {
  cpu: string;
  memory?: string;
}

let serial = 0;

export function makeLeaf(cg: Cgroups, name: string): Leaf {
  const leafName = `${name}-${process.pid}-${serial++}`;
  const cpu = join(cg.v2, leafName);
  mkdirSync(cpu);
  let memory: string | undefined;
  if (cg.v2memory) memory = cpu;
  else if (cg.v1memory) {
    memory = join(cg.v1memory, leafName);
    mkdirSync(memory);
  }
  return { cpu, memory };
}

export function cpuUsec(leaf: Leaf): { usage: number; user: number; system: number } {
  const stat = readFileSync(join(leaf.cpu, "cpu.stat"), "utf8");
  const get = (k: string) => Number(new RegExp(`^${k} (\\d+)$`, "m").exec(stat)?.[1] ?? Number.NaN);
  return { usage: get("usage_usec"), user: get("user_usec"), system: get("system_usec") };
}

export function peakBytes(leaf: Leaf): number | undefined {
  if (!leaf.memory) return undefined;
  for (const f of ["memory.peak", "memory.max_usage_in_bytes"]) {
    const p = join(leaf.memory, f);
    if (existsSync(p)) return Number(readFileSync(p, "utf8").trim());
  }
  return undefined;
}

function procs(dir: string): number[] {
  try {
    return readFileSync(join(dir, "cgroup.procs"), "utf8").split("\n").filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Kills what is left in the leaf (all started by this benchmark) and removes it. */
export async function removeLeaf(leaf: Leaf): Promise<void> {
  for (const dir of new Set([leaf.cpu, leaf.memory].filter((d): d is string => !!d))) {
    for (let i = 0; i < 60; i++) {
      const left = procs(dir);
      if (left.length === 0) break;
      for (const pid of left) {
        try {
          process.kill(pid, i < 20 ? "SIGTERM" : "SIGKILL");
        } catch {
          // already gone
        }
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    try {
      rmdirSync(dir);
    } catch {
      // still busy: left for the final clean-up
    }
  }
}

/** Removes the benchmark's parent cgroups and any leaf left in them. */
export async function teardownCgroups(cg: Cgroups): Promise<void> {
  for (const parent of [cg.v2, cg.v1memory]) {
    if (!parent || !existsSync(parent)) continue;
    for (const e of readdirSync(parent, { withFileTypes: true })) {
      if (e.isDirectory()) await removeLeaf({ cpu: join(parent, e.name) });
    }
    try {
      rmdirSync(parent);
    } catch {
      // a process we did not start still in it: leave it
    }
  }
}

export interface Measured {
  wallMs: number;
  cpuMs: number;
  userMs: number;
  sysMs: number;
  /** Peak memory of the whole tree (cgroup). */
  peakBytes?: number;
  /** Largest VmHWM (peak RSS) and open descriptor count of the first process, sampled. */
  rootPeakRssBytes?: number;
  rootMaxFds?: number;
  exitCode: number;
  /** Lines of stdout and stderr matching opts.count. */
  counted: number;
  stdoutTail: string;
  stderrTail: string;
}

const TAIL = 4000;

function sampleRoot(pid: number, acc: { rss: number; fds: number }) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const hwm = /^VmHWM:\s+(\d+) kB/m.exec(status);
    if (hwm) acc.rss = Math.max(acc.rss, Number(hwm[1]) * 1024);
    acc.fds = Math.max(acc.fds, readdirSync(`/proc/${pid}/fd`).length);
  } catch {
    // exited between two samples
  }
}

/** Runs argv in a fresh leaf; resolves once it exited and its leftovers are gone. */
export async function runMeasured(
  cg: Cgroups,
  name: string,
  argv: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; count?: RegExp } = {},
): Promise<Measured> {
  const leaf = makeLeaf(cg, name);
  try {
    // The shell joins the leaves before exec'ing the command: every descendant is counted.
    const wrapper = 'echo $$ > "$1"; if [ -n "$2" ]; then echo $$ > "$2"; fi; shift 2; exec "$@"';
    const start = process.hrtime.bigint();
    const child = spawn(
      "/bin/sh",
      [
        "-c",
        wrapper,
        "sh",
        join(leaf.cpu, "cgroup.procs"),
        leaf.memory && leaf.memory !== leaf.cpu ? join(leaf.memory, "cgroup.procs") : "",
        ...argv,
      ],
      { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    let counted = 0;
    // Whole lines only: a chunk may end mid-line.
    const counter = () => {
      let carry = "";
      return (text: string, end = false) => {
        const lines = (carry + text).split("\n");
        carry = end ? "" : (lines.pop() ?? "");
        if (opts.count) for (const l of lines) if (opts.count.test(l)) counted++;
      };
    };
    const countOut = counter();
    const countErr = counter();
    child.stdout.on("data", (c: Buffer) => {
      stdout = (stdout + c.toString()).slice(-TAIL);
      countOut(c.toString());
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr = (stderr + c.toString()).slice(-TAIL);
      countErr(c.toString());
    });
    const acc = { rss: 0, fds: 0 };
    const pid = child.pid as number;
    const sampler = setInterval(() => sampleRoot(pid, acc), 25);
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 900_000);
    // "close": the process exited and its output is read to the end (for the counts).
    const exitCode = await new Promise<number>((resolve, reject) => {
      child.once("error", reject);
      child.once("close", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    });
    countOut("", true);
    countErr("", true);
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    clearInterval(sampler);
    clearTimeout(timer);
    const cpu = cpuUsec(leaf);
    return {
      wallMs,
      cpuMs: cpu.usage / 1000,
      userMs: cpu.user / 1000,
      sysMs: cpu.system / 1000,
      peakBytes: peakBytes(leaf),
      rootPeakRssBytes: acc.rss || undefined,
      rootMaxFds: acc.fds || undefined,
      exitCode,
      counted,
      stdoutTail: stdout,
      stderrTail: stderr,
    };
  } finally {
    await removeLeaf(leaf);
  }
}
