// RouterOS health: what `print terse` says, as observations the shared evaluator judges. Outputs
// as RouterOS prints them (the ntc-templates captures in the reference routeros/print-outputs,
// trimmed to the fields that matter); and on the in-memory simulator, whose OSPF
// and BGP menus exist but, with no daemons behind them, list nothing: never faked.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateHealth } from "../../../reconciler/apply/evaluate-health.ts";
import type { ApplyContext, HealthProbe } from "../../../reconciler/drivers/apply-contract.ts";
import { routerosApply } from "../../../reconciler/drivers/routeros/apply.ts";
import { terseRows } from "../../../reconciler/drivers/routeros/health.ts";
import type { ResolvedDevice } from "../../../reconciler/model/repo.ts";
import { parseKnownHosts } from "../../../reconciler/transport/known-hosts-file.ts";
import type { CommandResult, DeviceSession } from "../../../reconciler/transport/session.ts";
import { SshTransport } from "../../../reconciler/transport/ssh.ts";
import { testDevice } from "../../helpers/device.ts";
import { sshKeyPair } from "../../sim/routeros/ssh-keys.ts";
import { type RouterOsSsh, startRouterOsSsh } from "../../sim/routeros/ssh-server.ts";

/** A CLI session answering from a table of command lines (anything else: bad command name). */
function scripted(answers: Record<string, string>): DeviceSession & { sent: string[] } {
  const sent: string[] = [];
  const result = (command: string, stdout: string): CommandResult => ({
    command,
    stdout,
    stderr: "",
    exitCode: 0,
  });
  return {
    device: "tower-1",
    sent,
    async line(l) {
      sent.push(l);
      for (const [k, v] of Object.entries(answers)) if (l.includes(k)) return result(l, v);
      return result(l, "bad command name x (line 1 column 1)\n");
    },
    async run() {
      throw new Error("RouterOS has no POSIX shell");
    },
    async sh() {
      throw new Error("RouterOS has no POSIX shell");
    },
  };
}

const ctx = (runId = "health-1"): ApplyContext => ({
  runId,
  device: testDevice("tower-1", { platform: "routeros" }),
  intent: {},
  env: {},
});

const PEER_KEY = "dcKiJ0TpLjtSWZh3G0ILJ9cL56fTIfHBAsZsXdDIlFM=";

