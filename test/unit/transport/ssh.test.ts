// SshTransport against a real, throwaway OpenSSH server on 127.0.0.1 (test/helpers/sshd.ts):
// pinned keys, one connection per device, fresh connections, refusals with typed errors,
// timeouts, quoting of hostile values, scripts on stdin, sudo, credentials from env and agent.
//
// Connections are counted from the server's side: sshd logs (LogLevel VERBOSE) one
// "Connection from" line per accepted TCP connection, "Accepted" per login and "Starting
// session: command" per exec channel.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AuthError,
  CommandError,
  ConnectionError,
  type DeviceError,
  HostKeyError,
} from "../../../reconciler/model/errors.ts";
import type { ResolvedDevice } from "../../../reconciler/model/repo.ts";
import { type KnownHost, parseKnownHosts } from "../../../reconciler/transport/known-hosts-file.ts";
import {
  openSshTransport,
  SshTransport,
  type SshTransportOptions,
} from "../../../reconciler/transport/ssh.ts";
import { freePort, generateKey, type KeyPair, startSshd, type TestSshd } from "../../helpers/sshd.ts";

let sshd: TestSshd;
let other: KeyPair;
let pins: KnownHost[];
const transports: SshTransport[] = [];

beforeAll(async () => {
  sshd = await startSshd({ extraHostKeys: ["rsa"] });
  other = generateKey(sshd.dir, "not-the-host-key");
  pins = parseKnownHosts("known_hosts", `${sshd.knownHostsLine}\n`).entries;
  // A stand-in for sudo (not installed here), first on the sessions' PATH: records its arguments
  // one per line, insists on -n (never prompt), then runs the command.
  const sudo = join(sshd.dir, "bin", "sudo");
  writeFileSync(
    sudo,
    `#!/bin/sh\nfor a; do printf '[%s]\\n' "$a"; done >>${sshd.dir}/sudo.log\n` +
      `[ "$1" = -n ] || { echo "sudo: a password is required" >&2; exit 1; }\nshift\nexec "$@"\n`,
  );
  chmodSync(sudo, 0o755);
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(transports.map((t) => t.closeAll()));
  await sshd?.stop();
});

const device = (over: Partial<ResolvedDevice> = {}): ResolvedDevice => ({
  name: "r1",
  platform: "debian",
  host: sshd.host,
  port: sshd.port,
  user: "root",
  credentials: { agent: false, keyFileEnv: "RECONCILER_SSH_KEY" },
  sudo: false,
  connectTimeoutS: 5,
  groups: [],
  labels: {},
  vars: {},
  ...over,
});

function transport(
  over: Partial<ResolvedDevice> = {},
  opts: { pins?: KnownHost[]; env?: Record<string, string> } & SshTransportOptions = {},
): SshTransport {
  const t = new SshTransport({ r1: device(over) }, opts.pins ?? pins, {
    ...opts,
    env: opts.env ?? { RECONCILER_SSH_KEY: sshd.clientKey.path },
  });
  transports.push(t);
  return t;
}

const fingerprintByKeygen = (pubPath: string) =>
  execFileSync("ssh-keygen", ["-E", "sha256", "-lf", pubPath], { encoding: "utf8" }).split(" ")[1] as string;

async function failure<E extends DeviceError>(
  p: Promise<unknown>,
  type: new (...a: never[]) => E,
): Promise<E> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(type);
  return err as E;
}

