// The fault catalogue's shared harness (issue 7 §9). A fault test: brings the lab mesh to a known
// converged state, captures every managed file and the running state of the routers a change
// touches, injects one fault (through the test's own transport or driver wrapper, or through the
// lab; never through the product), runs the apply, lifts the fault, then waits until each router
// is either "new+healthy" (its files are what git renders, a second plan has nothing to do, the
// health gates pass) or "byte-identical" (files and running state as before), checks that the
// journal says the same, and records the fault, its end state and the time to recover as one JSON
// line of the results file that `npm run faults` prints as a table.

import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, expect, it } from "vitest";
import { healthProbes } from "../../reconciler/apply/expectations.ts";
import { type ApplyDeps, applyCommand } from "../../reconciler/cli/apply.ts";
import type { ApplyDriver } from "../../reconciler/drivers/apply-contract.ts";
import { DESCRIPTORS } from "../../reconciler/drivers/descriptors.ts";
import type { HealthProbe } from "../../reconciler/drivers/health.ts";
import { APPLY_DRIVERS, DRIVERS } from "../../reconciler/drivers/index.ts";
import { loadRepo } from "../../reconciler/load/load.ts";
import { WorkingTreeReader } from "../../reconciler/load/reader.ts";
import type { Plan } from "../../reconciler/model/plan.ts";
import type { DesiredRepo } from "../../reconciler/model/repo.ts";
import type { JournalEntry } from "../../reconciler/state/store.ts";
import type { Transport } from "../../reconciler/transport/session.ts";
import { openSshTransport } from "../../reconciler/transport/ssh.ts";
import { ROOT } from "../helpers/example-repo.ts";
import { type LabRouter, nsExec, nsExecOk, pidAlive, readLab } from "../lab/lab.ts";
import { type LabRepo, makeLabRepo, removeLabRepo, useLab } from "../lab/lab-fixture.ts";
import { recordResult } from "./harness-results.ts";

export const MESH = ["router-a", "router-b", "router-c"] as const;
/** Short timeouts: the confirm timeout is the shortest the CLI takes for them (health + soak + 30). */
export const CONFIRM_S = 52;
export const HEALTH_S = 20;
export const SOAK_S = 2;
export const FAST_ARGS = [
  "--confirm-timeout",
  String(CONFIRM_S),
  "--health-timeout",
  String(HEALTH_S),
  "--soak",
  String(SOAK_S),
];

export type EndState = "new+healthy" | "byte-identical";

// ---------------------------------------------------------------- results

export { type FaultResult, RESULTS_PATH, recordResult } from "./harness-results.ts";

// ---------------------------------------------------------------- small things

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function router(name: string): LabRouter {
  const r = readLab().routers.find((x) => x.name === name);
  if (!r) throw new Error(`no lab router ${name}`);
  return r;
}

const sha = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 16);

// ---------------------------------------------------------------- the repository

export class FaultRepo {
  constructor(readonly lab: LabRepo) {}
  get dir(): string {
    return this.lab.dir;
  }
  /** The state store the runs write (the CLI's default: <repo>/.reconciler/state). */
  get stateDir(): string {
    return join(this.lab.dir, ".reconciler", "state");
  }
  path(rel: string): string {
    return join(this.lab.dir, rel);
  }
  read(rel: string): string {
    return readFileSync(this.path(rel), "utf8");
  }
  commit(message: string): void {
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.net", "commit", "-qam", message], {
      cwd: this.lab.dir,
    });
  }
  write(rel: string, text: string, message: string): void {
    writeFileSync(this.path(rel), text);
    this.commit(message);
  }
  /** Sets the OSPF cost of link `name` (a-b, a-c, b-c) in desired/links.yaml and commits. */
  setCost(name: string, cost: number): void {
    const text = this.read("desired/links.yaml");
    const start = text.indexOf(`  - name: ${name}\n`);
    if (start < 0) throw new Error(`no link ${name}`);
    const next = text.indexOf("\n  - name: ", start + 5);
    const block = text.slice(start, next < 0 ? undefined : next);
    if (!/cost: \d+/.test(block)) throw new Error(`link ${name} has no cost`);
    this.write(
      "desired/links.yaml",
      text.slice(0, start) + block.replace(/cost: \d+/, `cost: ${cost}`) + (next < 0 ? "" : text.slice(next)),
      `cost ${cost} on ${name}`,
    );
  }
  async load(): Promise<DesiredRepo> {
    const r = await loadRepo(new WorkingTreeReader(this.lab.dir), { descriptors: DESCRIPTORS });
    if (!r.repo) throw new Error(`the lab repo does not load: ${JSON.stringify(r.diagnostics.slice(0, 3))}`);
    return r.repo;
  }
}

