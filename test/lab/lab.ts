// Helper for tests, the demo and benchmarks: drives test/lab/lab.sh and describes the
// running lab (read from routers.json in the lab's state dir).
//
// Every value handed to a child process goes in an argument array: no shell string is
// ever built from topology or caller values.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));

/** Path of the lab script. */
export const LAB_SH = join(HERE, "lab.sh");
/** The default topology (4 Debian routers and the RouterOS tower-1). */
export const DEFAULT_TOPOLOGY = join(HERE, "topology.json");
/** Prefix of every lab namespace and host-side link. */
export const NS_PREFIX = "rcl-";

/** One end of an underlay link. */
export interface LabLinkEnd {
  router: string;
  /** Interface name inside the router, e.g. "eth-b". */
  ifname: string;
  /** Address with prefix, e.g. "198.51.100.64/31". */
  address: string;
}

export interface LabLink {
  a: LabLinkEnd;
  b: LabLinkEnd;
}

/** One running lab router, as recorded in routers.json (plus the lab-wide key paths). */
export interface LabRouter {
  name: string;
  /** Network namespace, "rcl-<name>". */
  namespace: string;
  /** Management address (interface mgmt0), where sshd listens. */
  mgmtAddress: string;
  sshPort: number;
  /** Login user ("root"; "reconciler" on a RouterOS router). */
  user: string;
  /**
   * "debian" (sshd, bird2, FRR), "routeros" (the RouterOS simulator backed by bird2) or
   * "opnsense" (a Debian router dressed as OPNsense by test/sim/opnsense/lab-setup.sh).
   */
  platform: "debian" | "routeros" | "opnsense" | "opengear";
  // "opengear": a Debian router dressed as an Opengear by test/sim/opengear/lab-setup.sh.
  /** Private key the reconciler logs in with (lab-wide). */
  privateKeyPath: string;
  /** known_hosts file holding every router's host key (lab-wide). */
  knownHostsPath: string;
  /** This router's host key, "ssh-ed25519 AAAA...". */
  hostKey: string;
  /** Per-router state dir on the host (its private /etc/bird etc. are subdirs). */
  dir: string;
  /** Pid of the router's init process; its namespaces are the router. */
  initPid: number;
  /**
   * Pids recorded at start: init, sshd, bird, watchfrr, zebra, bgpd, ospfd, ospf6d, staticd on a
   * Debian router; init, bird and node (the simulator) on a RouterOS one.
   */
  pids: Record<string, number>;
}

export interface Lab {
  stateDir: string;
  startedAt: string;
  privateKeyPath: string;
  knownHostsPath: string;
  /** Host bridge of the management network. */
  bridge: string;
  /** Host address on the bridge, with prefix ("198.51.100.129/26"). */
  hostAddress: string;
  routers: LabRouter[];
  links: LabLink[];
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** Exit code; null when killed by a signal (see `signal`). */
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ExecOptions {
  /** Text written to the command's stdin. */
  input?: string;
  /** Kill the command after this many ms (default 30 s). */
  timeoutMs?: number;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

/** The lab's state dir: $RECONCILER_LAB_DIR or /run/reconciler-lab (same rule as lab.sh). */
export function labDir(): string {
  return process.env.RECONCILER_LAB_DIR || "/run/reconciler-lab";
}

/** Run a program (argument array, no shell); never rejects on a non-zero exit. */
export function run(file: string, args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env: { ...process.env, ...opts.env },
      stdio: ["pipe", "pipe", "pipe"],
      timeout: opts.timeoutMs ?? 30_000,
      killSignal: "SIGKILL",
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code, signal) =>
      resolve({
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        code,
        signal,
      }),
    );
    child.stdin.on("error", () => {}); // the command may exit without reading its input
    child.stdin.end(opts.input ?? "");
  });
}

async function labSh(args: string[], timeoutMs: number): Promise<ExecResult> {
  const res = await run("bash", [LAB_SH, ...args], { timeoutMs });
  if (res.code !== 0) {
    const why = res.signal ? `killed by ${res.signal}` : `exit ${res.code}`;
    throw new Error(`lab.sh ${args.join(" ")} failed (${why}):\n${res.stderr}${res.stdout}`);
  }
  return res;
}

/** Bring the lab up (tearing down leftovers first) and return its description. */
export async function labUp(topologyPath: string = DEFAULT_TOPOLOGY): Promise<Lab> {
  await labSh(["up", topologyPath], 120_000);
  return readLab();
}

/** Stop everything the lab started; idempotent. */
export async function labDown(): Promise<void> {
  await labSh(["down"], 60_000);
}

/**
 * Adds router `name` to the running lab, reached only through router `via` (lab.sh hidden-up:
 * 198.51.100.242 on a veth to `via`, no other link or route). Returns its known_hosts line.
 */
export async function labHiddenUp(name: string, via: string): Promise<string> {
  const res = await labSh(["hidden-up", name, via], 60_000);
  return res.stdout.trim();
}