describe("commands over a pinned connection", () => {
  it("runs commands and captures stdout, stderr and exit codes", async () => {
    const s = await transport().session("r1");
    const ok = await s.run(["sh", "-c", "echo out; echo err >&2"]);
    expect(ok).toMatchObject({ stdout: "out\n", stderr: "err\n", exitCode: 0 });
    const soft = await s.run(["sh", "-c", "echo partial; echo broken >&2; exit 7"], { allowFailure: true });
    expect(soft).toMatchObject({ stdout: "partial\n", stderr: "broken\n", exitCode: 7 });
    const err = await failure(s.run(["sh", "-c", "echo broken >&2; exit 7"]), CommandError);
    expect(err.exitCode).toBe(7);
    expect(err.message).toBe("r1: `sh '-c' 'echo broken >&2; exit 7'` exited with status 7: broken");
    expect(err.output).toBe("broken");
    const missing = await failure(s.run(["no-such-command-rcl"]), CommandError);
    expect(missing.exitCode).toBe(127);
  });

  it("delivers hostile argv elements to the remote command literally", async () => {
    const marker = join(sshd.dir, "pwned");
    const hostile = [
      `$(touch ${marker})`,
      `\`touch ${marker}\``,
      `; touch ${marker}`,
      `&& touch ${marker} ||`,
      `| touch ${marker}`,
      `it's`,
      `'`,
      `''`,
      `"double" \\"`,
      "two\nlines\n",
      "\ttab and  spaces ",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: shell syntax, meant to arrive unexpanded
      "$HOME ${PATH} $0 $$",
      "*",
      "~",
      "-n",
      "--",
      "",
      "!!",
      "grüße ☃",
      "$'\\x41'",
    ];
    const s = await transport().session("r1");
    // printf reuses its format for every argument: each value comes back NUL-terminated.
    const r = await s.run(["printf", "%s\\0", ...hostile]);
    expect(r.stdout.split("\0").slice(0, -1)).toEqual(hostile);
    for (const h of hostile) expect((await s.run(["printf", "%s", h])).stdout).toBe(h);
    expect((await s.sh(`printf %s ${"'$(id)'"}`)).stdout).toBe("$(id)");
    expect(existsSync(marker)).toBe(false);
  });

  it("writes stdin to the command", async () => {
    const s = await transport().session("r1");
    const path = join(sshd.dir, "from-stdin");
    const content = "line 1\n$(not expanded)\nno newline at end";
    await s.run(["sh", "-c", 'cat > "$1"', "sh", path], { stdin: content });
    expect(readFileSync(path, "utf8")).toBe(content);
    expect((await s.run(["cat"], { stdin: "" })).stdout).toBe("");
    // Without stdin the command sees EOF at once instead of hanging.
    expect((await s.run(["cat"], { timeoutMs: 5000 })).stdout).toBe("");
  });

  it("runs a script from stdin in the device's sh: here-documents, a syntax error runs nothing", async () => {
    const s = await transport().session("r1");
    const out = join(sshd.dir, "from-script");
    const script = [
      `cat > ${out} <<'EOF'`,
      "$(not expanded) `nor this`",
      "EOF",
      // A command reading stdin gets nothing: the rest of the script is not its input.
      "cat",
      "echo after",
    ].join("\n");
    const r = await s.sh(script);
    expect(r.stdout).toBe("after\n");
    expect(readFileSync(out, "utf8")).toBe("$(not expanded) `nor this`\n");
    const marker = join(sshd.dir, "half-run");
    const broken = await s.sh(`touch ${marker}\nif true; then`, { allowFailure: true });
    expect(broken.exitCode).not.toBe(0);
    expect(existsSync(marker)).toBe(false);
  });

  it("kills a command that outlives its timeout, and the connection stays usable", async () => {
    const s = await transport().session("r1");
    const started = Date.now();
    const err = await failure(s.run(["sleep", "30"], { timeoutMs: 300 }), CommandError);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(err.exitCode).toBeNull();
    expect(err.message).toMatch(/`sleep 30` did not finish within 0.3 s/);
    expect((await s.run(["echo", "still here"])).stdout).toBe("still here\n");
  });

  it("applies the default command timeout from the options", async () => {
    const s = await transport({}, { commandTimeoutMs: 200 }).session("r1");
    expect((await failure(s.run(["sleep", "30"]), CommandError)).exitCode).toBeNull();
  });
});

