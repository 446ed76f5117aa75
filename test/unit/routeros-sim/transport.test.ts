// The simulator through the reconciler's own SSH transport (what a RouterOS driver and its
// contract harness use): host key pinned, key login, `line()` on exec channels.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ssh2 from "ssh2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseKnownHosts } from "../../../reconciler/transport/known-hosts-file.ts";
import { SshTransport } from "../../../reconciler/transport/ssh.ts";
import { sshKeyPair } from "../../sim/routeros/ssh-keys.ts";
import { type RouterOsSsh, startRouterOsSsh } from "../../sim/routeros/ssh-server.ts";

const key = sshKeyPair();
let dir: string;
let sim: RouterOsSsh;
let transport: SshTransport;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ros-sim-transport-"));
  writeFileSync(join(dir, "id_ed25519"), key.private, { mode: 0o600 });
  sim = await startRouterOsSsh({
    identity: "tower-1",
    users: [{ name: "reconciler", publicKeys: [key.public] }],
  });
  const pins = parseKnownHosts("known_hosts", `${sim.knownHostsLine}\n`).entries;
  transport = new SshTransport(
    {
      "tower-1": {
        name: "tower-1",
        platform: "routeros",
        host: sim.host,
        port: sim.port,
        user: "reconciler+ct511w4098h",
        credentials: { agent: false, keyFileEnv: "RECONCILER_SSH_KEY" },
        sudo: false,
        connectTimeoutS: 5,
        groups: [],
        labels: {},
        vars: {},
      },
    },
    pins,
    { env: { RECONCILER_SSH_KEY: join(dir, "id_ed25519") } },
  );
});

afterAll(async () => {
  await transport?.closeAll();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the simulator through the reconciler's SSH transport", () => {
  it("runs command lines and returns RouterOS's output and status", async () => {
    const s = await transport.session("tower-1");
    const add = await s.line("/interface wireguard add name=wg0 listen-port=13231");
    expect(add.exitCode).toBe(0);
    const out = await s.line(":put [/interface wireguard get wg0 listen-port]");
    expect(out.stdout).toBe("13231\r\n");
    const bad = await s.line("/interface wireguard add name=wg0");
    expect(bad.stdout).toBe("failure: already have interface with such name\r\n");
    const exp = await s.line("/export terse");
    expect(exp.stdout).toContain("/interface wireguard add listen-port=13231 name=wg0\r\n");
    expect(exp.stdout).not.toContain("private-key");
  });
});
