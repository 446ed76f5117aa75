// Devices reached through others (`via`), against real throwaway OpenSSH servers on 127.0.0.1
// (test/helpers/sshd.ts): the jump's sshd opens a direct-tcpip channel to the target's sshd and
// the target's own handshake runs over it. Every sshd has its own host key and its own
// authorized client key, so each hop is pinned and authenticated on its own.
//
// All of them listen on 127.0.0.1, so that the traffic really goes through the jump is shown from
// the servers' side: a jump whose sshd forbids forwarding makes the target unreachable, and the
// jump's `PermitOpen` lets it reach the target's port only.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectionError, type DeviceError, HostKeyError } from "../../../reconciler/model/errors.ts";
import type { ResolvedDevice } from "../../../reconciler/model/repo.ts";
import { type KnownHost, parseKnownHosts } from "../../../reconciler/transport/known-hosts-file.ts";
import { SshTransport, type SshTransportOptions } from "../../../reconciler/transport/ssh.ts";
import { freePort, generateKey, startSshd, type TestSshd } from "../../helpers/sshd.ts";

let target: TestSshd;
let jump: TestSshd;
let outer: TestSshd;
let noForwarding: TestSshd;
const transports: SshTransport[] = [];

beforeAll(async () => {
  target = await startSshd();
  [jump, outer, noForwarding] = await Promise.all([
    startSshd({ config: [`PermitOpen 127.0.0.1:${target.port}`] }),
    startSshd(),
    startSshd({ config: ["AllowTcpForwarding no"] }),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(transports.map((t) => t.closeAll()));
  await Promise.allSettled([target, jump, outer, noForwarding].map((s) => s?.stop()));
});

const device = (name: string, sshd: TestSshd, over: Partial<ResolvedDevice> = {}): ResolvedDevice => ({
  name,
  platform: "debian",
  host: sshd.host,
  port: sshd.port,
  user: "root",
  credentials: { agent: false, keyFileEnv: `KEY_${name.replace(/-/g, "_").toUpperCase()}` },
  sudo: false,
  connectTimeoutS: 5,
  groups: [],
  labels: {},
  vars: {},
  ...over,
});

/** j1 (the jump), t1 and t2 behind it (the same sshd under two names), j0 with forwarding off. */
function inventory(): Record<string, ResolvedDevice> {
  return {
    j1: device("j1", jump),
    t1: device("t1", target, { via: "j1" }),
    t2: device("t2", target, { via: "j1" }),
    j0: device("j0", noForwarding),
    "t-behind-j0": device("t-behind-j0", target, { via: "j0" }),
  };
}

const pinsOf = (...lines: string[]): KnownHost[] => parseKnownHosts("kh", `${lines.join("\n")}\n`).entries;
const allPins = () =>
  pinsOf(target.knownHostsLine, jump.knownHostsLine, outer.knownHostsLine, noForwarding.knownHostsLine);

function transport(
  devices: Record<string, ResolvedDevice> = inventory(),
  pins: KnownHost[] = allPins(),
  opts: SshTransportOptions = {},
): SshTransport {
  const env: Record<string, string> = {};
  for (const d of Object.values(devices)) {
    const sshd = [target, jump, outer, noForwarding].find((s) => s.port === d.port);
    if (sshd && d.credentials.keyFileEnv) env[d.credentials.keyFileEnv] = sshd.clientKey.path;
  }
  const t = new SshTransport(devices, pins, { ...opts, env });
  transports.push(t);
  return t;
}

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

const counts = () => ({
  jump: jump.connections(),
  target: target.connections(),
  targetLogins: target.logins(),
});

describe("a device reached through another", () => {
  it("runs commands on the target over the jump's connection, each hop with its own key and login", async () => {
    const before = counts();
    const commands = { jump: jump.commandsStarted(), target: target.commandsStarted() };
    const t = transport();
    const s = await t.session("t1");
    const r = await s.run(["echo", "on-target"]);
    expect(r.stdout).toBe("on-target\n");
    // The command ran on the target's sshd; the jump only relayed it.
    expect({ jump: jump.commandsStarted(), target: target.commandsStarted() }).toEqual({
      jump: commands.jump,
      target: commands.target + 1,
    });
    expect(counts()).toEqual({
      jump: before.jump + 1,
      target: before.target + 1,
      targetLogins: before.targetLogins + 1,
    });
    await t.closeAll();
  });

  it("shares the pooled jump connection among the devices behind it, its own session and fresh sessions", async () => {
    const before = counts();
    const t = transport();
    const [a, b] = await Promise.all([t.session("t1"), t.session("t2")]);
    const j = await t.session("j1");
    const fresh = await t.freshSession("t1");
    expect(fresh).not.toBe(a);
    for (const s of [a, b, j, fresh]) expect((await s.run(["echo", "up"])).stdout).toBe("up\n");
    expect(jump.connections()).toBe(before.jump + 1);
    expect(target.connections()).toBe(before.target + 3);
    await fresh.close();
    // Closing a fresh session behind the jump leaves the jump and the pooled sessions up.
    expect((await a.run(["echo", "still"])).stdout).toBe("still\n");
    expect((await j.run(["echo", "still"])).stdout).toBe("still\n");
    await t.closeAll();
  });

  it("goes through every hop of a chain (target via jump via outer), each pinned", async () => {
    const devices = {
      outer: device("outer", outer),
      j1: device("j1", jump, { via: "outer" }),
      t1: device("t1", target, { via: "j1" }),
    };
    const before = { outer: outer.connections(), ...counts() };
    const t = transport(devices);
    expect((await (await t.session("t1")).run(["echo", "deep"])).stdout).toBe("deep\n");
    expect(outer.connections()).toBe(before.outer + 1);
    expect(jump.connections()).toBe(before.jump + 1);
    expect(target.connections()).toBe(before.target + 1);
    await t.closeAll();
  });

  it("cannot reach the target through a jump that does not forward, and says which hop refused", async () => {
    const before = counts();
    const err = await failure(transport().session("t-behind-j0"), ConnectionError);
    expect(err.device).toBe("t-behind-j0");
    expect(err.message).toMatch(
      new RegExp(
        `^t-behind-j0: connecting to t-behind-j0 through j0: j0: cannot open a channel to 127\\.0\\.0\\.1:${target.port}: `,
      ),
    );
    // Nothing reached the target: the only way to it was the jump.
    expect(target.connections()).toBe(before.target);
  });

  it("names the jump when it may not open the target's port (PermitOpen)", async () => {
    const port = await freePort();
    const devices = {
      ...inventory(),
      t9: device("t9", target, { via: "j1", port, credentials: { agent: false, keyFileEnv: "KEY_T1" } }),
    };
    const err = await failure(transport(devices).session("t9"), ConnectionError);
    expect(err.message).toMatch(
      new RegExp(`^t9: connecting to t9 through j1: j1: cannot open a channel to 127\\.0\\.0\\.1:${port}: `),
    );
  });
});

describe("host keys at every hop", () => {
  it("refuses a changed key at the jump, naming the jump; nothing reaches the target", async () => {
    const wrong = generateKey(jump.dir, "not-the-jump-key");
    const pins = pinsOf(target.knownHostsLine, `[127.0.0.1]:${jump.port} ${wrong.keyType} ${wrong.key}`);
    const before = { ...counts(), jumpLogins: jump.logins() };
    const err = await failure(transport(inventory(), pins).session("t1"), HostKeyError);
    expect(err.device).toBe("t1");
    expect(err.message).toMatch(/^t1: connecting to t1 through j1: j1: HOST KEY CHANGED for j1 \(/);
    expect(err.actualFingerprint).toMatch(/^SHA256:/);
    // Refused during the key exchange: no login at the jump, nothing reached the target.
    expect(jump.connections()).toBe(before.jump + 1);
    expect(jump.logins()).toBe(before.jumpLogins);
    expect(target.connections()).toBe(before.target);
  });

  it("refuses an unknown key at the jump, naming the jump", async () => {
    const err = await failure(
      transport(inventory(), pinsOf(target.knownHostsLine)).session("t1"),
      HostKeyError,
    );
    expect(err.message).toMatch(/^t1: connecting to t1 through j1: j1: no pinned host key for j1 \(/);
  });

  it("refuses a changed key at the target, naming the target; no credential is sent to it", async () => {
    const wrong = generateKey(target.dir, "not-the-target-key");
    const pins = pinsOf(jump.knownHostsLine, `[127.0.0.1]:${target.port} ${wrong.keyType} ${wrong.key}`);
    const before = counts();
    const err = await failure(transport(inventory(), pins).session("t1"), HostKeyError);
    expect(err.device).toBe("t1");
    expect(err.message).toMatch(/^t1: connecting to t1 through j1: HOST KEY CHANGED for t1 \(/);
    // It reached the target (through the jump), and refused it before logging in.
    expect(target.connections()).toBe(before.target + 1);
    expect(target.logins()).toBe(before.targetLogins);
  });

  it("refuses an unknown key at the target, naming the target", async () => {
    const err = await failure(
      transport(inventory(), pinsOf(jump.knownHostsLine)).session("t1"),
      HostKeyError,
    );
    expect(err.message).toMatch(/^t1: connecting to t1 through j1: no pinned host key for t1 \(/);
  });
});

describe("the jump connection's life", () => {
  it("a lost jump connection takes the devices behind it along; the next session reconnects both", async () => {
    const t = transport();
    const s = await t.session("t1");
    await s.run(["true"]);
    const lost = new Promise<DeviceError>((resolve) => s.onConnectionLost(resolve));
    // Only the jump's per-connection processes: the target's sshd is untouched.
    expect(jump.killConnections()).toBeGreaterThan(0);
    const err = await lost;
    expect(err.message).toMatch(/^t1: connection through j1 lost: /);
    const before = counts();
    const again = await t.session("t1");
    expect(again).not.toBe(s);
    expect((await again.run(["echo", "back"])).stdout).toBe("back\n");
    expect(jump.connections()).toBe(before.jump + 1);
    await t.closeAll();
  });

  it("closeAll closes the devices behind a jump before the jump: they say goodbye", async () => {
    const t = transport();
    await (await t.session("t1")).run(["true"]);
    const disconnects = () => (target.log().match(/Received disconnect from 127\.0\.0\.1/g) ?? []).length;
    const before = disconnects();
    await t.closeAll();
    // The target got the SSH disconnect message: its connection was closed, not cut.
    await expect.poll(disconnects, { timeout: 3000 }).toBe(before + 1);
  });

  it("opens at most maxForwardsPerConnection channels on a jump; one more waits for a free one", async () => {
    const t = transport(inventory(), allPins(), { maxForwardsPerConnection: 1 });
    const first = await t.freshSession("t1");
    let second: Awaited<ReturnType<SshTransport["freshSession"]>> | undefined;
    const pending = t.freshSession("t2").then((s) => {
      second = s;
      return s;
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(second).toBeUndefined();
    await first.close();
    const s = await pending;
    expect((await s.run(["echo", "second"])).stdout).toBe("second\n");
    await t.closeAll();
  });

  it("gives up waiting for a free channel after the device's connect timeout, naming the limit", async () => {
    const devices = { ...inventory(), t2: device("t2", target, { via: "j1", connectTimeoutS: 1 }) };
    const t = transport(devices, allPins(), { maxForwardsPerConnection: 1 });
    await t.session("t1");
    const err = await failure(t.session("t2"), ConnectionError);
    expect(err.message).toMatch(
      /^t2: connecting to t2 through j1: j1: already carries 1 forwarded connections \(its limit\)/,
    );
    await t.closeAll();
  });

  it("refuses a via chain that loops, before connecting anywhere", async () => {
    const before = counts();
    const devices = {
      a: device("a", jump, { via: "b" }),
      b: device("b", target, { via: "a" }),
    };
    const err = await failure(transport(devices).session("a"), ConnectionError);
    expect(err.message).toBe("a: the via chain of a loops back to a");
    expect(counts()).toEqual(before);
  });
});

describe("scanning a host key through a jump (reconciler trust)", () => {
  it("learns the target's key over the pinned jump, without logging in to the target", async () => {
    const before = counts();
    const t = transport(inventory(), pinsOf(jump.knownHostsLine));
    const scanned = await t.scanHostKey("t1");
    expect(scanned).toMatchObject({ keyType: target.hostKey.keyType, key: target.hostKey.key });
    expect(target.connections()).toBe(before.target + 1);
    expect(target.logins()).toBe(before.targetLogins);
    await t.closeAll();
  });

  it("refuses to scan through a jump whose key is not pinned, naming the jump", async () => {
    const before = counts();
    const t = transport(inventory(), pinsOf(target.knownHostsLine));
    const err = await failure(t.scanHostKey("t1"), HostKeyError);
    expect(err.message).toMatch(/^t1: connecting to t1 through j1: j1: no pinned host key for j1 \(/);
    expect(target.connections()).toBe(before.target);
  });
});