describe("one connection per device per run", () => {
  it("shares one connection among concurrent first callers and many commands", async () => {
    const t = transport();
    const before = sshd.connections();
    const loginsBefore = sshd.logins();
    const sessions = await Promise.all(Array.from({ length: 6 }, () => t.session("r1")));
    expect(new Set(sessions).size).toBe(1);
    const s = sessions[0];
    if (!s) throw new Error("no session");
    // More concurrent commands than channels per connection: the rest wait for a free channel.
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) => s.run(["echo", String(i)])));
    expect(results.map((r) => r.stdout)).toEqual(Array.from({ length: 25 }, (_, i) => `${i}\n`));
    for (let i = 0; i < 5; i++) await (await t.session("r1")).run(["true"]);
    expect(sshd.connections() - before).toBe(1);
    expect(sshd.logins() - loginsBefore).toBe(1);
  });

  it("opens a new connection for freshSession, and closeAll closes them all", async () => {
    const t = transport();
    const pooled = await t.session("r1");
    const before = sshd.connections();
    const fresh = await t.freshSession("r1");
    expect(fresh).not.toBe(pooled);
    expect(sshd.connections() - before).toBe(1);
    expect((await fresh.run(["echo", "fresh"])).stdout).toBe("fresh\n");
    expect(await t.session("r1")).toBe(pooled);
    const fresh2 = await t.freshSession("r1");
    expect(fresh2).not.toBe(fresh);
    expect(sshd.connections() - before).toBe(2);
    await t.closeAll();
    await expect(pooled.run(["true"])).rejects.toBeInstanceOf(ConnectionError);
    await expect(fresh.run(["true"])).rejects.toBeInstanceOf(ConnectionError);
    // The transport can be used again: a new connection.
    const again = await t.session("r1");
    expect(again).not.toBe(pooled);
    expect(sshd.connections() - before).toBe(3);
  });

  it("fails running commands when the connection drops, and reconnects on the next session()", async () => {
    const t = transport();
    const s = await t.session("r1");
    const running = s.run(["sleep", "30"]);
    await new Promise((r) => setTimeout(r, 200));
    const before = sshd.connections();
    expect(sshd.killConnections()).toBeGreaterThan(0);
    const err = await failure(running, ConnectionError);
    expect(err.device).toBe("r1");
    // A FIN or a reset, depending on timing.
    expect(err.message).toMatch(
      /^r1: connection lost while running `sleep 30`: (127\.0\.0\.1:\d+ closed the connection|connection to 127\.0\.0\.1:\d+ failed: .+)$/,
    );
    await expect(s.run(["true"])).rejects.toBeInstanceOf(ConnectionError);
    const again = await t.session("r1");
    expect(again).not.toBe(s);
    expect((await again.run(["echo", "back"])).stdout).toBe("back\n");
    expect(sshd.connections() - before).toBe(1);
  });
});

describe("host key pinning", () => {
  it("refuses an unknown host key, naming the device and the presented fingerprint; nothing runs", async () => {
    const logins = sshd.logins();
    const commands = sshd.commandsStarted();
    const err = await failure(transport({}, { pins: [] }).session("r1"), HostKeyError);
    const fp = fingerprintByKeygen(`${sshd.hostKey.path}.pub`);
    expect(err.message).toBe(
      `r1: no pinned host key for r1 (127.0.0.1:${sshd.port}); presented ssh-ed25519 ${fp}; ` +
        "review it with `reconciler trust r1`",
    );
    expect(err.actualFingerprint).toBe(fp);
    expect(err.expectedFingerprints).toEqual([]);
    expect(sshd.logins()).toBe(logins);
    expect(sshd.commandsStarted()).toBe(commands);
  });

  it("refuses a changed host key, naming the pinned and the presented fingerprints", async () => {
    const wrong = parseKnownHosts("kh", `[127.0.0.1]:${sshd.port} ${other.keyType} ${other.key}\n`).entries;
    const logins = sshd.logins();
    const err = await failure(transport({}, { pins: wrong }).session("r1"), HostKeyError);
    const pinned = fingerprintByKeygen(`${other.path}.pub`);
    const presented = fingerprintByKeygen(`${sshd.hostKey.path}.pub`);
    expect(err.message).toContain(`HOST KEY CHANGED for r1 (127.0.0.1:${sshd.port})`);
    expect(err.message).toContain(`pinned ssh-ed25519 ${pinned}`);
    expect(err.message).toContain(`presented ssh-ed25519 ${presented}`);
    expect(err.expectedFingerprints).toEqual([pinned]);
    expect(err.actualFingerprint).toBe(presented);
    expect(sshd.logins()).toBe(logins);
  });

  it("does not accept a key pinned for another port of the same host", async () => {
    const elsewhere = parseKnownHosts(
      "kh",
      `127.0.0.1 ${sshd.hostKey.keyType} ${sshd.hostKey.key}\n`,
    ).entries;
    await failure(transport({}, { pins: elsewhere }).session("r1"), HostKeyError);
  });

  it("asks for the pinned key type when the device has several host keys", async () => {
    const rsa = sshd.extraHostKeys[0];
    if (!rsa) throw new Error("no rsa host key");
    const rsaPin = parseKnownHosts("kh", `[127.0.0.1]:${sshd.port} ${rsa.keyType} ${rsa.key}\n`).entries;
    const s = await transport({}, { pins: rsaPin }).session("r1");
    expect((await s.run(["echo", "rsa"])).stdout).toBe("rsa\n");
  });

  it("refuses when the device no longer offers the pinned key type, naming both keys", async () => {
    const rsaOther = generateKey(sshd.dir, "other-rsa", "rsa");
    const rsaPin = parseKnownHosts(
      "kh",
      `[127.0.0.1]:${sshd.port} ${rsaOther.keyType} ${rsaOther.key}\n`,
    ).entries;
    const err = await failure(transport({}, { pins: rsaPin }).session("r1"), HostKeyError);
    expect(err.message).toContain(`pinned ssh-rsa ${fingerprintByKeygen(`${rsaOther.path}.pub`)}`);
  });

  it("builds pins from known_hosts text with openSshTransport", async () => {
    const t = openSshTransport({ r1: device() }, `# comment\n${sshd.knownHostsLine}\n`, {
      env: { RECONCILER_SSH_KEY: sshd.clientKey.path },
    });
    transports.push(t);
    expect((await (await t.session("r1")).run(["echo", "ok"])).stdout).toBe("ok\n");
  });
});