let costSeq = 30;
/** A cost no earlier fault of this process used: every fault's change is a real change. */
export const freshCost = () => ++costSeq;

// ---------------------------------------------------------------- the CLI as a child process

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The run id the CLI announced on stderr ("run <id>: applying ..."), if any. */
  runId?: string;
}

export interface StartedCli {
  pid: number;
  kill(signal: NodeJS.Signals): void;
  done: Promise<CliRun>;
}

/** Starts bin/reconciler.js; `onStderr` sees stderr as it grows (to kill the run at a step). */
export function startCli(
  repo: FaultRepo,
  args: readonly string[],
  opts: {
    env?: Record<string, string>;
    onStderr?: (all: string, cli: StartedCli) => void;
    timeoutMs?: number;
  } = {},
): StartedCli {
  const child = spawn(process.execPath, [join(ROOT, "bin", "reconciler.js"), ...args, "--repo", repo.dir], {
    cwd: repo.dir,
    env: { ...process.env, NO_COLOR: "1", ...repo.lab.env, ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const started: StartedCli = {
    pid: child.pid ?? -1,
    kill: (signal) => {
      child.kill(signal);
    },
    done: new Promise((resolve, reject) => {
      const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 240_000);
      child.on("error", reject);
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        const runId = /^run (\S+):/m.exec(stderr)?.[1];
        resolve({ code, signal, stdout, stderr, ...(runId ? { runId } : {}) });
      });
    }),
  };
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
    opts.onStderr?.(stderr, started);
  });
  return started;
}

export const cli = (repo: FaultRepo, args: readonly string[], env?: Record<string, string>) =>
  startCli(repo, args, env ? { env } : {}).done;

/** `reconciler plan --json` of the given devices. */
export async function planJson(repo: FaultRepo, devices: readonly string[]): Promise<Plan> {
  const r = await cli(repo, ["plan", "--limit", devices.join(","), "--json"]);
  try {
    return JSON.parse(r.stdout) as Plan;
  } catch {
    throw new Error(`plan --json printed no plan (exit ${r.code}): ${r.stderr.slice(-2000)}`);
  }
}

// ---------------------------------------------------------------- the apply, in process

export interface WrapOptions {
  transport?: (t: Transport) => Transport;
  driver?: (d: ApplyDriver) => ApplyDriver;
}

/**
 * `reconciler apply --limit ... --yes --json` run in this process through the CLI's own command,
 * with the real SSH transport and the real Debian apply driver, each optionally wrapped by the
 * test (that is where faults are injected).
 */
export async function applyInProcess(
  repo: FaultRepo,
  limit: readonly string[],
  wrap: WrapOptions = {},
): Promise<{ code: number; output: string; runId?: string }> {
  let output = "";
  const out = new Writable({
    write(chunk, _enc, cb) {
      output += chunk.toString();
      cb();
    },
  });
  const env = { ...process.env, ...repo.lab.env };
  const deps: ApplyDeps = {
    drivers: DRIVERS,
    openTransport: (r, knownHosts) => {
      const t = openSshTransport(r.devices, knownHosts, { env });
      return wrap.transport ? wrap.transport(t) : t;
    },
    applyDrivers: wrap.driver ? { debian: wrap.driver(APPLY_DRIVERS.debian as ApplyDriver) } : APPLY_DRIVERS,
    env,
    ask: async () => false,
    interactive: false,
  };
  let code: number;
  try {
    code = await applyCommand(
      undefined,
      {
        repo: repo.dir,
        limit: limit.join(","),
        yes: true,
        json: true,
        confirmTimeout: String(CONFIRM_S),
        healthTimeout: String(HEALTH_S),
        soak: String(SOAK_S),
      },
      deps,
      out,
      false,
    );
  } catch (err) {
    const e = err as { exitCode?: number; message?: string };
    output += `\n${e.message ?? String(err)}`;
    code = typeof e.exitCode === "number" ? e.exitCode : 70;
  }
  let runId: string | undefined;
  try {
    runId = (JSON.parse(output) as { runId?: string }).runId;
  } catch {
    runId = undefined;
  }
  return { code, output, ...(runId ? { runId } : {}) };
}

