// `reconciler import` on the lab (importCommand called with the real drivers and SSH transport,
// as main.ts will wire it): router-a of the applied mesh imported back, its links left to
// links.yaml, and plan shows no changes; and a brownfield core-1 configured by hand (bird with
// OSPF and a static route, addresses on lo) imported, taken over by apply, the route kept.
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importCommand } from "../../reconciler/cli/import.ts";
import type { PlanDeps } from "../../reconciler/cli/plan.ts";
import { DRIVERS } from "../../reconciler/drivers/index.ts";
import type { Plan } from "../../reconciler/model/plan.ts";
import { openSshTransport } from "../../reconciler/transport/ssh.ts";
import { runCli } from "../helpers/cli.ts";
import { nsExecOk } from "./lab.ts";
import { type LabRepo, makeLabRepo, removeLabRepo, useLab } from "./lab-fixture.ts";

const lab = useLab();
let repo: LabRepo;
const MESH = "router-a,router-b,router-c";

const deps: PlanDeps = {
  drivers: DRIVERS,
  openTransport: (r, knownHosts) => openSshTransport(r.devices, knownHosts),
};

const cli = (args: string[]) => runCli([...args, "--repo", repo.dir], { env: repo.env });

const git = (...args: string[]) =>
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.net", ...args], { cwd: repo.dir });

/** importCommand in this process, with the lab's SSH key in the environment as the CLI would have it. */
async function runImport(device: string, opts: { write?: boolean; force?: boolean } = {}) {
  const out = new PassThrough();
  let text = "";
  out.on("data", (c: Buffer) => {
    text += c.toString("utf8");
  });
  const saved = process.env.RECONCILER_SSH_KEY;
  process.env.RECONCILER_SSH_KEY = repo.env.RECONCILER_SSH_KEY;
  try {
    const code = await importCommand(device, { repo: repo.dir, ...opts }, deps, out, false);
    return { code, out: text };
  } finally {
    if (saved === undefined) delete process.env.RECONCILER_SSH_KEY;
    else process.env.RECONCILER_SSH_KEY = saved;
  }
}

const desired = (name: string) => join(repo.dir, "desired", `${name}.yaml`);
const body = (text: string) =>
  text
    .split("\n")
    .filter((l) => !l.startsWith("#"))
    .join("\n");

