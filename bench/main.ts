// `npm run bench`: `reconciler plan` against Ansible and the OpenSSH floor on sshd-only network
// namespaces, plus the pure planner (and bench/startup.ts when present). Writes
// bench/results/latest.json and docs/benchmarks.md. Root only; run through `npm run bench`, which
// holds the lab user lock for the whole run so it never collides with the lab tests.
//
//   npm run bench -- [--sizes 10,50] [--rounds 3] [--delay-ms 50] [--delay-sizes 50]
//                    [--big 1000] [--no-ansible] [--no-planner] [--no-profile] [--impact]
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { debianDriver } from "../reconciler/drivers/debian/driver.ts";
import { DESCRIPTORS } from "../reconciler/drivers/descriptors.ts";
import { loadRepo } from "../reconciler/load/load.ts";
import type { RepoReader } from "../reconciler/load/reader.ts";
import { ansibleFiles } from "./ansible-inventory.ts";
import {
  type Cgroups,
  cpuUsec,
  type Leaf,
  makeLeaf,
  runMeasured,
  setupCgroups,
  teardownCgroups,
} from "./cgroup.ts";
import { fleetFiles } from "./fleet.ts";
import { plannerBench } from "./planner.ts";
import { type CpuProfile, summarizeProfile } from "./profile.ts";
import { type Relays, startRelays } from "./relays.ts";
import { headline, renderMarkdown } from "./render.ts";
import {
  type BigPoint,
  cpuPerDevice,
  type Machine,
  type Results,
  type Run,
  summarize,
  TOOLS,
  type Tool,
} from "./results.ts";
import { buildSnapshot, type Snapshot } from "./snapshot.ts";
import { addCounts, countSshdLog, type SshdCounts } from "./sshd-log.ts";
import { perDevice } from "./stats.ts";

const ROOT = join(import.meta.dirname, "..");
const NETNS = join(import.meta.dirname, "netns.sh");
const PLAYBOOK = join(import.meta.dirname, "ansible", "playbook.yml");
const MARKER = ".reconciler-bench";
const KEY_ENV = "BENCH_SSH_KEY";
/** What the floor reads: the files the reconciler's read script cats on these devices. */
const FLOOR_CMD = "cat /etc/bird/bird.conf /etc/network/interfaces.d/reconciler /etc/wireguard/*.conf";
const SSH_OPTS = [
  "-F",
  "none",
  "-o",
  "BatchMode=yes",
  "-o",
  "StrictHostKeyChecking=yes",
  "-o",
  "KexAlgorithms=curve25519-sha256",
];

const { values: flags } = parseArgs({
  options: {
    sizes: { type: "string", default: "10,50" },
    rounds: { type: "string", default: "3" },
    "delay-ms": { type: "string", default: "50" },
    "delay-sizes": { type: "string" },
    big: { type: "string", default: "0" },
    "no-ansible": { type: "boolean", default: false },
    "no-planner": { type: "boolean", default: false },
    "no-profile": { type: "boolean", default: false },
    impact: { type: "boolean", default: false },
  },
});

function intList(name: string, text: string, min: number, max: number): number[] {
  const out = text.split(",").filter(Boolean).map(Number);
  for (const v of out) {
    if (!Number.isInteger(v) || v < min || v > max)
      throw new Error(`--${name}: expected integers ${min}..${max}, got '${text}'`);
  }
  return out;
}
const sizes = intList("sizes", flags.sizes, 2, 5000);
const [rounds = 3] = intList("rounds", flags.rounds, 1, 50);
const [delayMs = 0] = intList("delay-ms", flags["delay-ms"], 0, 1000);
const delaySizes = delayMs
  ? flags["delay-sizes"] !== undefined
    ? intList("delay-sizes", flags["delay-sizes"], 2, 5000)
    : [sizes.includes(50) ? 50 : Math.max(...sizes)]
  : [];
const [bigN = 0] = intList("big", flags.big, 0, 60000);

const log = (s: string) => console.error(`bench: ${s}`);