/** A driver whose steps call `before`/`after` hooks around the real ones (per device). */
export function hookDriver(
  inner: ApplyDriver,
  hooks: Partial<{
    [K in keyof ApplyDriver]: {
      before?: (
        device: string,
        ...args: Parameters<NonNullable<ApplyDriver[K]> & ((...a: never[]) => unknown)>
      ) => Promise<void>;
      after?: (device: string) => Promise<void>;
      /** Runs beside the real step (started together): to cut the connection while the step runs. */
      during?: (device: string, runId: string) => Promise<void>;
    };
  }>,
): ApplyDriver {
  const wrapped = { ...inner } as Record<string, unknown>;
  for (const [name, hook] of Object.entries(hooks)) {
    const real = (inner as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[name];
    if (!real || !hook) continue;
    wrapped[name] = async (...args: unknown[]) => {
      const session = args[0] as { device: string };
      const ctx = args[1] as { runId: string };
      const h = hook as {
        before?: (d: string, ...a: unknown[]) => Promise<void>;
        after?: (d: string) => Promise<void>;
        during?: (d: string, runId: string) => Promise<void>;
      };
      await h.before?.(session.device, ...args);
      const p = real.apply(inner, args);
      const side = h.during?.(session.device, ctx.runId);
      try {
        return await p;
      } finally {
        await side;
        await h.after?.(session.device);
      }
    };
  }
  return wrapped as unknown as ApplyDriver;
}

// ---------------------------------------------------------------- faults through the lab

const sshdPidFile = (r: LabRouter) => join(r.dir, "ssh", "sshd.pid");

/** The router's listening sshd (from its pid file: the lab's recorded pid goes stale on a restart). */
export function sshdPid(r: LabRouter): number | undefined {
  try {
    const pid = Number(readFileSync(sshdPidFile(r), "utf8").trim());
    return pid > 1 && pidAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

function procChildren(): Map<number, number[]> {
  const kids = new Map<number, number[]>();
  for (const e of readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = kids.get(ppid) ?? [];
      list.push(Number(e));
      kids.set(ppid, list);
    } catch {
      // gone meanwhile
    }
  }
  return kids;
}

const comm = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
};

/**
 * Cuts every SSH connection to the router, as a dropped management path would: SIGKILL to the
 * sshd processes serving them (descendants of the router's listening sshd; the listener stays,
 * so new connections work). Returns how many processes were killed.
 */
export function cutSsh(name: string): number {
  const listener = sshdPid(router(name));
  if (!listener) throw new Error(`${name}: no listening sshd`);
  const kids = procChildren();
  const victims: number[] = [];
  const walk = (pid: number) => {
    for (const k of kids.get(pid) ?? []) {
      if (comm(k).startsWith("sshd")) {
        victims.push(k);
        walk(k);
      }
    }
  };
  walk(listener);
  for (const pid of victims) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  return victims.length;
}

/** Stops the router's sshd listener (existing sessions stay). */
export async function stopSshd(name: string): Promise<void> {
  const pid = sshdPid(router(name));
  if (!pid) return;
  process.kill(pid, "SIGTERM");
  for (let i = 0; i < 100 && pidAlive(pid); i++) await sleep(50);
  if (pidAlive(pid)) throw new Error(`${name}: sshd ${pid} did not stop`);
}

/** Starts the router's sshd as the lab does, unless it runs; waits until it accepts connections. */
export async function startSshd(name: string): Promise<void> {
  const r = router(name);
  if (sshdPid(r)) return;
  await nsExecOk(r, [
    "sh",
    "-c",
    '/usr/sbin/sshd -f "$1/ssh/sshd_config" -E "$1/log/sshd.log" </dev/null >/dev/null 2>&1',
    "sh",
    r.dir,
  ]);
  for (let i = 0; i < 100 && !sshdPid(r); i++) await sleep(50);
  if (!sshdPid(r)) throw new Error(`${name}: sshd did not start`);
}

/** Restarts bird on the router (birdc down, then bird as the lab starts it). */
export async function restartBird(name: string): Promise<void> {
  const r = router(name);
  await nsExec(r, ["birdc", "down"]);
  for (let i = 0; i < 100; i++) {
    if ((await nsExec(r, ["birdc", "show", "status"])).code !== 0) break;
    await sleep(50);
  }
  await nsExecOk(r, [
    "sh",
    "-c",
    "bird -c /etc/bird/bird.conf -u bird -g bird -P /run/bird/bird.pid </dev/null >/dev/null 2>&1",
  ]);
}

// ---------------------------------------------------------------- state capture

export interface DeviceState {
  /** Managed path -> "mode owner sha256 base64-of-content". */
  files: Record<string, string>;
  /** What the router runs, normalized (no counters, lifetimes, timestamps, ifindexes). */
  running: Record<string, string>;
}

const FILES_SCRIPT = [
  "for f in /etc/bird/bird.conf /etc/frr/frr.conf /etc/wireguard/*.conf /etc/network/interfaces.d/* /etc/sysctl.d/*; do",
  '  [ -f "$f" ] || continue',
  '  printf "@@file %s %s\\n" "$f" "$(stat -c "%a %U:%G" "$f")"',
  '  base64 -w0 "$f"; echo',
  "done",
].join("\n");

function stripKeys(value: unknown, drop: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => stripKeys(v, drop));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a.localeCompare(b),
    ))
      if (!drop.has(k)) out[k] = stripKeys(v, drop);
    return out;
  }
  return value;
}

