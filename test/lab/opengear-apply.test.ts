// The example's oob-1 (simulated Opengear, ogcli over its store) through the reconciler's own
// `plan` and `apply`, health gates included: its serial consoles and its cellular failover with
// the ping probe applied from nothing; then a baud rate and the probe address changed (exactly
// those two entities planned, then applied); a change whose failover the box reports unarmed is
// rolled back by the health gate, the store byte for byte as it was; SNMP with its v3 user, the
// agent (net-snmp in the box's namespace) answering with the desired location. (The management
// VPN is opengear-pops.test.ts's: its hub is not in this lab.)
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliAsync } from "../helpers/cli.ts";
import { type LabRouter, run } from "./lab.ts";
import { type LabRepo, makeLabRepo, removeLabRepo, useLab } from "./lab-fixture.ts";

const lab = useLab();
let repo: LabRepo;
const FAST = ["--soak", "0", "--health-timeout", "20"];

const cli = (args: string[]) => runCliAsync([...args, "--repo", repo.dir], { env: repo.env });
const git = (...args: string[]) =>
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.net", ...args], { cwd: repo.dir });
const oob1 = (): LabRouter => {
  const r = lab().routers.find((x) => x.name === "oob-1");
  if (!r) throw new Error("no lab router oob-1");
  return r;
};
const storeText = () => readFileSync(join(oob1().dir, "opengear", "etc-config", "ngcs.db"), "utf8");
const store = () => JSON.parse(storeText()) as { data: Record<string, unknown> };
const faultsPath = () => join(oob1().dir, "opengear", "sim", "faults.json");
const desiredPath = () => join(repo.dir, "desired", "oob-1.yaml");

function port(n: number): Record<string, unknown> | undefined {
  const ports = store().data.ports;
  return (Array.isArray(ports) ? ports : []).find((p) => (p as { id?: string }).id === `ports-${n}`) as
    | Record<string, unknown>
    | undefined;
}
const failover = () => store().data.failover_settings as Record<string, unknown> | undefined;

let exampleText = "";

beforeAll(() => {
  repo = makeLabRepo(lab());
  const text = readFileSync(desiredPath(), "utf8");
  exampleText = text;
  // Serial ports and failover only (see the file's comment).
  writeFileSync(desiredPath(), text.slice(0, text.indexOf("wireguard:")));
  git("commit", "-qam", "lab: oob-1's consoles and failover");
}, 60_000);
afterAll(() => {
  rmSync(faultsPath(), { force: true });
  removeLabRepo(repo);
});

describe("Opengear (simulated) through plan and apply", () => {
  it("applies the consoles and the failover from nothing; the gate checked both; nothing left to plan", async () => {
    const r = await cli(["apply", "--limit", "oob-1", "--yes", ...FAST]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/oob-1: confirmed/);
    expect(port(1)).toMatchObject({ label: "core-1", baudrate: "9600", mode: "consoleServer" });
    expect(port(2)).toMatchObject({ label: "router-a", baudrate: "9600" });
    expect(failover()).toMatchObject({ enabled: true, probe_address: "203.0.113.53" });
    expect((await cli(["plan", "--limit", "oob-1"])).code).toBe(0);
  }, 240_000);

  it("plans exactly a changed baud rate and probe address, and applies them", async () => {
    writeFileSync(
      desiredPath(),
      readFileSync(desiredPath(), "utf8")
        .replace(/(label: router-a\n {4}baud: )9600/, "$1115200")
        .replace("probe_address: 203.0.113.53", "probe_address: 203.0.113.54"),
    );
    git("commit", "-qam", "router-a's console at 115200; another probe");
    const planned = await cli(["plan", "--limit", "oob-1", "--json"]);
    expect(planned.code).toBe(2);
    const lines = (JSON.parse(planned.stdout).devices[0].commands as { line: string }[]).map((c) => c.line);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^ogcli update port "?ports-2"?/);
    expect(lines[0]).toContain('baudrate="115200"');
    expect(lines[1]).toMatch(/^ogcli update failover\/settings/);
    expect(lines[1]).toContain('probe_address="203.0.113.54"');
    const r = await cli(["apply", "--limit", "oob-1", "--yes", ...FAST]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(port(2)).toMatchObject({ baudrate: "115200" });
    expect(port(1)).toMatchObject({ baudrate: "9600" });
    expect(failover()).toMatchObject({ probe_address: "203.0.113.54" });
  }, 240_000);

  it("rolls back a change whose failover the box reports unarmed: the store as it was, byte for byte", async () => {
    const before = storeText();
    writeFileSync(faultsPath(), JSON.stringify({ failover_status: "disabled" }));
    writeFileSync(
      desiredPath(),
      readFileSync(desiredPath(), "utf8").replace(
        "probe_address: 203.0.113.54",
        "probe_address: 203.0.113.55",
      ),
    );
    git("commit", "-qam", "a probe the box will not arm");
    const r = await cli(["apply", "--limit", "oob-1", "--yes", ...FAST]);
    expect(r.code).not.toBe(0);
    expect(`${r.stdout}\n${r.stderr}`).toMatch(/cellular failover/);
    expect(storeText()).toBe(before);
  }, 240_000);

  it("SNMP: the v3 user applied, the gate finds the agent listening, and it answers as desired", async () => {
    rmSync(faultsPath(), { force: true });
    const snmp = exampleText.slice(exampleText.indexOf("\nsnmp:") + 1, exampleText.indexOf("\nusers:") + 1);
    writeFileSync(
      desiredPath(),
      `${readFileSync(desiredPath(), "utf8").replace("probe_address: 203.0.113.55", "probe_address: 203.0.113.54")}${snmp}`,
    );
    git("commit", "-qam", "SNMP with its v3 user");
    const secrets = { OOB_SNMP_AUTH: "lab-auth-secret-1", OOB_SNMP_PRIV: "lab-priv-secret-1" };
    const r = await runCliAsync(["apply", "--limit", "oob-1", "--yes", ...FAST, "--repo", repo.dir], {
      env: { ...repo.env, ...secrets },
    });
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(`${r.stdout}\n${r.stderr}`).not.toContain(secrets.OOB_SNMP_AUTH);
    // The agent (net-snmp in oob-1's namespace) answers the desired user with the desired location.
    const get = (auth: string) =>
      run("snmpget", [
        ...["-v3", "-l", "authPriv", "-u", "nms", "-a", "SHA-256", "-A", auth],
        ...["-x", "AES", "-X", secrets.OOB_SNMP_PRIV, "-t", "2", "-r", "1", "-On", "-Oqv"],
        ...["198.51.100.136", "1.3.6.1.2.1.1.6.0", "1.3.6.1.2.1.1.4.0"],
      ]);
    const answered = await get(secrets.OOB_SNMP_AUTH);
    expect(answered.code, answered.stderr).toBe(0);
    expect(answered.stdout.trim().split("\n")).toEqual(['"POP 1, rack 3"', '"noc@example.net"']);
    const refused = await get("not-the-auth-secret");
    expect(refused.code).not.toBe(0);
    expect((await cli(["plan", "--limit", "oob-1"])).code).toBe(0);
  }, 240_000);
});