function sh(argv: string[], what: string): string {
  const r = spawnSync(argv[0] as string, argv.slice(1), { encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0)
    throw new Error(`${what} failed (exit ${r.status}): ${(r.stderr || r.stdout || "").slice(-2000)}`);
  return r.stdout;
}
const has = (cmd: string) => spawnSync("sh", ["-c", 'command -v "$1"', "sh", cmd]).status === 0;

// ------------------------------------------------------------------ preconditions

if (process.getuid?.() !== 0) throw new Error("the benchmark must run as root (network namespaces, cgroups)");
for (const tool of ["ip", "unshare", "ssh", "ssh-keygen", "setsid"]) {
  if (!has(tool))
    throw new Error(
      `missing '${tool}' (Debian: apt-get install iproute2 util-linux openssh-client openssh-server)`,
    );
}
if (!existsSync("/usr/sbin/sshd"))
  throw new Error("missing /usr/sbin/sshd (Debian: apt-get install openssh-server)");
if (!flags["no-ansible"] && !has("ansible-playbook")) {
  log("installing Debian's ansible (apt-get install ansible)");
  const r = spawnSync("apt-get", ["install", "-y", "--no-install-recommends", "ansible"], {
    stdio: "inherit",
  });
  if (r.status !== 0) throw new Error("apt-get install ansible failed; install it, or run with --no-ansible");
}

// ------------------------------------------------------------------ state and clean-up

// Leftovers of an earlier run: its namespaces (netns.sh down), cgroups and state dirs.
for (const e of readdirSync("/tmp")) {
  if (e.startsWith("reconciler-bench-") && existsSync(join("/tmp", e, MARKER))) {
    spawnSync("bash", [NETNS, "down", join("/tmp", e)], { stdio: "inherit" });
    rmSync(join("/tmp", e), { recursive: true, force: true });
  }
}
const cg: Cgroups = setupCgroups();
await teardownCgroups(cg);
const cgroups = setupCgroups();
const STATE = mkdtempSync("/tmp/reconciler-bench-");
writeFileSync(join(STATE, MARKER), "created by bench/main.ts; removed when it ends\n");
let relays: Relays | undefined;

let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await relays?.close();
    spawnSync("bash", [NETNS, "down", STATE], { stdio: "inherit" });
    await teardownCgroups(cgroups);
    rmSync(STATE, { recursive: true, force: true });
  })();
  return cleaning;
}
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.once(sig, () => {
    log(`${sig}: cleaning up`);
    void cleanup().then(() => process.exit(130));
  });
}

// ------------------------------------------------------------------ the run

const startedAt = new Date().toISOString();
const notes: string[] = [];
const runs: Run[] = [];
let big: BigPoint | undefined;
let profile: Results["profile"];
let planner: Results["planner"] = [];
const sections: Record<string, unknown> = {};

const KEY = join(STATE, "id_ed25519");
sh(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "reconciler-bench", "-f", KEY], "ssh-keygen");
writeFileSync(join(STATE, "authorized_keys"), readFileSync(`${KEY}.pub`));
const sshdLeaf: Leaf = makeLeaf(cgroups, "sshd");
writeFileSync(join(STATE, "cgroup-sshd"), sshdLeaf.cpu);

