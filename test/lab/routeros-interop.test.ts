// Interop on the lab (issue 11 §3): tower-1, the simulated RouterOS v7 router, forms WireGuard,
// OSPF and iBGP with core-1, a real FRR router, through the reconciler's own `keys` and `apply`.
// The simulator's WireGuard and routing are backed by wireguard-go and bird in the tower's
// namespace, so everything asserted below is read from the real kernels and daemons on both
// sides (wg, vtysh, birdc, ip route), not from the simulator's word — except the last check,
// which reads the same adjacency through the simulator's RouterOS console.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliAsync } from "../helpers/cli.ts";
import { type LabRouter, nsExecOk, sshExec } from "./lab.ts";
import { type LabRepo, makeLabRepo, removeLabRepo, useLab } from "./lab-fixture.ts";

const lab = useLab();
let repo: LabRepo;
const PAIR = "core-1,tower-1";

const cli = (args: string[]) => runCliAsync([...args, "--repo", repo.dir], { env: repo.env });

const router = (name: string): LabRouter => {
  const r = lab().routers.find((x) => x.name === name);
  if (!r) throw new Error(`no lab router ${name}`);
  return r;
};

/** Polls `probe` until it returns true (the daemons converge on their own timers), up to `ms`. */
async function eventually(what: string, probe: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`not within ${ms / 1000} s: ${what}`);
}

/** A device's recorded WireGuard public key (inventory/wireguard-keys.yaml). */
function recordedKey(device: string, iface: string): string {
  const text = readFileSync(join(repo.dir, "inventory", "wireguard-keys.yaml"), "utf8");
  const block = text.split(/\n {2}(?=\S)/).find((b) => b.startsWith(`${device}:`)) ?? "";
  const m = new RegExp(`\\n {4}${iface}: ([A-Za-z0-9+/]{43}=)`).exec(block);
  if (!m) throw new Error(`no recorded key for ${device} ${iface}`);
  return m[1] as string;
}

beforeAll(() => {
  repo = makeLabRepo(lab());
  // core-1 keeps only its link to the tower here (the firewall has a test of its own).
  const links = join(repo.dir, "desired", "links.yaml");
  const text = readFileSync(links, "utf8");
  writeFileSync(
    links,
    text.slice(0, text.indexOf("  - name: core-fw")) + text.slice(text.indexOf("  - name: core-tower")),
  );
  execFileSync(
    "git",
    ["-c", "user.name=t", "-c", "user.email=t@example.net", "commit", "-qam", "lab: core-tower only"],
    {
      cwd: repo.dir,
    },
  );
}, 60_000);
afterAll(() => removeLabRepo(repo));

describe("RouterOS (simulated, backed by wireguard-go and bird) with FRR on the lab", () => {
  it("records both ends' WireGuard keys, generated on the devices", async () => {
    // As in the example: the tower is managed through core-1 (its SSH goes through core-1's),
    // and the new link joins them: one wave, the tower committed first.
    expect(readFileSync(join(repo.dir, "inventory", "inventory.yaml"), "utf8")).toMatch(/via: core-1/);
    const r = await cli(["keys", "--limit", PAIR]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/tower-1 wg-core: CHANGED [A-Za-z0-9+/]{43}=/);
    expect(r.stdout).toMatch(/core-1 wg-tower: CHANGED [A-Za-z0-9+/]{43}=/);
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.net", "commit", "-qam", "keys"], {
      cwd: repo.dir,
    });
  }, 120_000);

  it("applies the core-tower link and both routers' routing, and exits 0", async () => {
    const r = await cli(["apply", "--limit", PAIR, "--yes"]);
    expect(r.stdout).toMatch(/tower-1: confirmed/);
    expect(r.stdout).toMatch(/core-1: confirmed/);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  }, 300_000);

  it("has a real WireGuard handshake in the tower with core-1's key", async () => {
    const coreKey = recordedKey("core-1", "wg-tower");
    const dump = await nsExecOk(router("tower-1"), ["wg", "show", "wg-core", "dump"]);
    const peer = dump
      .split("\n")
      .slice(1)
      .map((l) => l.split("\t"))
      .find((f) => f[0] === coreKey);
    expect(peer, dump).toBeDefined();
    const handshake = Number(peer?.[4]);
    expect(handshake).toBeGreaterThan(Date.now() / 1000 - 180);
  });

  it("has core-1 Full with 192.0.2.198 on wg-tower, and its loopback in core-1's kernel by OSPF", async () => {
    const core = router("core-1");
    await eventually("core-1 sees 192.0.2.198 Full on wg-tower", async () => {
      const j = JSON.parse(await nsExecOk(core, ["vtysh", "-c", "show ip ospf neighbor json"])) as {
        neighbors?: Record<string, { nbrState?: string; ifaceName?: string }[]>;
      };
      return (j.neighbors?.["192.0.2.198"] ?? []).some(
        (n) => /^Full/.test(n.nbrState ?? "") && (n.ifaceName ?? "").startsWith("wg-tower"),
      );
    });
    const route = await nsExecOk(core, ["ip", "route", "show", "192.0.2.198"]);
    expect(route).toMatch(/192\.0\.2\.198 .*dev wg-tower proto ospf/);
  });

  it("has bird in the tower learning core-1's loopback by OSPF, in the tower's kernel", async () => {
    const tower = router("tower-1");
    await eventually("the tower's bird has 192.0.2.196/32 from OSPF", async () =>
      /192\.0\.2\.196\/32\s+unicast \[ospf\d+ [^\]]*\] \*/.test(
        await nsExecOk(tower, ["birdc", "show", "route", "for", "192.0.2.196/32"]),
      ),
    );
    expect(await nsExecOk(tower, ["ip", "route", "show", "192.0.2.196"])).toMatch(/dev wg-core proto bird/);
  });

  it("has iBGP established between the tower and the route reflector, on both sides", async () => {
    await eventually("iBGP tower-core established", async () => {
      const j = JSON.parse(
        await nsExecOk(router("core-1"), ["vtysh", "-c", "show bgp ipv4 unicast summary json"]),
      ) as { peers?: Record<string, { state?: string }> };
      return j.peers?.["192.0.2.198"]?.state === "Established";
    });
    const protos = await nsExecOk(router("tower-1"), ["birdc", "show", "protocols"]);
    expect(protos).toMatch(/^bgp\d+\s+BGP\s+.*\s+up\s+\S+\s+Established/m);
  });

  it("plans no change once applied", async () => {
    const r = await cli(["plan", "--limit", PAIR]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  }, 120_000);

  it("shows the neighbour Full in the simulator's own `/routing ospf neighbor print terse`", async () => {
    const r = await sshExec(router("tower-1"), "/routing ospf neighbor print terse");
    expect(r.code).toBe(0);
    const row = r.stdout.split(/\r?\n/).find((l) => / router-id=192\.0\.2\.196 /.test(l));
    expect(row, r.stdout).toMatch(/ state=Full /);
    expect(row).toMatch(/ interface=wg-core /);
  });
});