describe("RouterOS health from print terse", () => {
  it("reads terse rows: flags apart (one word or spaced), values up to the next blank", () => {
    expect(
      terseRows(
        " 0 instance=default router-id=1.2.3.4 state=Full\n 1 X  name=a\n2 A S  dst-address=0.0.0.0/0",
      ),
    ).toEqual([
      { flags: "", props: { instance: "default", "router-id": "1.2.3.4", state: "Full" } },
      { flags: "X", props: { name: "a" } },
      { flags: "AS", props: { "dst-address": "0.0.0.0/0" } },
    ]);
  });

  it("OSPF neighbours Full, WireGuard handshakes after the commit, routes from OSPF, BGP Established", async () => {
    const s = scripted({
      "/routing ospf neighbor print terse":
        " 0 instance=default router-id=1.2.3.4 address=1.2.3.58 interface=vlan1 priority=128 state=Full state-changes=5\n" +
        " 1 instance=default router-id=1.2.3.5 address=1.2.3.59 interface=vlan2 priority=128 state=Init state-changes=1\n",
      "/interface wireguard peers print terse": `0 interface=wg1 name=peer2 public-key=${PEER_KEY} endpoint-port=0 allowed-address=192.168.100.0/24 rx=180 tx=92 last-handshake=20s\n`,
      "/system clock get date": "@@clock 2026-11-29 12:01:00\n",
      "reconciler-committed-health-1.txt": "@@file 2026-11-29 12:00:00\n",
      "/ip route print terse":
        "0 DAo dst-address=10.255.0.2/32 gateway=10.0.0.2%wg1 distance=110 scope=20\n" +
        "1 As dst-address=0.0.0.0/0 gateway=192.0.2.254 distance=1\n" +
        "2 Do dst-address=10.255.0.3/32 gateway=10.0.0.3 distance=110\n",
      "/routing bgp session print terse":
        "0 E name=core-1 remote.address=10.255.0.1 .as=64512 local.role=ibgp\n",
    });
    const probes: HealthProbe[] = [
      { kind: "ospf-adjacency", interface: "vlan1", routerId: "1.2.3.4" },
      { kind: "ospf-adjacency", interface: "vlan2", routerId: "1.2.3.5" },
      { kind: "wireguard-tunnel", interface: "wg1", publicKey: PEER_KEY },
      { kind: "route", prefix: "10.255.0.2/32" },
      { kind: "route", prefix: "10.255.0.3/32" },
      { kind: "bgp-session", neighbor: "10.255.0.1" },
    ];
    const obs = await routerosApply.health(s, ctx(), probes);
    expect(obs).toContainEqual({
      kind: "wireguard-peer",
      interface: "wg1",
      publicKey: PEER_KEY,
      latestHandshake: Date.parse("2026-11-29T12:00:40Z") / 1000,
      committedAt: Date.parse("2026-11-29T12:00:00Z") / 1000,
      receivedSinceCommit: 0,
    });
    expect(obs).toContainEqual({
      kind: "route",
      prefix: "10.255.0.2/32",
      protocol: "ospf",
      fromDaemon: true,
    });
    expect(obs).toContainEqual({ kind: "bgp-session", neighbor: "10.255.0.1", state: "Established" });
    // IPv4 probes only: the IPv6 table is not asked for.
    expect(s.sent.some((l) => l.startsWith("/ipv6"))).toBe(false);
    const report = evaluateHealth(probes, obs);
    expect(report.checks.map((c) => c.ok)).toEqual([true, false, true, true, false, true]);
  });

  it("a handshake before the commit is not one after it; a peer without last-handshake has none", async () => {
    const s = scripted({
      "/interface wireguard peers print terse": `0 interface=wg1 public-key=${PEER_KEY} rx=0 tx=0 last-handshake=5m\n1 interface=wg2 public-key=${PEER_KEY} rx=0 tx=0\n`,
      "/system clock get date": "@@clock 2026-11-29 12:01:00\n",
      "reconciler-committed-health-1.txt": "@@file 2026-11-29 12:00:00\n",
    });
    const probes: HealthProbe[] = [
      { kind: "wireguard-tunnel", interface: "wg1", publicKey: PEER_KEY },
      { kind: "wireguard-tunnel", interface: "wg2", publicKey: PEER_KEY },
    ];
    const report = evaluateHealth(probes, await routerosApply.health(s, ctx(), probes));
    expect(report.checks.map((c) => c.ok)).toEqual([false, false]);
  });
});

describe("RouterOS health on the simulator (no routing daemons)", () => {
  const key = sshKeyPair();
  let dir: string;
  let sim: RouterOsSsh;
  let transport: SshTransport;
  let device: ResolvedDevice;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ros-apply-health-"));
    writeFileSync(join(dir, "id_ed25519"), key.private, { mode: 0o600 });
    sim = await startRouterOsSsh({
      identity: "tower-1",
      users: [{ name: "reconciler", publicKeys: [key.public] }],
    });
    device = {
      ...testDevice("tower-1", { platform: "routeros" }),
      host: sim.host,
      port: sim.port,
      user: "reconciler",
      credentials: { agent: false, keyFileEnv: "RECONCILER_SSH_KEY" },
    };
    transport = new SshTransport(
      { "tower-1": device },
      parseKnownHosts("known_hosts", `${sim.knownHostsLine}\n`).entries,
      {
        env: { RECONCILER_SSH_KEY: join(dir, "id_ed25519") },
      },
    );
  });
  afterAll(async () => {
    await transport?.closeAll();
    await sim?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("without a backing the simulator's OSPF and BGP menus are empty: the gate fails both, inventing nothing", async () => {
    const probes: HealthProbe[] = [
      { kind: "ospf-adjacency", interface: "wg-core", routerId: "10.255.0.1" },
      { kind: "bgp-session", neighbor: "10.255.0.1" },
    ];
    const obs = await routerosApply.health(await transport.session("tower-1"), { ...ctx(), device }, probes);
    // the menus exist (RouterOS v7 has them) and list no neighbour and no session
    expect(obs.filter((o) => o.kind === "unreadable")).toEqual([]);
    expect(obs.filter((o) => o.kind === "ospf-neighbor" || o.kind === "bgp-session")).toEqual([]);
    const report = evaluateHealth(probes, obs);
    expect(report.checks.map((c) => c.ok)).toEqual([false, false]);
  });
});