const IP_VOLATILE = new Set(["ifindex", "link_index", "valid_life_time", "preferred_life_time"]);

function normIp(json: string): string {
  const list = JSON.parse(json || "[]") as { ifname?: string }[];
  const sorted = [...list].sort((a, b) => String(a.ifname).localeCompare(String(b.ifname)));
  return JSON.stringify(stripKeys(sorted, IP_VOLATILE), null, 1);
}

/** wg show all dump without handshake times and transfer counters; keys reduced to hashes. */
function normWg(dump: string): string {
  return dump
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const f = line.split("\t");
      if (f.length === 5) return [f[0], sha(f[1] ?? ""), f[2], f[3], f[4]].join("\t");
      return [f[0], f[1], sha(f[2] ?? ""), f[3], f[4], f[8]].join("\t");
    })
    .sort()
    .join("\n");
}

/** birdc show protocols without the "Since" column. */
function normBirdProtocols(text: string): string {
  return text
    .split("\n")
    .filter((l) => l.trim() && !/^BIRD .* ready\.$/.test(l.trim()))
    .map((l) =>
      l
        .replace(/\b\d{4}-\d\d-\d\d\b/g, "")
        .replace(/\b\d\d:\d\d:\d\d(\.\d+)?\b/g, "")
        .replace(/\s+/g, " ")
        .trim(),
    )
    .join("\n");
}

function normFrr(text: string): string {
  return text
    .split("\n")
    .filter((l) => !/^(Building configuration|Current configuration)/.test(l))
    .join("\n")
    .trim();
}

export async function captureState(name: string): Promise<DeviceState> {
  const r = router(name);
  const [files, addr, link, wg, bird, frr] = await Promise.all([
    nsExecOk(r, ["sh", "-c", FILES_SCRIPT]),
    nsExecOk(r, ["ip", "-j", "addr", "show"]),
    nsExecOk(r, ["ip", "-j", "link", "show"]),
    nsExec(r, ["wg", "show", "all", "dump"]),
    nsExec(r, ["birdc", "show", "protocols"]),
    nsExec(r, ["vtysh", "-c", "show running-config"]),
  ]);
  const fileMap: Record<string, string> = {};
  const lines = files.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = /^@@file (\S+) (.*)$/.exec(lines[i] ?? "");
    if (!m?.[1]) continue;
    const content = lines[i + 1] ?? "";
    fileMap[m[1]] = `${m[2]} ${sha(content)} ${content}`;
    i++;
  }
  return {
    files: fileMap,
    running: {
      "ip -j addr": normIp(addr),
      "ip -j link": normIp(link),
      "wg show all dump": wg.code === 0 ? normWg(wg.stdout) : `error ${wg.stderr}`,
      "birdc show protocols":
        bird.code === 0 ? normBirdProtocols(bird.stdout) : `error ${bird.stdout}${bird.stderr}`,
      "vtysh show running-config": frr.code === 0 ? normFrr(frr.stdout) : `error ${frr.stderr}`,
    },
  };
}