function planJson(limit: string): { code: number; plan: Plan } {
  const r = cli(["plan", "--limit", limit, "--json"]);
  try {
    return { code: r.code, plan: JSON.parse(r.stdout) as Plan };
  } catch {
    throw new Error(`plan printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

beforeAll(() => {
  repo = makeLabRepo(lab());
}, 60_000);
afterAll(() => removeLabRepo(repo));

describe("reconciler import on the lab", () => {
  it("applies the example mesh", () => {
    expect(cli(["keys", "--limit", MESH]).code).toBe(0);
    git("commit", "-qam", "record the mesh's keys");
    const r = cli(["apply", "--limit", MESH, "--yes"]);
    expect(r.stdout).toMatch(/router-a: confirmed/);
    expect(r.code).toBe(0);
  });

  it("imports router-a of the applied mesh: refuses to overwrite without --force, then plan shows no changes", async () => {
    const original = readFileSync(desired("router-a"), "utf8");
    const refused = await runImport("router-a", { write: true });
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/desired\/router-a.yaml exists; --force overwrites it/);
    expect(readFileSync(desired("router-a"), "utf8")).toBe(original);

    const printed = await runImport("router-a");
    expect(printed.code).toBe(0);
    expect(printed.out).toMatch(
      /^# yaml-language-server: \$schema=\.\.\/reconciler\/schema\/json\/device\.schema\.json\n/,
    );
    expect(printed.out).toMatch(/^# note: left out, defined by desired\/links.yaml: wg-b, wg-c/m);

    const written = await runImport("router-a", { write: true, force: true });
    expect(written.code).toBe(0);
    expect(written.out).toMatch(/^wrote desired\/router-a.yaml$/m);
    const text = readFileSync(desired("router-a"), "utf8");
    expect(text).not.toBe(original);
    // What was printed is what was written (the notes are comments after it).
    expect(printed.out.startsWith(text)).toBe(true);
    expect(body(text)).not.toMatch(/wg-b|wg-c|PrivateKey/);
    expect(body(text)).toMatch(/routing_daemon: bird/);
    expect(body(text)).toMatch(/description: site A LAN/);

    const { code, plan } = planJson("router-a");
    expect(plan.devices[0]?.changes).toEqual([]);
    expect(plan.devices[0]?.files).toEqual([]);
    expect(code).toBe(0);
    // The mesh as a whole: nothing to do either.
    expect(cli(["plan", "--limit", MESH]).code).toBe(0);
    writeFileSync(desired("router-a"), original);
  });

  it("refuses a device the inventory does not have", async () => {
    const r = await runImport("router-z");
    expect(r.code).toBe(64);
    expect(r.out).toMatch(/no device named "router-z" in the inventory/);
  });

  it("brownfield: core-1 configured by hand is imported, planned without semantic changes, taken over by apply", async () => {
    // core-1 without its links (fw-1 and tower-1 are not in the lab) and without a desired file.
    const links = readFileSync(join(repo.dir, "desired", "links.yaml"), "utf8");
    writeFileSync(
      join(repo.dir, "desired", "links.yaml"),
      links.slice(0, links.indexOf("  # The core's links")),
    );
    for (const name of ["core-1", "fw-1", "tower-1"]) rmSync(desired(name));
    git("commit", "-qam", "core-1 is not managed yet");

    const core = lab().routers.find((r) => r.name === "core-1");
    if (!core) throw new Error("no core-1 in the lab");
    await nsExecOk(
      core,
      "ip addr replace 192.0.2.196/32 dev lo && ip addr replace 2001:db8:ffff::4/128 dev lo",
    );
    await nsExecOk(core, [
      "sh",
      "-c",
      `cat > /etc/bird/bird.conf <<'EOF'
# core-1, configured by hand
log syslog all;
router id 192.0.2.196;

protocol device {
}

protocol kernel kernel4 {
  ipv4 {
    import none;
    export where source ~ [ RTS_STATIC, RTS_OSPF, RTS_OSPF_IA, RTS_OSPF_EXT1, RTS_OSPF_EXT2, RTS_BGP ];
  };
}

protocol kernel kernel6 {
  ipv6 {
    import none;
    export where source ~ [ RTS_STATIC, RTS_OSPF, RTS_OSPF_IA, RTS_OSPF_EXT1, RTS_OSPF_EXT2, RTS_BGP ];
  };
}

protocol static static4 {
  ipv4;
  route 192.0.2.0/24 blackhole;
}

protocol ospf v2 core4 {
  ipv4 { import all; export none; };
  area 0.0.0.0 {
    interface "lo" { stub yes; cost 10; };
  };
}
EOF
birdc configure`,
    ]);
    expect(await nsExecOk(core, ["ip", "route", "show", "proto", "bird"])).toMatch(
      /blackhole 192\.0\.2\.0\/24/,
    );

    const r = await runImport("core-1", { write: true });
    expect(r.code).toBe(0);
    const text = readFileSync(desired("core-1"), "utf8");
    expect(body(text)).toMatch(/routing_daemon: bird/);
    expect(body(text)).toMatch(/- prefix: 192\.0\.2\.0\/24\n\s+blackhole: true/);
    // cost 10 is bird's default, but the hand-written file spells it: kept.
    expect(body(text)).toMatch(/- name: lo\n\s+passive: true\n\s+cost: 10/);
    expect(body(text)).toMatch(/addresses: \[192\.0\.2\.196\/32, 2001:db8:ffff::4\/128\]/);

    // No semantic change; the files are rewritten in the reconciler's own form.
    const planned = planJson("core-1");
    expect(planned.plan.devices[0]?.changes).toEqual([]);
    expect(planned.plan.devices[0]?.files.map((f) => f.path)).toContain("/etc/bird/bird.conf");
    git("add", "desired/core-1.yaml");
    git("commit", "-qm", "import core-1");
    const applied = cli(["apply", "--limit", "core-1", "--yes"]);
    expect(applied.stdout).toMatch(/core-1: confirmed/);
    expect(applied.code).toBe(0);
    expect(cli(["plan", "--limit", "core-1"]).code).toBe(0);
    expect(await nsExecOk(core, ["ip", "route", "show", "proto", "bird"])).toMatch(
      /blackhole 192\.0\.2\.0\/24/,
    );
  });
});
