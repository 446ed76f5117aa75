// Interop on the lab (issue 12): fw-1, the simulated OPNsense (config.xml, configctl; WireGuard by
// wireguard-go and FRR from Debian's packages in its namespace), forms WireGuard, OSPF and iBGP
// with core-1 (FRR) through the reconciler's own `keys` and `apply`; a save from the GUI between
// plan and apply is never lost; one change leaves every other byte of config.xml as it was.
// Everything asserted is read from the real kernels and daemons (wg, vtysh, ip route) or from the
// box's files, not from the simulator's word.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliAsync } from "../helpers/cli.ts";
import { setRuleDescription } from "../sim/opnsense/edits.ts";
import { guiSave } from "../sim/opnsense/gui-save.ts";
import { type LabRouter, nsExecOk, sshExec } from "./lab.ts";
import { type LabRepo, makeLabRepo, removeLabRepo, useLab } from "./lab-fixture.ts";

const lab = useLab();
let repo: LabRepo;
const PAIR = "core-1,fw-1";

const cli = (args: string[]) => runCliAsync([...args, "--repo", repo.dir], { env: repo.env });
const git = (...args: string[]) =>
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.net", ...args], { cwd: repo.dir });

const router = (name: string): LabRouter => {
  const r = lab().routers.find((x) => x.name === name);
  if (!r) throw new Error(`no lab router ${name}`);
  return r;
};
const configPath = () => join(router("fw-1").dir, "opnsense", "conf", "config.xml");

async function eventually(what: string, probe: () => Promise<boolean>, ms = 90_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`not within ${ms / 1000} s: ${what}`);
}

beforeAll(() => {
  repo = makeLabRepo(lab());
  // core-1 keeps only its link to the firewall here (the tower has its own test).
  const links = join(repo.dir, "desired", "links.yaml");
  const text = readFileSync(links, "utf8");
  writeFileSync(links, text.slice(0, text.indexOf("  - name: core-tower")));
  git("commit", "-qam", "lab: core-fw only");
}, 60_000);
afterAll(() => removeLabRepo(repo));