/** What differs between two captures: file paths and running-state names. */
export function stateDiff(before: DeviceState, after: DeviceState): string[] {
  const out: string[] = [];
  for (const p of new Set([...Object.keys(before.files), ...Object.keys(after.files)]))
    if (before.files[p] !== after.files[p]) out.push(p);
  for (const k of Object.keys(before.running)) if (before.running[k] !== after.running[k]) out.push(k);
  return out;
}

// ---------------------------------------------------------------- health (checked by the test itself)

/**
 * The health of a mesh router as the test sees it, from inside the router: every OSPF adjacency
 * the desired state implies Full in every instance on that interface, the neighbours' networks in
 * the kernel as proto bird, a WireGuard handshake with each link peer within the last 180 s.
 * Returns the problems (none = healthy).
 */
export async function healthProblems(desired: DesiredRepo, name: string): Promise<string[]> {
  const r = router(name);
  const probes = healthProbes(desired, name);
  const of = <K extends HealthProbe["kind"]>(kind: K) =>
    probes.filter((p) => p.kind === kind) as Extract<HealthProbe, { kind: K }>[];
  const expect = {
    ospfNeighbors: of("ospf-adjacency"),
    routes: of("route").map((r) => r.prefix),
    wireguardPeers: of("wireguard-tunnel"),
  };
  const problems: string[] = [];
  const instances = desired.expanded[name]?.ospf?.instances ?? [];
  for (const inst of instances) {
    const ifs = inst.areas.flatMap((a) => (a.interfaces ?? []).filter((i) => !i.passive).map((i) => i.name));
    const wanted = expect.ospfNeighbors.filter((n) => ifs.includes(n.interface));
    if (wanted.length === 0) continue;
    const out = await nsExec(r, ["birdc", "show", "ospf", "neighbors", inst.name]);
    for (const n of wanted) {
      const ok = out.stdout
        .split("\n")
        .some((l) => l.includes(n.routerId) && /\bFull\b/.test(l) && l.split(/\s+/).includes(n.interface));
      if (!ok) problems.push(`${inst.name}: neighbour ${n.routerId} on ${n.interface} not Full`);
    }
  }
  const routes = new Set<string>();
  for (const fam of ["-4", "-6"]) {
    const out = await nsExec(r, ["ip", fam, "-j", "route", "show", "proto", "bird"]);
    for (const x of JSON.parse(out.stdout || "[]") as { dst: string }[]) routes.add(x.dst);
  }
  for (const p of expect.routes) {
    const host = p.endsWith("/32") || p.endsWith("/128") ? p.replace(/\/(32|128)$/, "") : p;
    if (!routes.has(p) && !routes.has(host)) problems.push(`route ${p} not from bird`);
  }
  const now = Math.floor(Date.now() / 1000);
  for (const p of expect.wireguardPeers) {
    const out = await nsExec(r, ["wg", "show", p.interface, "latest-handshakes"]);
    const hs = Number(
      out.stdout
        .split("\n")
        .find((l) => l.startsWith(p.publicKey))
        ?.split("\t")[1] ?? 0,
    );
    if (!(hs > 0 && hs >= now - 180))
      problems.push(`${p.interface}: no handshake with ${p.publicKey} in 180 s`);
  }
  return problems;
}

// ---------------------------------------------------------------- what the device keeps

/** Revert timers of any run still pending on the router. */
export async function pendingTimers(name: string): Promise<number[]> {
  const out = await nsExec(router(name), [
    "sh",
    "-c",
    'for p in /var/lib/reconciler/runs/*/timer.pid; do [ -f "$p" ] && cat "$p" && echo; done; true',
  ]);
  return out.stdout
    .split("\n")
    .map(Number)
    .filter((p) => p > 1 && pidAlive(p));
}

