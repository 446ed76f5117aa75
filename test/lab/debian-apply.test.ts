// The Debian ApplyDriver's steps, called directly against lab routers over real SSH: a WireGuard
// link with bird OSPF built on two routers and confirmed, idempotence, a candidate bird rejects,
// a run never confirmed that the router reverts by itself, rollback, and the device lock.
import { readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateHealth } from "../../reconciler/apply/evaluate-health.ts";
import type { ApplyContext, HealthProbe, Staged } from "../../reconciler/drivers/apply-contract.ts";
import { debianApply, debianDriver } from "../../reconciler/drivers/debian/driver.ts";
import { DESCRIPTORS } from "../../reconciler/drivers/descriptors.ts";
import { loadRepo } from "../../reconciler/load/load.ts";
import { WorkingTreeReader } from "../../reconciler/load/reader.ts";
import { CandidateRejectedError, LockHeldError } from "../../reconciler/model/errors.ts";
import type { DesiredRepo } from "../../reconciler/model/repo.ts";
import type { DeviceIntent } from "../../reconciler/schema/device.ts";
import { openSshTransport, type SshTransport } from "../../reconciler/transport/ssh.ts";
import { armOf, keysOf, stagedOf } from "../helpers/apply-driver.ts";
import { poll as pollEvery } from "../helpers/poll.ts";
import { type LabRouter, nsExec, nsExecOk, pidAlive } from "./lab.ts";
import { type LabRepo, makeLabRepo, removeLabRepo, useLab } from "./lab-fixture.ts";

const poll = <T>(what: string, ms: number, f: () => Promise<T | undefined>) => pollEvery(what, ms, f, 1000);
const lab = useLab();
let repo: LabRepo;
let desired: DesiredRepo;
let transport: SshTransport;
const PAIR = ["router-a", "router-b"] as const;
let runSeq = 0;
const newRunId = () => `t${Date.now()}-${++runSeq}`;

const router = (name: string): LabRouter => {
  const r = lab().routers.find((x) => x.name === name);
  if (!r) throw new Error(`no lab router ${name}`);
  return r;
};

async function load(): Promise<DesiredRepo> {
  const r = await loadRepo(new WorkingTreeReader(repo.dir), { descriptors: DESCRIPTORS });
  if (!r.repo) throw new Error(`the lab repo does not load: ${JSON.stringify(r.diagnostics.slice(0, 3))}`);
  return r.repo;
}

function openTransport(): SshTransport {
  return openSshTransport(desired.devices, readFileSync(join(repo.dir, "inventory", "known_hosts"), "utf8"), {
    env: { ...process.env, ...repo.env },
  });
}

const ctxOf = (name: string, runId: string, intent?: DeviceIntent): ApplyContext => ({
  runId,
  device: desired.devices[name] as ApplyContext["device"],
  intent: intent ?? (desired.expanded[name] as DeviceIntent),
  env: {},
});

/** Managed files with content hash, mode, owner and mtime: byte-identical and untouched. */
async function fileState(name: string): Promise<string> {
  const r = await nsExec(router(name), [
    "sh",
    "-c",
    'for f in /etc/bird/bird.conf /etc/wireguard/*.conf /etc/sysctl.d/90-reconciler.conf /etc/network/interfaces.d/reconciler; do [ -f "$f" ] && echo "$(sha256sum < "$f") $(stat -c \'%a %U:%G %Y\' "$f") $f"; done; true',
  ]);
  return r.stdout;
}

async function links(name: string): Promise<string[]> {
  const out = await nsExecOk(router(name), ["ip", "-o", "link", "show"]);
  return out
    .split("\n")
    .map((l) => l.split(": ")[1]?.replace(/@.*/, "") ?? "")
    .filter(Boolean);
}

/** stage + arm + commit with the desired state of `name` (or the given intent). */
async function apply(name: string, runId: string, timeoutS: number, intent?: DeviceIntent) {
  const s = await transport.session(name);
  const ctx = ctxOf(name, runId, intent);
  const live = await debianDriver.read(s, ctx.device);
  const rendered = debianDriver.candidate(ctx.intent, ctx.device, live);
  const staged = await debianApply.stage(s, ctx, rendered, live);
  await armOf(debianApply)(s, ctx, staged, timeoutS);
  await debianApply.commit(s, ctx, staged, timeoutS);
  return { ctx, staged };
}

beforeAll(async () => {
  repo = makeLabRepo(lab());
  // The lab shares /var/lib, /etc/network and /etc/sysctl.d with the host: give each router its own.
  for (const r of lab().routers) {
    await nsExecOk(r, [
      "sh",
      "-c",
      "for d in /var/lib/reconciler /etc/network/interfaces.d /etc/sysctl.d; do mkdir -p $d && mount -t tmpfs -o mode=0755 tmpfs $d; done; chmod 700 /var/lib/reconciler",
    ]);
  }
  desired = await load();
  transport = openTransport();
}, 60_000);
afterAll(async () => {
  await transport?.closeAll();
  removeLabRepo(repo);
});

