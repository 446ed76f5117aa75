// The RouterOS driver against the RouterOS simulator, over real SSH through the reconciler's own
// transport. Both were written apart, from MikroTik's documentation and real exports, neither from
// the other: the driver reads the fresh simulated tower-1, plans the example's tower-1 (its
// bridges, the WireGuard/OSPF link to core-1, iBGP), every planned command is accepted by the
// simulator, and reading it back plans nothing more.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ssh2 from "ssh2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routerosDriver } from "../../../reconciler/drivers/routeros/driver.ts";
import type { ResolvedDevice } from "../../../reconciler/model/repo.ts";
import { planDevice } from "../../../reconciler/plan/planner.ts";
import { parseKnownHosts } from "../../../reconciler/transport/known-hosts-file.ts";
import { SshTransport } from "../../../reconciler/transport/ssh.ts";
import { loadExample } from "../../helpers/example-repo.ts";
import { sshKeyPair } from "../../sim/routeros/ssh-keys.ts";
import { type RouterOsSsh, startRouterOsSsh } from "../../sim/routeros/ssh-server.ts";

const key = sshKeyPair();
let dir: string;
let sim: RouterOsSsh;
let transport: SshTransport;
let device: ResolvedDevice;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ros-driver-sim-"));
  writeFileSync(join(dir, "id_ed25519"), key.private, { mode: 0o600 });
  // A failed command exits non-zero here, so that nothing the simulator refuses goes unseen.
  sim = await startRouterOsSsh({
    identity: "tower-1",
    users: [{ name: "reconciler", publicKeys: [key.public] }],
    errorExitStatus: 1,
  });
  device = {
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
  };
  transport = new SshTransport(
    { "tower-1": device },
    parseKnownHosts("known_hosts", `${sim.knownHostsLine}\n`).entries,
    { env: { RECONCILER_SSH_KEY: join(dir, "id_ed25519") } },
  );
});

afterAll(async () => {
  await transport?.closeAll();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the RouterOS driver against the simulator", () => {
  it("plans tower-1 from a fresh device, the simulator accepts every command, and then nothing is left to do", async () => {
    const loaded = await loadExample();
    if (!loaded.repo) throw new Error("the example does not load");
    // The simulator has no /ip dns menu (not one the reconciler manages): that raw line is left out.
    const example = loaded.repo.expanded["tower-1"] ?? {};
    const desired = {
      ...example,
      raw: { routeros: (example.raw?.routeros ?? []).filter((l) => !l.startsWith("/ip dns")) },
    };
    expect(desired.raw.routeros).toEqual(["/system identity set name=tower-1"]);
    // The keys git records are the device's own (what `reconciler keys` records): the simulator
    // generates its WireGuard private key on `add`, as RouterOS does.
    const input = (live: Awaited<ReturnType<typeof routerosDriver.read>>) => ({
      device,
      desired,
      live,
      publicKeys: live.publicKeys,
    });
    const s = await transport.session("tower-1");
    const first = planDevice(input(await routerosDriver.read(s, device)), routerosDriver);
    expect(first.status).toBe("changes");
    const commands = first.commands ?? [];
    expect(commands.length).toBeGreaterThan(5);
    for (const c of commands) {
      expect(c.line).not.toMatch(/@secret:/);
      const r = await s.line(c.line);
      expect({ line: c.line, exit: r.exitCode, out: r.stdout.trim() }).toEqual({
        line: c.line,
        exit: 0,
        out: "",
      });
    }
    const again = planDevice(input(await routerosDriver.read(s, device)), routerosDriver);
    expect(again.changes.map((c) => c.path)).toEqual([]);
    expect(again.commands ?? []).toEqual([]);
    expect(again.status).toBe("unchanged");
  });
});