/** What a finished run must not leave on the router: its lock, candidate files. */
export async function leftovers(name: string): Promise<string[]> {
  const out = await nsExec(router(name), [
    "sh",
    "-c",
    '[ -e /var/lib/reconciler/lock ] && echo "lock held: $(cat /var/lib/reconciler/lock/owner 2>/dev/null | tr \'\\n\' \' \')"; for d in /var/lib/reconciler/runs/*/candidate; do [ -e "$d" ] && echo "candidate left: $d"; done; true',
  ]);
  return out.stdout.split("\n").filter(Boolean);
}

/**
 * Test cleanup between faults: waits out pending revert timers, then removes any lock and any
 * candidate directory left on the mesh routers.
 */
export async function resetRouters(): Promise<void> {
  const deadline = Date.now() + (CONFIRM_S + 20) * 1000;
  for (const d of MESH) {
    while ((await pendingTimers(d)).length > 0 && Date.now() < deadline) await sleep(1000);
    await nsExec(router(d), [
      "sh",
      "-c",
      "rm -rf /var/lib/reconciler/lock /var/lib/reconciler/runs/*/candidate",
    ]);
  }
}

// ---------------------------------------------------------------- the journal

export type JournalLine = JournalEntry;

/** Size of the journal now: what a fault's runs write comes after it. */
export function journalSize(stateDir: string): number {
  const path = join(stateDir, "journal.jsonl");
  return existsSync(path) ? readFileSync(path).length : 0;
}

/**
 * The journal's entries from byte `from` on (unparsable lines skipped: the test reads it
 * leniently, on purpose).
 */
export function readJournal(stateDir: string, from = 0): JournalLine[] {
  const path = join(stateDir, "journal.jsonl");
  if (!existsSync(path)) return [];
  const out: JournalLine[] = [];
  for (const line of readFileSync(path).subarray(from).toString("utf8").split("\n")) {
    try {
      const e = JSON.parse(line) as JournalLine;
      if (e && typeof e.step === "string" && typeof e.device === "string") out.push(e);
    } catch {
      // torn or foreign line
    }
  }
  return out;
}

/**
 * What the journal says a run left on a device: a confirm means the new config; a rollback, or no
 * commit at all, means the old one; a commit never confirmed nor rolled back must be followed by
 * an entry saying the device reverts (or reverted) by itself, else the journal does not say.
 * An explicit outcome entry (step "outcome"/"result", detail naming the end state) wins.
 */
export function journalVerdict(entries: readonly JournalLine[], device: string): EndState | string {
  const mine = entries.filter((e) => e.device === device);
  if (mine.length === 0) return "byte-identical";
  const runs = [...new Set(mine.map((e) => e.runId))];
  const committed = runs.filter((id) => mine.some((e) => e.runId === id && e.step === "commit"));
  // The device's end state is what the last run that committed on it says (no commit: unchanged).
  const last = committed[committed.length - 1];
  if (last === undefined) {
    const end = [...mine].reverse().find((e) => /^(end|outcome|result)$/.test(e.step));
    return end && !/byte-identical|never committed|not-applied/.test(end.detail ?? "")
      ? `the journal says "${end.detail}" though nothing was committed`
      : "byte-identical";
  }
  const run = mine.filter((e) => e.runId === last);
  // The executor's closing entry (step "end"), when it writes one, is what the journal says.
  const explicit = [...run].reverse().find((e) => /^(end|outcome|result)$/.test(e.step));
  if (explicit) {
    const d = explicit.detail ?? "";
    if (/new\+healthy|^confirmed|new configuration, healthy/.test(d)) return "new+healthy";
    if (/byte-identical|revert(s|ed|ing)? by itself/.test(d)) return "byte-identical";
    return `the journal says "${d}"`;
  }
  if (run.some((e) => e.step === "confirm" && e.ok)) return "new+healthy";
  if (run.some((e) => e.step === "rollback" && e.ok)) return "byte-identical";
  // A run that died after its commit: a later entry (a later run) must say the device reverted.
  const later = mine.filter((e) => e.runId !== last && e.time >= (run[run.length - 1]?.time ?? ""));
  if (later.some((e) => (e.detail ?? "").includes(last) && /revert/i.test(e.detail ?? "")))
    return "byte-identical";
  return `the journal does not say (run ${last}: ${run.map((e) => `${e.step}${e.ok ? "" : " FAILED"}`).join(", ")})`;
}

// ---------------------------------------------------------------- one fault

