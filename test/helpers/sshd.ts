// A throwaway OpenSSH server for transport tests: 127.0.0.1 on a random high port, its own host
// key, authorized_keys, config, pid file and log in a temp dir. Never touches the system's sshd
// or network namespaces. It must start: a test that needs it fails loudly when it cannot.
//
// The log (LogLevel VERBOSE) has one "Connection from" line per TCP connection, which is how
// tests count connections. PATH in sessions starts with <dir>/bin, where tests may put tools
// (a recording `sudo`, for instance), and HOME is <dir>/home (root's dotfiles are not read).
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const SSHD = "/usr/sbin/sshd";

export interface KeyPair {
  /** private key file (OpenSSH format, no passphrase) */
  path: string;
  /** the .pub line: "<type> <base64> <comment>" */
  publicLine: string;
  keyType: string;
  /** base64 key blob */
  key: string;
}

/** Generates a key pair with ssh-keygen in `dir`. */
export function generateKey(
  dir: string,
  name: string,
  type: "ed25519" | "rsa" | "ecdsa" = "ed25519",
): KeyPair {
  const path = join(dir, name);
  execFileSync("ssh-keygen", ["-q", "-t", type, "-N", "", "-C", name, "-f", path], { stdio: "pipe" });
  const publicLine = readFileSync(`${path}.pub`, "utf8").trim();
  const [keyType = "", key = ""] = publicLine.split(" ");
  return { path, publicLine, keyType, key };
}

/** A TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface TestSshd {
  dir: string;
  host: string;
  port: number;
  hostKey: KeyPair;
  /** Further host keys (SshdOptions.extraHostKeys). */
  extraHostKeys: KeyPair[];
  /** The key whose public half is in authorized_keys (for root). */
  clientKey: KeyPair;
  logPath: string;
  /** `[127.0.0.1]:port type base64`, as inventory/known_hosts would pin it. */
  knownHostsLine: string;
  log(): string;
  /** TCP connections accepted so far ("Connection from" lines in the log). */
  connections(): number;
  /** Successful logins so far ("Accepted ..." lines in the log). */
  logins(): number;
  /** Command sessions started so far ("Starting session" lines in the log). */
  commandsStarted(): number;
  /** Kills this sshd's per-connection processes (its children): every client sees its connection drop. */
  killConnections(): number;
  stop(): Promise<void>;
}

export interface SshdOptions {
  hostKeyType?: "ed25519" | "rsa" | "ecdsa";
  /** More host keys the server offers (of other types). */
  extraHostKeys?: ("ed25519" | "rsa" | "ecdsa")[];
  /** Extra sshd_config lines (they take precedence over the defaults). */
  config?: string[];
}

export async function startSshd(opts: SshdOptions = {}): Promise<TestSshd> {
  if (process.getuid?.() !== 0) throw new Error("the test sshd needs root (sshd's privilege separation)");
  mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  const dir = mkdtempSync(join(tmpdir(), "rcl-sshd-"));
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, "bin"));
  mkdirSync(join(dir, "home"));
  const hostKey = generateKey(dir, "host_key", opts.hostKeyType ?? "ed25519");
  const extraHostKeys = (opts.extraHostKeys ?? []).map((t, i) => generateKey(dir, `host_key_${i}_${t}`, t));
  const clientKey = generateKey(dir, "client_key");
  writeFileSync(join(dir, "authorized_keys"), `${clientKey.publicLine}\n`);
  const logPath = join(dir, "sshd.log");
  let lastError = "";
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    // sshd keeps the first value of a keyword: the caller's lines come first to override ours.
    const config = [
      ...(opts.config ?? []),
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${hostKey.path}`,
      ...extraHostKeys.map((k) => `HostKey ${k.path}`),
      `PidFile ${join(dir, "sshd.pid")}`,
      `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
      "UsePAM no",
      "StrictModes no",
      "PermitRootLogin yes",
      "PubkeyAuthentication yes",
      "PasswordAuthentication yes",
      "KbdInteractiveAuthentication no",
      "LogLevel VERBOSE",
      "MaxSessions 10",
      // Devices reached through this one (`via`) are direct-tcpip channels it opens.
      "AllowTcpForwarding yes",
      "MaxStartups 50",
      "PrintMotd no",
      "AcceptEnv none",
      // One SetEnv line only (sshd keeps the first). HOME: bash, run by sshd, sources ~/.bashrc,
      // and root's may be slow (pyenv init: 0.6 s per command here); sessions get an empty home.
      `SetEnv PATH=${join(dir, "bin")}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=${join(dir, "home")}`,
    ];
    const configPath = join(dir, "sshd_config");
    writeFileSync(configPath, `${config.join("\n")}\n`);
    writeFileSync(logPath, "");
    const child = spawn(SSHD, ["-D", "-E", logPath, "-f", configPath], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (b: Buffer) => {
      stderr += b.toString();
    });
    const log = () => readFileSync(logPath, "utf8");
    const ok = await waitFor(() => {
      if (child.exitCode !== null || child.signalCode !== null) return "exited";
      return log().includes(`Server listening on 127.0.0.1 port ${port}.`) ? "up" : undefined;
    }, 10_000);
    if (ok === "up") return handle(dir, port, hostKey, extraHostKeys, clientKey, logPath, child, log);
    child.kill("SIGKILL");
    lastError = `${stderr.trim()} ${log().trim()}`.trim() || "sshd did not listen within 10 s";
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`the test sshd did not start: ${lastError}`);
}

async function waitFor<T>(check: () => T | undefined, ms: number): Promise<T | undefined> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const v = check();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  return undefined;
}

/** Pids whose parent is `parent` (from /proc/<pid>/stat). */
function childrenOf(parent: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // pid (comm) state ppid ...: comm may contain spaces, so read after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === parent) out.push(Number(name));
    } catch {}
  }
  return out;
}

function handle(
  dir: string,
  port: number,
  hostKey: KeyPair,
  extraHostKeys: KeyPair[],
  clientKey: KeyPair,
  logPath: string,
  child: ChildProcess,
  log: () => string,
): TestSshd {
  const count = (re: RegExp) => (log().match(re) ?? []).length;
  const sshd: TestSshd = {
    dir,
    host: "127.0.0.1",
    port,
    hostKey,
    extraHostKeys,
    clientKey,
    logPath,
    knownHostsLine: `[127.0.0.1]:${port} ${hostKey.keyType} ${hostKey.key}`,
    log,
    connections: () => count(/^Connection from 127\.0\.0\.1 port \d+ on 127\.0\.0\.1 port /gm),
    logins: () => count(/^Accepted \S+ for /gm),
    commandsStarted: () => count(/^Starting session: command /gm),
    killConnections: () => {
      const children = child.pid === undefined ? [] : childrenOf(child.pid);
      for (const pid of children) process.kill(pid, "SIGKILL");
      return children.length;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return sshd;
}