/** Read routers.json of the running lab; throws when the lab is not up. */
export function readLab(): Lab {
  const path = join(labDir(), "routers.json");
  if (!existsSync(path)) throw new Error(`lab is not running (no ${path}); run labUp() or npm run lab:up`);
  const raw = JSON.parse(readFileSync(path, "utf8")) as Omit<Lab, "routers"> & {
    routers: Omit<LabRouter, "privateKeyPath" | "knownHostsPath">[];
  };
  return {
    ...raw,
    routers: raw.routers.map((r) => ({
      ...r,
      privateKeyPath: raw.privateKeyPath,
      knownHostsPath: raw.knownHostsPath,
    })),
  };
}

/** A router of the running lab by name. */
export function labRouter(name: string): LabRouter {
  const r = readLab().routers.find((x) => x.name === name);
  if (!r) throw new Error(`no lab router named ${JSON.stringify(name)}`);
  return r;
}

/** sha256 of every file the Debian driver manages on a router: proof of byte-identical restores. */
export async function managedFileSums(router: LabRouter | string): Promise<string> {
  const r = await nsExec(router, [
    "sh",
    "-c",
    "sha256sum /etc/bird/bird.conf /etc/wireguard/*.conf /etc/sysctl.d/90-reconciler.conf /etc/network/interfaces.d/reconciler 2>/dev/null; true",
  ]);
  return r.stdout;
}

/** True when `pid` exists and is not a zombie. */
export function pidAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

export interface LabStatus {
  running: boolean;
  routers: { name: string; namespace: boolean; down: string[] }[];
}

/** State of each router: namespace present, recorded processes alive. */
export function labStatus(): LabStatus {
  let lab: Lab;
  try {
    lab = readLab();
  } catch {
    return { running: false, routers: [] };
  }
  const routers = lab.routers.map((r) => ({
    name: r.name,
    namespace: existsSync(`/run/netns/${r.namespace}`),
    down: Object.entries(r.pids)
      .filter(([, pid]) => !pidAlive(pid))
      .map(([daemon]) => daemon),
  }));
  return { running: routers.every((r) => r.namespace && r.down.length === 0), routers };
}

function resolveRouter(router: LabRouter | string): LabRouter {
  return typeof router === "string" ? labRouter(router) : router;
}

/**
 * Run a command inside a router: its network, mount and UTS namespaces, i.e. what an SSH
 * session into it sees (private /etc/bird, /etc/frr, /etc/wireguard, /run/wireguard, the
 * daemons' sockets). `cmd` as an array is run as is; as a string it is given to
 * `/bin/sh -c`, like an SSH command line. The environment is clean (PATH, HOME, LANG).
 */
export async function nsExec(
  router: LabRouter | string,
  cmd: string | readonly string[],
  opts: ExecOptions = {},
): Promise<ExecResult> {
  const r = resolveRouter(router);
  // The init pid must still be the router's (pids get reused): same network namespace
  // as the one bound at /run/netns/<namespace>.
  let same = false;
  try {
    same = statSync(`/proc/${r.initPid}/ns/net`).ino === statSync(`/run/netns/${r.namespace}`).ino;
  } catch {
    same = false;
  }
  if (!same) throw new Error(`router ${r.name} is not running (init pid ${r.initPid} gone)`);
  const argv = typeof cmd === "string" ? ["/bin/sh", "-c", cmd] : [...cmd];
  const env = Object.entries({
    PATH: "/usr/sbin:/usr/bin:/sbin:/bin",
    HOME: "/root",
    LANG: "C.UTF-8",
    ...opts.env,
  });
  return run(
    "nsenter",
    [
      "--target",
      String(r.initPid),
      "--net",
      "--mount",
      "--uts",
      "--",
      "env",
      "-i",
      ...env.map(([k, v]) => `${k}=${v}`),
      ...argv,
    ],
    { ...opts, env: {} },
  );
}

/** Like nsExec but throws (with stderr) on a non-zero exit; returns stdout. */
export async function nsExecOk(
  router: LabRouter | string,
  cmd: string | readonly string[],
  opts: ExecOptions = {},
): Promise<string> {
  const r = resolveRouter(router);
  const res = await nsExec(r, cmd, opts);
  if (res.code !== 0) {
    throw new Error(`${r.name}: ${JSON.stringify(cmd)} exited ${res.code ?? res.signal}: ${res.stderr}`);
  }
  return res.stdout;
}

/** OpenSSH client arguments for logging into `router` the way the reconciler must. */
export function sshArgs(router: LabRouter): string[] {
  return [
    "-i",
    router.privateKeyPath,
    "-p",
    String(router.sshPort),
    "-o",
    "BatchMode=yes",
    "-o",
    "IdentitiesOnly=yes",
    "-o",
    "StrictHostKeyChecking=yes",
    "-o",
    `UserKnownHostsFile=${router.knownHostsPath}`,
    "-o",
    "GlobalKnownHostsFile=/dev/null",
    "-o",
    "ConnectTimeout=10",
    "-o",
    "LogLevel=ERROR",
    `${router.user}@${router.mgmtAddress}`,
  ];
}

/** Run `command` on `router` over SSH with the OpenSSH client (exit 255 = ssh's own failure). */
export function sshExec(router: LabRouter, command: string, opts: ExecOptions = {}): Promise<ExecResult> {
  return run("ssh", [...sshArgs(router), "--", command], opts);
}

/** Set both ends of the underlay link(s) between routers `a` and `b` down or up. */
export async function setLink(a: string, b: string, up: boolean): Promise<void> {
  await labSh([up ? "link-up" : "link-down", a, b], 30_000);
}