/** Device d's management address (netns.sh's numbering). */
function addr(d: number): string {
  const v = 16 + d;
  return `198.18.${v >> 8}.${v & 255}`;
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

/** Where each device path lives in a namespace's state dir (netns.sh's private mounts). */
const PRIVATE: [string, string][] = [
  ["/etc/bird/", "etc-bird"],
  ["/etc/frr/", "etc-frr"],
  ["/etc/wireguard/", "etc-wireguard"],
  ["/etc/network/interfaces.d/", "etc-interfaces-d"],
  ["/etc/sysctl.d/", "etc-sysctl-d"],
];

/** Fills each namespace's private dirs with the files the reconciler renders for its first device. */
async function fillNamespaces(n: number, k: number, m: number): Promise<void> {
  const loaded = await loadRepo(new MemoryReader(fleetFiles(n, { host: (i) => ({ host: addr(i) }) })), {
    descriptors: DESCRIPTORS,
  });
  const repo = loaded.repo;
  if (!repo) throw new Error(`the generated fleet of ${n} is invalid: ${loaded.diagnostics[0]?.message}`);
  rmSync(join(STATE, "ns"), { recursive: true, force: true });
  for (let i = 0; i < k; i++) {
    const name = `r${i * m}`;
    const device = repo.devices[name];
    if (!device) throw new Error(`no device ${name}`);
    const c = debianDriver.candidate(repo.expanded[name] ?? {}, device, {
      device: name,
      platform: "debian",
      state: {},
      artifacts: {},
      publicKeys: {},
      fingerprint: "",
    });
    if (c.kind !== "files") throw new Error("the Debian driver renders files");
    for (const [, dir] of PRIVATE) mkdirSync(join(STATE, "ns", String(i), dir), { recursive: true });
    for (const [path, text] of Object.entries(c.files)) {
      if (text === null) continue;
      const where = PRIVATE.find(([p]) => path.startsWith(p));
      if (!where) throw new Error(`${path}: not in a private directory of the namespace`);
      writeFileSync(join(STATE, "ns", String(i), where[1], path.slice(where[0].length)), text);
    }
  }
}

interface Target {
  /** Per device: where the tools connect. */
  hosts: { host: string; port: number }[];
  knownHosts: string;
}

function directTarget(n: number, m: number): Target {
  const keys = new Map<string, string>();
  for (const line of readFileSync(join(STATE, "known_hosts"), "utf8").split("\n")) {
    const [h, ...rest] = line.split(" ");
    if (h) keys.set(h, rest.join(" "));
  }
  const hosts = Array.from({ length: n }, (_, i) => ({ host: addr(i), port: 22 }));
  const knownHosts = hosts.map((h) => `${h.host} ${keys.get(h.host)}`).join("\n");
  void m;
  return { hosts, knownHosts };
}

interface Prepared {
  repo: string;
  ansibleDir: string;
  floorScript: string;
  knownHostsFile: string;
}

function prepare(label: string, n: number, t: Target): Prepared {
  const base = join(STATE, label);
  const repo = join(base, "repo");
  const files = fleetFiles(n, { host: (i) => t.hosts[i] as { host: string; port: number }, keyEnv: KEY_ENV });
  files.set("inventory/known_hosts", `${t.knownHosts}\n`);
  for (const [p, text] of files) {
    mkdirSync(dirname(join(repo, p)), { recursive: true });
    writeFileSync(join(repo, p), text);
  }
  const knownHostsFile = join(base, "known_hosts");
  writeFileSync(knownHostsFile, `${t.knownHosts}\n`);
  const ansibleDir = join(base, "ansible");
  mkdirSync(ansibleDir, { recursive: true });
  for (const [name, text] of ansibleFiles(n, t.hosts, {
    key: KEY,
    knownHosts: knownHostsFile,
    dir: ansibleDir,
    sshOpts: SSH_OPTS,
  })) {
    writeFileSync(join(ansibleDir, name), text);
  }
  const q = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
  const lines = ["#!/bin/bash", "pids=()"];
  for (const h of t.hosts) {
    const args = [
      ...SSH_OPTS,
      "-i",
      KEY,
      "-o",
      `UserKnownHostsFile=${knownHostsFile}`,
      "-p",
      String(h.port),
      `root@${h.host}`,
    ];
    lines.push(`ssh ${args.map(q).join(" ")} ${q(FLOOR_CMD)} >/dev/null & pids+=($!)`);
  }
  lines.push(
    // biome-ignore lint/suspicious/noTemplateCurlyInString: bash, not a template
    'fail=0; for p in "${pids[@]}"; do wait "$p" || fail=$((fail + 1)); done',
    '[ "$fail" = 0 ] || { echo "$fail ssh failed" >&2; exit 1; }',
  );
  const floorScript = join(base, "floor.sh");
  writeFileSync(floorScript, `${lines.join("\n")}\n`);
  return { repo, ansibleDir, floorScript, knownHostsFile };
}

function argvFor(tool: Tool, p: Prepared): { argv: string[]; env: NodeJS.ProcessEnv; ok: number[] } {
  const env = { ...process.env, [KEY_ENV]: KEY, NO_COLOR: "1" };
  if (tool === "reconciler") {
    return {
      argv: [process.execPath, snapshot.bin, "plan", "--repo", p.repo],
      env,
      ok: [0, 2],
    };
  }
  if (tool === "ansible") {
    return {
      argv: ["ansible-playbook", "-i", join(p.ansibleDir, "inventory.yml"), "--check", "--diff", PLAYBOOK],
      env: {
        ...env,
        ANSIBLE_CONFIG: join(p.ansibleDir, "ansible.cfg"),
        ANSIBLE_HOME: join(p.ansibleDir, "home"),
      },
      ok: [0],
    };
  }
  return { argv: ["bash", p.floorScript], env, ok: [0] };
}

/** Byte offsets of each namespace's sshd log, so that a run counts only its own lines. */
function logOffsets(k: number): number[] {
  return Array.from({ length: k }, (_, i) => readFileSync(join(STATE, "ns", String(i), "sshd.log")).length);
}
function countSince(offsets: number[]): SshdCounts {
  let total: SshdCounts = { connections: 0, authenticated: 0, sessions: 0, byKind: {} };
  offsets.forEach((off, i) => {
    const text = readFileSync(join(STATE, "ns", String(i), "sshd.log"))
      .subarray(off)
      .toString("utf8");
    total = addCounts(total, countSshdLog(text));
  });
  return total;
}

async function measureTool(
  tool: Tool,
  p: Prepared,
  n: number,
  k: number,
  delay: number,
  round: number,
  allowed?: { exitCodes: number[]; count: RegExp },
): Promise<Run & { exitCode: number; counted: number }> {
  const { argv, env, ok: okCodes } = argvFor(tool, p);
  const ok = [...okCodes, ...(allowed?.exitCodes ?? [])];
  const offsets = logOffsets(k);
  const sshdBefore = cpuUsec(sshdLeaf).usage;
  const m = await runMeasured(cgroups, tool, argv, { env, cwd: p.repo, count: allowed?.count });
  // sshd logs a session's end after the client has gone: let it finish before counting.
  await new Promise((r) => setTimeout(r, 300));
  const sshdCpuMs = (cpuUsec(sshdLeaf).usage - sshdBefore) / 1000;
  const counts = countSince(offsets);
  if (!ok.includes(m.exitCode)) {
    throw new Error(
      `${tool} at N=${n} (delay ${delay}) exited ${m.exitCode}:\n${m.stderrTail}\n${m.stdoutTail}`,
    );
  }
  const run: Run = {
    tool,
    n,
    delayMs: delay,
    round,
    wallMs: m.wallMs,
    cpuMs: m.cpuMs,
    sshdCpuMs,
    peakBytes: m.peakBytes,
    rssBytes: m.rootPeakRssBytes,
    fds: m.rootMaxFds,
    connections: counts.connections,
    sessions: counts.sessions,
  };
  log(
    `${m.counted ? `${m.counted} device errors, exit ${m.exitCode}: ` : ""}N=${n} delay=${delay} round ${round} ${tool}: wall ${m.wallMs.toFixed(0)} ms, cpu ${m.cpuMs.toFixed(0)} ms, sshd ${sshdCpuMs.toFixed(0)} ms, ${counts.connections} conn (${counts.authenticated} authenticated), ${counts.sessions} exec`,
  );
  return { ...run, exitCode: m.exitCode, counted: m.counted };
}

async function profilePlan(p: Prepared, n: number): Promise<Results["profile"]> {
  const dir = join(STATE, "profile");
  mkdirSync(dir, { recursive: true });
  const { env } = argvFor("reconciler", p);
  const r = spawnSync(
    process.execPath,
    ["--cpu-prof", `--cpu-prof-dir=${dir}`, snapshot.bin, "plan", "--repo", p.repo],
    {
      env,
      encoding: "utf8",
      maxBuffer: 64 << 20,
    },
  );
  if (r.status !== 0 && r.status !== 2)
    throw new Error(`profiled plan exited ${r.status}: ${r.stderr.slice(-2000)}`);
  const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
  if (!file) throw new Error("node --cpu-prof wrote no profile");
  return { n, ...summarizeProfile(JSON.parse(readFileSync(join(dir, file), "utf8")) as CpuProfile) };
}

function machine(): Machine {
  const first = (cmd: string[]) => {
    const r = spawnSync(cmd[0] as string, cmd.slice(1), { encoding: "utf8" });
    return `${r.stdout}${r.stderr}`.split("\n")[0]?.trim() ?? "";
  };
  const osRelease = existsSync("/etc/os-release") ? readFileSync("/etc/os-release", "utf8") : "";
  return {
    cpu: cpus()[0]?.model.trim() ?? "unknown",
    cores: cpus().length,
    memoryBytes: totalmem(),
    kernel: first(["uname", "-r"]),
    os: /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(osRelease)?.[1] ?? "unknown",
    node: process.version,
    openssh: first(["ssh", "-V"]),
    ansible: flags["no-ansible"] ? "(not run)" : first(["ansible-playbook", "--version"]),
    reconciler: `${JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version} (${first(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])}${spawnSync("git", ["-C", ROOT, "diff", "--quiet", "HEAD", "--", "reconciler"]).status === 0 ? "" : ", with uncommitted changes"}), ${snapshot.mode}`,
  };
}

log("building a snapshot of the reconciler (scripts/build.ts)");
const snapshot: Snapshot = await buildSnapshot(ROOT, join(STATE, "reconciler"));
log(`reconciler: ${snapshot.mode}`);
const parallelOption = /--parallel\b/.test(
  spawnSync(process.execPath, [snapshot.bin, "plan", "--help"], { encoding: "utf8" }).stdout,
);

try {
  const tools = TOOLS.filter((t) => !(t === "ansible" && flags["no-ansible"]));
  if (!flags["no-planner"]) {
    log("the pure planner");
    planner = await plannerBench();
  }
  // Sections other helpers own, each in its own file: run when present.
  for (const [file, fn] of [
    ["startup.ts", "startupBench"],
    ["impact.ts", "impactBench"],
  ] as const) {
    // bench/impact.ts is opt-in (--impact): as of this writing it exhausts the heap on this machine.
    if (file === "impact.ts" && !flags.impact) continue;
    const path = join(import.meta.dirname, file);
    if (!existsSync(path)) {
      notes.push(`bench/${file} was absent: no ${fn} section.`);
      continue;
    }
    log(`bench/${file}`);
    const mod = (await import(path)) as Record<string, unknown>;
    const run = mod[fn];
    if (typeof run !== "function") throw new Error(`bench/${file} exports no ${fn}()`);
    sections[file.replace(/\.ts$/, "")] = await run();
  }
  for (const n of [...new Set([...sizes, ...delaySizes])].sort((a, b) => a - b)) {
    log(`N=${n}: ${n} namespaces`);
    await fillNamespaces(n, n, 1);
    sh(["bash", NETNS, "up", STATE, String(n), "1"], "netns.sh up");
    // sshd logs the readiness probes' connections late: keep them out of the first run's count.
    await new Promise((r) => setTimeout(r, 1000));
    const variants: { delay: number; target: Target }[] = [];
    if (sizes.includes(n)) variants.push({ delay: 0, target: directTarget(n, 1) });
    if (delaySizes.includes(n)) {
      const direct = directTarget(n, 1);
      relays = await startRelays("198.18.0.1", direct.hosts, delayMs);
      const keys = direct.knownHosts.split("\n").map((l) => l.split(" ").slice(1).join(" "));
      variants.push({
        delay: delayMs,
        target: {
          hosts: relays.ports.map((port) => ({ host: "198.18.0.1", port })),
          knownHosts: relays.ports.map((port, i) => `[198.18.0.1]:${port} ${keys[i]}`).join("\n"),
        },
      });
    }
    for (const v of variants) {
      const p = prepare(`n${n}-d${v.delay}`, n, v.target);
      for (let round = 0; round < rounds; round++) {
        // Interleaved, the order rotating each round: no tool always runs on a warmer machine.
        const order = tools.map((_, i) => tools[(i + round) % tools.length] as Tool);
        for (const tool of order) {
          const { exitCode: _e, counted: _c, ...run } = await measureTool(tool, p, n, n, v.delay, round);
          runs.push(run);
        }
      }
      if (v.delay === 0 && n === Math.max(...sizes) && !flags["no-profile"]) {
        log(`N=${n}: profiling reconciler plan`);
        profile = await profilePlan(p, n);
      }
    }
    await relays?.close();
    relays = undefined;
    sh(["bash", NETNS, "down", STATE], "netns.sh down");
  }
  if (bigN > 0) {
    const k = Math.min(bigN, 50);
    const m = Math.ceil(bigN / k);
    log(`N=${bigN}: ${k} namespaces with ${m} addresses each`);
    await fillNamespaces(k * m, k, m);
    sh(["bash", NETNS, "up", STATE, String(k), String(m)], "netns.sh up");
    await new Promise((r) => setTimeout(r, 1000));
    const keys = new Map(
      readFileSync(join(STATE, "known_hosts"), "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => [l.split(" ")[0], l]),
    );
    const hosts = Array.from({ length: bigN }, (_, i) => ({ host: addr(i), port: 22 }));
    const p = prepare(`big${bigN}`, bigN, {
      hosts,
      knownHosts: hosts.map((h) => keys.get(h.host)).join("\n"),
    });
    // Devices that fail to answer are a finding here, not a reason to lose the run's figures.
    const r = await measureTool("reconciler", p, bigN, k, 0, 0, {
      exitCodes: [1],
      count: /^\S+ \(debian\): error: /,
    });
    big = {
      n: bigN,
      namespaces: k,
      addressesPerNamespace: m,
      wallMs: r.wallMs,
      cpuMs: r.cpuMs,
      peakBytes: r.peakBytes,
      rssBytes: r.rssBytes,
      fds: r.fds,
      connections: r.connections,
      exitCode: r.exitCode,
      deviceErrors: r.counted,
      parallelOption,
    };
    sh(["bash", NETNS, "down", STATE], "netns.sh down");
  }
  if (!parallelOption)
    notes.push("`reconciler plan` has no `--parallel` option (checked with `plan --help`).");
  notes.push(
    "Each device is an sshd in its own network namespace on this machine: no network latency unless the relay adds it; the relay runs in the benchmark's own process, outside the measured cgroups.",
    "Peak memory on a cgroup v1 memory hierarchy (hybrid machines) is memory.max_usage_in_bytes, which includes page cache first touched during the run.",
    "sshd CPU includes what each tool runs on the devices (Ansible's Python modules, the reconciler's read script).",
    "Ansible templates the same files with Jinja templates written to match the reconciler's output; its diff is of the same files.",
  );
  const summary = summarize(runs);
  const rssPoints = summary
    .filter((s) => s.tool === "reconciler" && s.delayMs === 0 && s.median.rssBytes !== undefined)
    .map((s) => ({ n: s.n, value: s.median.rssBytes as number }));
  if (big?.rssBytes) rssPoints.push({ n: big.n, value: big.rssBytes });
  const results: Results = {
    startedAt,
    finishedAt: new Date().toISOString(),
    argv: ["npm run bench --", ...process.argv.slice(2)],
    machine: machine(),
    rounds,
    planner,
    sections,
    runs,
    summary,
    cpuPerDeviceMs: cpuPerDevice(summary),
    rssPerDeviceBytes: perDevice(rssPoints),
    big,
    profile,
    notes,
  };
  mkdirSync(join(import.meta.dirname, "results"), { recursive: true });
  writeFileSync(join(import.meta.dirname, "results", "latest.json"), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(ROOT, "docs", "benchmarks.md"), renderMarkdown(results));
  for (const line of headline(results)) console.log(line);
  log("wrote bench/results/latest.json and docs/benchmarks.md");
} finally {
  await cleanup();
}