describe("authentication", () => {
  it("reports a key the device does not accept as AuthError", async () => {
    const err = await failure(
      transport({}, { env: { RECONCILER_SSH_KEY: other.path } }).session("r1"),
      AuthError,
    );
    expect(err.message).toBe(
      `r1: 127.0.0.1:${sshd.port} refused login as root with the private key named by $RECONCILER_SSH_KEY`,
    );
    expect(err.message).not.toContain(other.path);
  });

  it("reports a wrong password as AuthError without ever printing it", async () => {
    const password = "hunter2-very-secret";
    const err = await failure(
      transport(
        { credentials: { agent: false, passwordEnv: "RCL_PW" } },
        { env: { RCL_PW: password } },
      ).session("r1"),
      AuthError,
    );
    expect(`${err.message}\n${err.output}\n${err.stack}`).not.toContain(password);
    expect(err.message).toMatch(/refused login as root with the \$RCL_PW password$/);
  });

  it("logs in with the SSH agent named by SSH_AUTH_SOCK", async () => {
    const sock = join(sshd.dir, "agent.sock");
    const agent: ChildProcess = spawn("ssh-agent", ["-D", "-a", sock], { stdio: "ignore" });
    try {
      for (let i = 0; i < 100 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 20));
      execFileSync("ssh-add", ["-q", sshd.clientKey.path], { env: { ...process.env, SSH_AUTH_SOCK: sock } });
      const s = await transport({ credentials: { agent: true } }, { env: { SSH_AUTH_SOCK: sock } }).session(
        "r1",
      );
      expect((await s.run(["echo", "via agent"])).stdout).toBe("via agent\n");
      await failure(transport({ credentials: { agent: true } }, { env: {} }).session("r1"), AuthError);
    } finally {
      agent.kill("SIGTERM");
    }
  });
});

describe("unreachable devices", () => {
  it("fails fast with ConnectionError when nothing listens on the port", async () => {
    const port = await freePort();
    const started = Date.now();
    const err = await failure(transport({ port, connectTimeoutS: 3 }).session("r1"), ConnectionError);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(err.message).toBe(`r1: cannot connect to 127.0.0.1:${port}: connection refused`);
  });

  it("gives up after the connect timeout when the device never speaks SSH", async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const addr = silent.address();
    const port = typeof addr === "object" && addr ? addr.port : 0;
    try {
      const started = Date.now();
      const err = await failure(transport({ port, connectTimeoutS: 1 }).session("r1"), ConnectionError);
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(900);
      expect(elapsed).toBeLessThan(3000);
      expect(err.message).toBe(`r1: no SSH session with 127.0.0.1:${port} within 1 s (connect timeout)`);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  it("names a missing key variable before any connection is made", async () => {
    const before = sshd.connections();
    const err = await failure(transport({}, { env: {} }).session("r1"), AuthError);
    expect(err.message).toMatch(/\$RECONCILER_SSH_KEY is not set/);
    expect(sshd.connections()).toBe(before);
  });

  it("rejects a device that is not in the inventory", async () => {
    await expect(transport().session("nope")).rejects.toThrow(/unknown device "nope"/);
  });
});

describe("sudo", () => {
  it("prefixes `sudo -n` on the device (a recording stand-in for sudo, which is not installed here)", async () => {
    const log = join(sshd.dir, "sudo.log");
    writeFileSync(log, "");
    const s = await transport({ sudo: true }).session("r1");
    expect((await s.run(["printf", "%s", "it's $(x)"])).stdout).toBe("it's $(x)");
    expect((await s.sh("echo scripted")).stdout).toBe("scripted\n");
    const calls = readFileSync(log, "utf8");
    expect(calls.startsWith("[-n]\n[printf]\n[%s]\n[it's $(x)]\n[-n]\n[sh]\n[-s]\n")).toBe(true);
    // Without sudo in the inventory, sudo is not called.
    writeFileSync(log, "");
    await (await transport().session("r1")).run(["true"]);
    expect(readFileSync(log, "utf8")).toBe("");
  });
});