describe("OPNsense (simulated, backed by wireguard-go and FRR) with FRR on the lab", () => {
  it("records both ends' WireGuard keys, generated on the devices", async () => {
    const r = await cli(["keys", "--limit", PAIR]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/fw-1 wg0: CHANGED [A-Za-z0-9+/]{43}=/);
    expect(r.stdout).toMatch(/core-1 wg-fw: CHANGED [A-Za-z0-9+/]{43}=/);
    git("commit", "-qam", "keys");
  }, 120_000);

  it("a save from the GUI between plan and apply is never lost: the apply stops, nothing written", async () => {
    const planFile = join(repo.dir, "plan.json");
    expect((await cli(["plan", "--limit", "fw-1", "--out", planFile])).code).toBe(2);
    // The operator edits a rule's description in the GUI meanwhile.
    await guiSave(configPath(), (doc) => setRuleDescription(doc, 1, "edited in the GUI"), {
      username: "root@198.51.100.129",
      requestUri: "/firewall_rules_edit.php",
    });
    const saved = readFileSync(configPath(), "utf8");
    const r = await cli(["apply", planFile, "--yes"]);
    expect(r.code).not.toBe(0);
    expect(`${r.stdout}\n${r.stderr}`).toMatch(/saved by someone else|changed since|plan again/i);
    expect(readFileSync(configPath(), "utf8")).toBe(saved);
  }, 180_000);

  it("applies the core-fw link and both routers' routing, and exits 0; the GUI's edit is still there", async () => {
    const r = await cli(["apply", "--limit", PAIR, "--yes"]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/fw-1: confirmed/);
    expect(r.stdout).toMatch(/core-1: confirmed/);
    const config = readFileSync(configPath(), "utf8");
    expect(config).toContain("edited in the GUI");
    expect(config).toContain("<description>reconciler run ");
  }, 300_000);

  it("has a real handshake on fw-1 and core-1 Full with 192.0.2.197 on wg-fw, its loopback by OSPF", async () => {
    const core = router("core-1");
    await eventually("core-1 sees 192.0.2.197 Full on wg-fw", async () => {
      const j = JSON.parse(await nsExecOk(core, ["vtysh", "-c", "show ip ospf neighbor json"])) as {
        neighbors?: Record<string, { nbrState?: string; ifaceName?: string }[]>;
      };
      return (j.neighbors?.["192.0.2.197"] ?? []).some(
        (n) => /^Full/.test(n.nbrState ?? "") && (n.ifaceName ?? "").startsWith("wg-fw"),
      );
    });
    const dump = await nsExecOk(router("fw-1"), ["wg", "show", "wg0", "dump"]);
    const handshakes = dump
      .split("\n")
      .slice(1)
      .filter((l) => l.includes("\t"))
      .map((l) => Number(l.split("\t")[4]));
    expect(Math.max(...handshakes)).toBeGreaterThan(Date.now() / 1000 - 180);
    expect(await nsExecOk(core, ["ip", "route", "show", "192.0.2.197"])).toMatch(/dev wg-fw proto ospf/);
  }, 120_000);

  it("has iBGP established between the firewall and the route reflector", async () => {
    try {
      await eventually("iBGP fw-core established", async () => {
        const j = JSON.parse(
          await nsExecOk(router("core-1"), ["vtysh", "-c", "show bgp ipv4 unicast summary json"]),
        ) as { peers?: Record<string, { state?: string }> };
        return j.peers?.["192.0.2.197"]?.state === "Established";
      });
    } catch (e) {
      // What each side has, for whoever reads the failure.
      const fw = router("fw-1");
      const show = async (r: LabRouter, argv: string[]) =>
        `${r.name}$ ${argv.join(" ")}\n${await nsExecOk(r, argv).catch((x: unknown) => String(x))}`;
      const seen = await Promise.all([
        show(fw, ["vtysh", "-c", "show running-config"]),
        show(fw, ["vtysh", "-c", "show bgp summary"]),
        show(fw, ["ip", "-br", "addr"]),
        show(fw, ["ip", "route"]),
        show(router("core-1"), ["vtysh", "-c", "show bgp summary"]),
      ]);
      throw new Error(`${(e as Error).message}\n${seen.join("\n")}`);
    }
  }, 120_000);

  it("has the remote-worker rules loaded in pf, as the health gate checked (pfctl over SSH)", async () => {
    const r = await sshExec(router("fw-1"), "pfctl -sr");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^pass in quick on wg1 inet proto tcp from <remote_workers> to <rdp_servers> port = 3389/m,
    );
    expect(r.stdout).toMatch(/^block drop in log quick on wg1 inet from <remote_workers> to any/m);
    const t = await sshExec(router("fw-1"), "pfctl -t remote_workers -T show");
    expect(t.stdout.trim()).toBe("203.0.113.128/26");
  }, 60_000);

  it("plans no change once applied", async () => {
    const r = await cli(["plan", "--limit", PAIR]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  }, 120_000);

  it("one changed rule leaves every other byte of config.xml as it was", async () => {
    const before = readFileSync(configPath(), "utf8");
    const fw = join(repo.dir, "desired", "fw-1.yaml");
    writeFileSync(fw, readFileSync(fw, "utf8").replace("destination_port: 3389", "destination_port: 3390"));
    git("commit", "-qam", "RDP on another port");
    const r = await cli(["apply", "--limit", "fw-1", "--yes"]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const after = readFileSync(configPath(), "utf8");
    const strip = (t: string) =>
      t
        .replace(/<revision>[\s\S]*?<\/revision>/, "")
        .replace("<port>3389</port>", "<port>X</port>")
        .replace("<port>3390</port>", "<port>X</port>");
    expect(strip(after)).toBe(strip(before));
    expect(after).toContain("<port>3390</port>");
  }, 300_000);
});
