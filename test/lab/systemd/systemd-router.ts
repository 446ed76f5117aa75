// The Debian router booted with systemd (systemd-router.sh): bring it up and down from a test, the
// inventory entry and known_hosts the SSH transport needs, and a shell over a new connection.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ResolvedDevice } from "../../../reconciler/model/repo.ts";
import { openSshTransport, type SshTransport } from "../../../reconciler/transport/ssh.ts";
import { run } from "../lab.ts";

export const SYSTEMD_ROUTER_SH = join(dirname(fileURLToPath(import.meta.url)), "systemd-router.sh");
export const DEVICE_NAME = "rsd-router";
/** The variable the inventory entry names for the client key (credentials.keyFileEnv). */
const KEY_ENV = "RSD_ROUTER_SSH_KEY";

export interface SystemdRouter {
  /** Where this boot's client key, known_hosts and env are (removed by systemdRouterDown). */
  dir: string;
  device: ResolvedDevice;
  knownHosts: string;
  /** The network namespace the container runs in (rsd-router). */
  netns: string;
  /** The container's console output (for failure messages). */
  console: () => string;
  /** A transport that reaches only this router (one connection per transport). */
  transport: () => SshTransport;
  /** Runs a sh script over a brand-new connection, closed afterwards. */
  sh: (script: string, timeoutMs?: number) => Promise<{ stdout: string; stderr: string; exitCode: number }>;
}

async function script(args: string[], timeoutMs: number): Promise<string> {
  const r = await run("bash", [SYSTEMD_ROUTER_SH, ...args], { timeoutMs });
  if (r.code !== 0) {
    const why = r.signal ? `killed by ${r.signal}` : `exit ${r.code}`;
    throw new Error(`systemd-router.sh ${args.join(" ")} failed (${why}):\n${r.stderr}${r.stdout}`);
  }
  return r.stdout;
}

/** Builds the root filesystem if the cache is missing or stale (about 3 minutes), else returns at once. */
export async function systemdRouterBuild(): Promise<void> {
  await script(["build"], 900_000);
}

/** Removes leftovers, boots the router and waits for its sshd; throws (never skips) if it cannot. */
export async function systemdRouterUp(): Promise<SystemdRouter> {
  const out = mkdtempSync(join(tmpdir(), "rsd-router-"));
  await script(["up", out], 900_000);
  const env = Object.fromEntries(
    readFileSync(join(out, "env"), "utf8")
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  ) as Record<string, string>;
  const need = (k: string): string => {
    const v = env[k];
    if (!v) throw new Error(`systemd-router.sh up: no ${k} in ${join(out, "env")}`);
    return v;
  };
  const device: ResolvedDevice = {
    name: DEVICE_NAME,
    platform: "debian",
    host: need("ADDRESS"),
    port: Number(need("PORT")),
    user: need("USER"),
    credentials: { agent: false, keyFileEnv: KEY_ENV },
    sudo: false,
    connectTimeoutS: 10,
    groups: [],
    labels: {},
    vars: {},
  };
  const knownHosts = readFileSync(need("KNOWN_HOSTS"), "utf8");
  const transportEnv = { [KEY_ENV]: need("KEY") };
  const consolePath = need("CONSOLE");
  const transport = () =>
    openSshTransport({ [DEVICE_NAME]: device }, knownHosts, { env: transportEnv, keepaliveIntervalMs: 0 });
  return {
    dir: out,
    device,
    knownHosts,
    netns: need("NETNS"),
    console: () => {
      try {
        return readFileSync(consolePath, "utf8").slice(-4000);
      } catch {
        return "(no console log)";
      }
    },
    transport,
    async sh(text, timeoutMs = 60_000) {
      const t = transport();
      try {
        const s = await t.freshSession(DEVICE_NAME);
        const r = await s.sh(text, { allowFailure: true, timeoutMs });
        return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode };
      } finally {
        await t.closeAll();
      }
    },
  };
}

/** Stops the router and removes its namespace, mounts and processes; safe when nothing is up. */
export async function systemdRouterDown(router?: SystemdRouter): Promise<void> {
  try {
    await script(["down"], 60_000);
  } finally {
    if (router) rmSync(router.dir, { recursive: true, force: true });
  }
}