export interface FaultContext {
  repo: FaultRepo;
}

export interface Outcome {
  /** Device -> end state or what it is instead. */
  states: Record<string, string>;
  /** Device -> what the journal says. */
  journal: Record<string, string>;
  recoverS: number | null;
  leftovers: string[];
}

/** Waits until the mesh routers run no revert timer and the given routers are healthy. */
export async function waitQuiet(
  repo: FaultRepo,
  devices: readonly string[],
  timeoutMs = 90_000,
): Promise<void> {
  const desired = await repo.load();
  const deadline = Date.now() + timeoutMs;
  let last: string[] = [];
  while (Date.now() < deadline) {
    last = [];
    for (const d of MESH)
      if ((await pendingTimers(d)).length > 0) last.push(`${d}: a revert timer is pending`);
    for (const d of devices) last.push(...(await healthProblems(desired, d)).map((p) => `${d}: ${p}`));
    if (last.length === 0) return;
    await sleep(2000);
  }
  throw new Error(`the lab did not settle before the fault: ${last.join("; ")}`);
}

export class Fault {
  readonly before: Record<string, DeviceState> = {};
  t0 = 0;
  /** Where the default state store's journal ended when the fault began. */
  journalFrom = 0;
  outcome: Outcome | undefined;
  constructor(
    readonly name: string,
    readonly repo: FaultRepo,
    readonly devices: readonly string[],
  ) {}

  /** Captures the routers (after the lab has settled); the clock of "time to recover" starts. */
  async begin(): Promise<void> {
    await waitQuiet(this.repo, MESH);
    for (const d of this.devices) this.before[d] = await captureState(d);
    this.journalFrom = journalSize(this.repo.stateDir);
    this.t0 = Date.now();
  }

  /**
   * After the run (and after the fault is lifted): waits until no revert timer is pending and
   * each router is new+healthy or byte-identical (at most `maxWaitMs`), then reads the journal
   * of the runs since begin().
   */
  async settle(
    opts: { stateDir?: string; maxWaitMs?: number; runIds?: readonly string[] } = {},
  ): Promise<Outcome> {
    const stateDir = opts.stateDir ?? this.repo.stateDir;
    const deadline = Date.now() + (opts.maxWaitMs ?? (CONFIRM_S + 60) * 1000);
    let states: Record<string, string> = {};
    let reached: number | null = null;
    for (;;) {
      const timers = (await Promise.all(this.devices.map(pendingTimers))).flat();
      if (timers.length === 0) {
        states = await this.classify();
        if (Object.values(states).every((s) => s === "new+healthy" || s === "byte-identical")) {
          reached = Date.now();
          break;
        }
      } else states = Object.fromEntries(this.devices.map((d) => [d, "a revert timer is still pending"]));
      if (Date.now() > deadline) break;
      await sleep(2000);
    }
    const entries = readJournal(stateDir, stateDir === this.repo.stateDir ? this.journalFrom : 0).filter(
      (e) => !opts.runIds || opts.runIds.includes(e.runId),
    );
    const journal = Object.fromEntries(this.devices.map((d) => [d, journalVerdict(entries, d)]));
    const left = (
      await Promise.all(this.devices.map(async (d) => (await leftovers(d)).map((l) => `${d}: ${l}`)))
    ).flat();
    this.outcome = {
      states,
      journal,
      recoverS: reached === null ? null : Math.round((reached - this.t0) / 100) / 10,
      leftovers: left,
    };
    return this.outcome;
  }

  private async classify(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    const changed: string[] = [];
    const diffs: Record<string, string[]> = {};
    for (const d of this.devices) {
      const before = this.before[d];
      if (!before) throw new Error(`no capture of ${d}`);
      const diff = stateDiff(before, await captureState(d));
      if (diff.length === 0) out[d] = "byte-identical";
      else {
        changed.push(d);
        diffs[d] = diff;
      }
    }
    if (changed.length === 0) return out;
    const desired = await this.repo.load();
    const plan = await planJson(this.repo, changed);
    for (const d of changed) {
      const status = plan.devices.find((x) => x.device === d)?.status ?? "missing";
      const problems = await healthProblems(desired, d);
      if (status === "unchanged" && problems.length === 0) out[d] = "new+healthy";
      else
        out[d] =
          `neither: differs in ${(diffs[d] ?? []).join(", ")}; plan: ${status}` +
          (problems.length ? `; unhealthy: ${problems.join("; ")}` : "");
    }
    return out;
  }