describe("debianApply on the lab", () => {
  it("builds a WireGuard link with bird OSPF on two routers, passes health, confirms; a second apply changes no file", async () => {
    const runId = newRunId();
    // Keys generated on the routers; their public halves into git.
    const keys: Record<string, Record<string, string>> = {};
    for (const name of PAIR) {
      const s = await transport.session(name);
      const ctx = ctxOf(name, runId);
      await debianApply.lock(s, ctx);
      const ifs = (ctx.intent.wireguard ?? []).map((w) => w.name);
      keys[name] = await keysOf(debianApply).ensureKeys(s, ctx, ifs);
      expect(Object.keys(keys[name] ?? {}).sort()).toEqual([...ifs].sort());
      // Idempotent: the same keys again.
      expect(await keysOf(debianApply).ensureKeys(s, ctx, ifs)).toEqual(keys[name]);
    }
    const keysPath = join(repo.dir, "inventory", "wireguard-keys.yaml");
    let text = readFileSync(keysPath, "utf8");
    for (const name of PAIR)
      for (const [ifn, key] of Object.entries(keys[name] ?? {}))
        text = text.replace(new RegExp(`(\\n  ${name}:\\n(?:    .*\\n)*?    ${ifn}: ).*`), `$1${key}`);
    writeFileSync(keysPath, text);
    desired = await load();
    expect(desired.publicKeys["router-a"]?.["wg-b"]).toBe(keys["router-a"]?.["wg-b"]);

    const started = Date.now();
    for (const name of PAIR) await apply(name, runId, 300);
    const timerPids: number[] = [];
    for (const name of PAIR) {
      const pid = Number(
        await nsExecOk(router(name), ["cat", `/var/lib/reconciler/runs/${runId}/timer.pid`]),
      );
      expect(pidAlive(pid)).toBe(true);
      timerPids.push(pid);
    }
    const expectFor = (peer: string, selfIf: string, peerIf: string): HealthProbe[] => [
      {
        kind: "ospf-adjacency",
        interface: selfIf,
        routerId: desired.expanded[peer]?.ospf?.router_id as string,
      },
      { kind: "wireguard-tunnel", interface: selfIf, publicKey: keys[peer]?.[peerIf] as string },
      ...(desired.expanded[peer]?.ospf?.instances ?? []).flatMap((i) =>
        i.areas.flatMap((a) =>
          (a.stub_networks ?? []).map((prefix): HealthProbe => ({ kind: "route", prefix })),
        ),
      ),
    ];
    const expectations = {
      "router-a": expectFor("router-b", "wg-b", "wg-a"),
      "router-b": expectFor("router-a", "wg-a", "wg-b"),
    };
    let fullAfterMs = 0;
    for (const name of PAIR) {
      const fresh = await transport.freshSession(name);
      const report = await poll(`${name} health`, 90_000, async () => {
        const probes = expectations[name];
        const r = evaluateHealth(probes, await debianApply.health(fresh, ctxOf(name, runId), probes));
        return r.ok ? r : undefined;
      });
      fullAfterMs = Math.max(fullAfterMs, Date.now() - started);
      expect(report.checks.length).toBeGreaterThanOrEqual(3);
      for (const c of report.checks) expect(c.seen).not.toBe("");
    }
    // RECONCILER_RECORD=dir: keep the real outputs the unit tests of the parsers use.
    const recordDir = process.env.RECONCILER_RECORD;
    if (recordDir) {
      const cmds: Record<string, string[]> = {
        "birdc-ospf-neighbors-mesh4.txt": ["birdc", "show", "ospf", "neighbors", "mesh4"],
        "birdc-ospf-neighbors-mesh6.txt": ["birdc", "show", "ospf", "neighbors", "mesh6"],
        "wg-latest-handshakes.txt": ["wg", "show", "wg-b", "latest-handshakes"],
        "ip-j-route.json": ["ip", "-j", "route", "show"],
        "ip-6-j-route.json": ["ip", "-6", "-j", "route", "show"],
      };
      for (const [file, argv] of Object.entries(cmds))
        writeFileSync(join(recordDir, file), (await nsExec(router("router-a"), argv)).stdout);
    }
    console.log(`OSPF Full + handshakes + routes on both routers ${fullAfterMs} ms after the first commit`);
    for (const name of PAIR) {
      const s = await transport.session(name);
      await debianApply.confirm(s, ctxOf(name, runId), stagedOf(runId));
      await debianApply.unlock(s, ctxOf(name, runId));
    }
    await new Promise((r) => setTimeout(r, 300));
    for (const pid of timerPids) expect(pidAlive(pid)).toBe(false);
    const snap = await nsExec(router("router-a"), ["ls", `/var/lib/reconciler/runs/${runId}`]);
    // The candidate is gone; the snapshot stays, with the list of files: the device's own restore
    // point for `rollback --to-last-confirmed`.
    expect(snap.stdout).not.toMatch(/^candidate$/m);
    expect(snap.stdout).toMatch(/^snapshot$/m);
    expect(snap.stdout).toMatch(/^files$/m);
    expect(snap.stdout).toMatch(/record/);
    // Routes from bird in the kernel.
    expect(await nsExecOk(router("router-a"), ["ip", "route", "show", "proto", "bird"])).toMatch(
      /192\.0\.2\.64\/26 .*dev wg-b/,
    );
    // Nothing private in what the reconciler reads back.
    const live = await debianDriver.read(
      await transport.session("router-a"),
      ctxOf("router-a", runId).device,
    );
    expect(JSON.stringify(live)).not.toMatch(/PrivateKey\s*=\s*[A-Za-z0-9+/]{43}=/);

    // Again, the same state: no file changes (content, mode, owner, mtime).
    const before = await Promise.all(PAIR.map(fileState));
    const again = newRunId();
    for (const name of PAIR) {
      const { ctx } = await apply(name, again, 300);
      await debianApply.confirm(await transport.session(name), ctx, stagedOf(ctx.runId));
    }
    expect(await Promise.all(PAIR.map(fileState))).toEqual(before);
  }, 240_000);

  it("rejects a candidate bird refuses, with bird's message, and leaves bird.conf untouched", async () => {
    const name = "router-a";
    const before = await fileState(name);
    const intent = {
      ...(desired.expanded[name] as DeviceIntent),
      raw: { bird: "protocol static broken {\n  route 192.0.2.0/24 blackhole\n" },
    };
    const s = await transport.session(name);
    const ctx = ctxOf(name, newRunId(), intent);
    const live = await debianDriver.read(s, ctx.device);
    const err = await debianApply
      .stage(s, ctx, debianDriver.candidate(intent, ctx.device, live), live)
      .catch((e) => e);
    expect(err).toBeInstanceOf(CandidateRejectedError);
    expect(String(err.message)).toMatch(/\/etc\/bird\/bird\.conf:\d+:\d+ .*syntax error/);
    expect(await fileState(name)).toBe(before);
    const runs = await nsExecOk(router(name), ["ls", "/var/lib/reconciler/runs"]);
    expect(runs).not.toContain(ctx.runId);
  }, 60_000);

  it("reverts by itself when the run is never confirmed and the connection is gone, and read() reports it", async () => {
    const name = "router-b";
    const before = await fileState(name);
    const linksBefore = await links(name);
    expect(linksBefore).not.toContain("wg-x");
    const base = desired.expanded[name] as DeviceIntent;
    const intent: DeviceIntent = {
      ...base,
      wireguard: [
        ...(base.wireguard ?? []),
        { name: "wg-x", addresses: ["203.0.113.100/31"], listen_port: 51899, peers: [] },
      ],
    };
    const runId = newRunId();
    const s = await transport.session(name);
    await keysOf(debianApply).ensureKeys(s, ctxOf(name, runId), ["wg-x"]);
    const armedAt = Date.now();
    await apply(name, runId, 8, intent);
    expect(await links(name)).toContain("wg-x");
    expect(await fileState(name)).not.toBe(before);
    await transport.closeAll();
    await poll("the router reverted", 20_000, async () => {
      const r = await nsExec(router(name), ["test", "-e", `/var/lib/reconciler/runs/${runId}/reverted`]);
      return r.code === 0 ? true : undefined;
    });
    const took = Date.now() - armedAt;
    expect(took).toBeGreaterThanOrEqual(7_000);
    expect(await fileState(name)).toBe(before);
    expect(await links(name)).not.toContain("wg-x");
    transport = openTransport();
    const live = await debianDriver.read(
      await transport.session(name),
      desired.devices[name] as ApplyContext["device"],
    );
    expect(live.notices?.join("\n")).toMatch(
      new RegExp(`run ${runId} was not confirmed within 8 s: the device reverted by itself at `),
    );
    // A late confirm is refused.
    await expect(
      debianApply.confirm(await transport.session(name), ctxOf(name, runId), stagedOf(runId)),
    ).rejects.toThrow(/already reverted/);
  }, 90_000);

  it("rolls back after commit: files byte-identical, a created interface removed, a removed one back", async () => {
    const name = "router-a";
    const before = await fileState(name);
    const base = desired.expanded[name] as DeviceIntent;
    // Drop wg-c and br-lan, add wg-y and br-test.
    const intent: DeviceIntent = {
      ...base,
      wireguard: [
        ...(base.wireguard ?? []).filter((w) => w.name !== "wg-c"),
        { name: "wg-y", addresses: ["203.0.113.102/31"], listen_port: 51898, peers: [] },
      ],
      interfaces: [
        ...(base.interfaces ?? []).filter((i) => i.name !== "br-lan"),
        { name: "br-test", kind: "bridge", addresses: ["198.51.100.250/32"] },
      ],
    };
    const runId = newRunId();
    const s = await transport.session(name);
    await debianApply.lock(s, ctxOf(name, runId));
    await keysOf(debianApply).ensureKeys(s, ctxOf(name, runId), ["wg-y"]);
    const addrsBefore = await nsExecOk(router(name), ["ip", "-o", "addr", "show", "dev", "br-lan"]);
    const { ctx, staged } = await apply(name, runId, 300, intent);
    const mid = await links(name);
    expect(mid).toContain("wg-y");
    expect(mid).toContain("br-test");
    expect(mid).not.toContain("wg-c");
    expect(mid).not.toContain("br-lan");
    await debianApply.rollback(s, ctx, staged as Staged);
    expect(await fileState(name)).toBe(before);
    const after = await links(name);
    expect(after).not.toContain("wg-y");
    expect(after).not.toContain("br-test");
    expect(after).toContain("wg-c");
    expect(after).toContain("br-lan");
    const addrsAfter = await nsExecOk(router(name), ["ip", "-o", "addr", "show", "dev", "br-lan"]);
    const v4 = (t: string) => t.match(/inet \S+/g)?.sort();
    expect(v4(addrsAfter)).toEqual(v4(addrsBefore));
    await debianApply.unlock(s, ctx);
  }, 90_000);

  it("refuses the lock another run holds, naming it, and unlock leaves another run's lock alone", async () => {
    const name = "router-b";
    const s = await transport.session(name);
    const first = ctxOf(name, "holder-run");
    const second = ctxOf(name, "other-run");
    await debianApply.lock(s, first);
    const err = await debianApply.lock(s, second).catch((e) => e);
    expect(err).toBeInstanceOf(LockHeldError);
    expect(String(err.message)).toMatch(
      /locked by run holder-run \(.* pid \d+, since .*; on the device: absent\)/,
    );
    // This process holds it and is alive: not called stale.
    expect(String(err.message)).not.toMatch(/stale/);
    await debianApply.unlock(s, second);
    await expect(debianApply.lock(s, second)).rejects.toBeInstanceOf(LockHeldError);
    await debianApply.unlock(s, first);
    await debianApply.lock(s, second);
    await debianApply.unlock(s, second);
  }, 30_000);

  it("names a stale lock as such, and `unlock --run` frees only that run's lock, never an armed one", async () => {
    const name = "router-b";
    const s = await transport.session(name);
    const dev = desired.devices[name] as ApplyContext["device"];
    // A run of this host whose process is gone (a pid that cannot exist) left the lock behind.
    await nsExecOk(router(name), [
      "sh",
      "-c",
      `mkdir -p /var/lib/reconciler/lock && printf 'run=dead-run\nholder=%s pid 4194304999\ntime=2026-11-29T00:00:00Z\n' "${hostname()}" > /var/lib/reconciler/lock/owner`,
    ]);
    const err = await debianApply.lock(s, ctxOf(name, "next-run")).catch((e) => e);
    expect(err).toBeInstanceOf(LockHeldError);
    expect(String(err.message)).toMatch(
      /looks stale: its process \(pid 4194304999 on this host\) is gone\. Free it with `reconciler unlock router-b --run dead-run`/,
    );
    await expect(debianApply.releaseLock(s, dev, "some-other-run")).rejects.toThrow(/held by another run/);
    // While the dead run's revert timer is pending, the lock stays: the revert frees it.
    await nsExecOk(router(name), [
      "sh",
      "-c",
      "mkdir -p /var/lib/reconciler/runs/dead-run && : > /var/lib/reconciler/runs/dead-run/armed",
    ]);
    await expect(debianApply.releaseLock(s, dev, "dead-run")).rejects.toThrow(/is armed/);
    await nsExecOk(router(name), ["rm", "-rf", "/var/lib/reconciler/runs/dead-run"]);
    expect(await debianApply.releaseLock(s, dev, "dead-run")).toBe("released");
    expect(await debianApply.releaseLock(s, dev, "dead-run")).toBe("not-locked");
    await debianApply.lock(s, ctxOf(name, "next-run"));
    await debianApply.unlock(s, ctxOf(name, "next-run"));
  }, 30_000);
});