  /** One line for the table: the common end state, or each device's. */
  summary(): string {
    const o = this.outcome;
    if (!o) return "no end state (the test stopped before it)";
    const values = Object.values(o.states);
    const same = values.every((v) => v === values[0]);
    const core =
      same && values[0] !== undefined
        ? values[0]
        : Object.entries(o.states)
            .map(([d, s]) => `${d}: ${s}`)
            .join(", ");
    const mismatch = Object.entries(o.journal)
      .filter(([d, j]) => j !== o.states[d])
      .map(([d, j]) => `${d}: journal says ${j}`);
    return [core, ...mismatch, ...o.leftovers].join("; ");
  }

  /** The assertions every fault makes: an allowed end state per device, and the journal agrees. */
  check(allowed: Readonly<Record<string, readonly EndState[]>>, opts: { oneWave?: boolean } = {}): void {
    const o = this.outcome;
    if (!o) throw new Error("settle() first");
    // Both ends of a changed link are one wave, and a wave ends whole: all new, or all as before.
    if (opts.oneWave ?? true)
      expect(
        new Set(Object.values(o.states)).size,
        `one end state for the whole wave: ${JSON.stringify(o.states)}`,
      ).toBe(1);
    for (const d of this.devices) {
      expect(allowed[d] ?? ["new+healthy", "byte-identical"], `${d}'s end state`).toContain(o.states[d]);
      expect(o.journal[d], `what the journal says of ${d}`).toBe(o.states[d]);
    }
    expect(o.leftovers, "lock or candidate files left on a router").toEqual([]);
  }
}

/** Declares one fault test: records its result line whether it passes or fails. */
export function faultTest(
  name: string,
  fn: (rec: { use(f: Fault): Fault; note(text: string): void }) => Promise<void>,
  timeoutMs = 240_000,
): void {
  it(
    name,
    async () => {
      let fault: Fault | undefined;
      let error: unknown;
      const notes: string[] = [];
      try {
        await fn({
          use: (f) => {
            fault = f;
            return f;
          },
          note: (text) => {
            notes.push(text);
          },
        });
      } catch (e) {
        error = e;
      }
      const detail = error
        ? String((error as Error).message ?? error)
            .split("\n")
            .slice(0, 6)
            .join(" ")
            .slice(0, 600)
        : undefined;
      // Whatever the fault left (a lock, candidate files) must not fail the next fault too: clean
      // up after the assertions, never before them.
      await resetRouters().catch(() => undefined);
      recordResult({
        fault: name,
        endState: fault?.outcome ? fault.summary() : "no end state (the test stopped before it)",
        recoverS: fault?.outcome?.recoverS ?? null,
        ok: !error,
        ...(detail ? { detail } : {}),
        ...(notes.length ? { note: notes.join("; ").slice(0, 600) } : {}),
      });
      if (error) throw error;
    },
    timeoutMs,
  );
}

// ---------------------------------------------------------------- the file's lab

/**
 * The lab for one test file (up before, down after: leftovers of earlier runs are torn down by
 * lab.sh up) with the example mesh built and converged: keys generated on the routers and
 * committed, then router-a/b/c applied. The getter returns the repository.
 */
export function useMesh(): () => FaultRepo {
  const lab = useLab();
  let repo: FaultRepo | undefined;
  beforeAll(async () => {
    repo = new FaultRepo(makeLabRepo(lab()));
    const keys = await cli(repo, ["keys", "--limit", MESH.join(",")]);
    if (keys.code !== 0) throw new Error(`keys failed (${keys.code}): ${keys.stderr}${keys.stdout}`);
    repo.commit("the mesh's keys");
    const built = await cli(repo, ["apply", "--limit", MESH.join(","), "--yes", "--soak", "0"]);
    if (built.code !== 0)
      throw new Error(`the mesh was not built (${built.code}): ${built.stdout}${built.stderr}`);
  }, 240_000);
  afterAll(() => {
    if (repo) removeLabRepo(repo.lab);
  });
  return () => {
    if (!repo) throw new Error("the mesh is not built");
    return repo;
  };
}
