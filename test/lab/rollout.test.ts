// The fleet rollout (reconciler/rollout/) end to end on the lab, through `reconciler apply --json`:
// the exact waves of a fleet with a `via` chain (hidden-1 behind router-a, lab.sh hidden-up),
// hidden-1 applied through router-a, a failing canary that halts the rollout with nothing else
// touched, --max-fail-percentage tolerating or halting on a failure, the lockout analysis refusing
// a plan that cuts the path to a device (and accepting it in two runs, or with the operator's
// --allow-lockout), and two runs at once: from two checkouts (the device locks keep them apart) and
// from one checkout (the repository's run lock).
//
// The failing device is router-c with a wrong public key recorded for its peer on the a-c link
// (router-a's wg-c): its config is valid, but the tunnel cannot come up, so its health gate fails
// and it is rolled back; nothing else in the repository changes with that key.
//
// A cut made by router-a on the path to hidden-1 is refused in any order (hidden-1 could not be
// reached afterwards), checked on the lab's real plan with lockoutFindings for both orders and
// through `apply`, with hidden-1 in the rollout and without it.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { DESCRIPTORS } from "../../reconciler/drivers/descriptors.ts";
import { loadRepo } from "../../reconciler/load/load.ts";
import { WorkingTreeReader } from "../../reconciler/load/reader.ts";
import type { DeviceOutcome } from "../../reconciler/model/outcome.ts";
import type { Plan } from "../../reconciler/model/plan.ts";
import type { LockoutFinding } from "../../reconciler/rollout/lockout.ts";
import { lockoutFindings } from "../../reconciler/rollout/lockout.ts";
import { type CliResult, runCli, runCliAsync } from "../helpers/cli.ts";
import { poll } from "../helpers/poll.ts";
import { type LabRouter, labDir, labHiddenUp, nsExec, nsExecOk } from "./lab.ts";
import { type LabRepo, makeLabRepo, removeLabRepo, useLab } from "./lab-fixture.ts";

const lab = useLab();
let repo: LabRepo;
const clones: LabRepo[] = [];
const HIDDEN = "hidden-1";
const HIDDEN_ADDR = "198.51.100.242";
const VIA_ADDR = "198.51.100.241";
const MESH = ["router-a", "router-b", "router-c"];
const ALL = ["core-1", HIDDEN, ...MESH];
/** Short gates: the failing device fails its health gate within 15 s. */
const FAST = ["--soak", "0", "--health-timeout", "15", "--confirm-timeout", "60"];

interface Wave {
  devices: string[];
  canary: boolean;
}
interface ApplyJson {
  runId: string;
  plan: Plan;
  waves: Wave[];
  outcomes: DeviceOutcome[];
  notReached: string[];
  halted?: { wave: number; reason: string; failed: string[] };
  refused?: LockoutFinding[];
}

/** Each checkout's own state store, beside it (outside the working tree). */
const stateOf = (r: LabRepo) => `${r.dir}-state`;
const envOf = (r: LabRepo) => ({ ...r.env, RECONCILER_STATE_DIR: stateOf(r) });
const cli = (args: string[], r: LabRepo = repo): CliResult =>
  runCli([...args, "--repo", r.dir], { env: envOf(r) });
const cliAsync = (args: string[], r: LabRepo = repo): Promise<CliResult> =>
  runCliAsync([...args, "--repo", r.dir], { env: envOf(r) });

function json(r: CliResult): ApplyJson {
  try {
    return JSON.parse(r.stdout) as ApplyJson;
  } catch {
    throw new Error(`apply did not print JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

function git(dir: string, ...args: string[]): string {
  return execFileSync("git", ["-c", "user.name=lab", "-c", "user.email=lab@example.net", ...args], {
    cwd: dir,
    encoding: "utf8",
  });
}
const commit = (message: string, dir = repo.dir) => {
  git(dir, "add", "-A");
  git(dir, "commit", "-qm", message);
};

/** Edits a YAML file of the repository in place. */
function edit(rel: string, f: (doc: YAML.Document) => void, dir = repo.dir): void {
  const path = join(dir, rel);
  const doc = YAML.parseDocument(readFileSync(path, "utf8"));
  f(doc);
  writeFileSync(path, doc.toString());
}
const addLoopback = (device: string, address: string, dir = repo.dir) =>
  edit(
    `desired/${device}.yaml`,
    (doc) => {
      const lo = (doc.toJS().interfaces as { name: string }[]).findIndex((i) => i.name === "lo");
      doc.addIn(["interfaces", lo, "addresses"], address);
    },
    dir,
  );

/** A lab router, hidden-1 included (it is not in routers.json: its init pid is read directly). */
function device(name: string): LabRouter {
  const r = lab().routers.find((x) => x.name === name);
  if (r) return r;
  if (name !== HIDDEN) throw new Error(`no lab router ${name}`);
  const pid = Number(readFileSync(join(labDir(), "routers", HIDDEN, "init.pid"), "utf8").trim());
  return { ...(lab().routers[0] as LabRouter), name, namespace: `rcl-${name}`, initPid: pid, pids: {} };
}

const MANAGED =
  "/etc/bird/bird.conf /etc/frr/frr.conf /etc/wireguard/*.conf /etc/sysctl.d/90-reconciler.conf /etc/network/interfaces.d/reconciler";
/** sha256 of every managed file on a device: byte-identical restores. */
async function sums(name: string): Promise<string> {
  const out = await nsExecOk(device(name), ["sh", "-c", `sha256sum ${MANAGED} 2>/dev/null; true`]);
  if (!out.includes("bird.conf")) throw new Error(`${name}: no managed file read`);
  return out;
}
/** sha256, mode, owner and mtime of every managed file: untouched, not even rewritten. */
async function untouched(name: string): Promise<string> {
  const out = await nsExecOk(device(name), [
    "sh",
    "-c",
    `for f in ${MANAGED}; do [ -f "$f" ] && echo "$(sha256sum < "$f") $(stat -c '%a %U:%G %Y' "$f") $f"; done; true`,
  ]);
  if (!out.includes("bird.conf")) throw new Error(`${name}: no managed file read`);
  return out;
}
const allSums = () => Promise.all(ALL.map(async (n) => [n, await sums(n)] as const)).then(Object.fromEntries);
const allUntouched = () =>
  Promise.all(ALL.map(async (n) => [n, await untouched(n)] as const)).then(Object.fromEntries);

/** Whether the run left its directory on the device: a device the run never reached has none. */
async function hasRunDir(name: string, runId: string): Promise<boolean> {
  return (await nsExec(device(name), ["test", "-d", `/var/lib/reconciler/runs/${runId}`])).code === 0;
}
const ifupdown = (name: string) => nsExecOk(device(name), ["cat", "/etc/network/interfaces.d/reconciler"]);
const addrs = (name: string, ifname: string) =>
  nsExecOk(device(name), ["ip", "-o", "addr", "show", "dev", ifname]);
const outcome = (r: ApplyJson, name: string) => r.outcomes.find((o) => o.device === name);
const results = (r: ApplyJson) => Object.fromEntries(r.outcomes.map((o) => [o.device, o.result]));

/** Logins hidden-1's sshd accepted from router-a's end of their link. */
const loginsFromVia = () =>
  readFileSync(join(labDir(), "routers", HIDDEN, "log", "sshd.log"), "utf8").split(
    `Accepted publickey for root from ${VIA_ADDR} `,
  ).length - 1;

/** router-c's peer on the a-c link gets a key no device holds: valid, but the tunnel never comes up. */
function breakRouterC(): string {
  const keys = readFileSync(join(repo.dir, "inventory", "wireguard-keys.yaml"), "utf8");
  const doc = YAML.parseDocument(keys);
  doc.setIn(["keys", "router-a", "wg-c"], randomBytes(32).toString("base64"));
  writeFileSync(join(repo.dir, "inventory", "wireguard-keys.yaml"), doc.toString());
  return keys;
}

beforeAll(async () => {
  repo = makeLabRepo(lab());
  const known = await labHiddenUp(HIDDEN, "router-a");
  appendFileSync(join(repo.dir, "inventory", "known_hosts"), `${known}\n`);
  edit("inventory/inventory.yaml", (doc) =>
    doc.setIn(["devices", HIDDEN], {
      platform: "debian",
      host: HIDDEN_ADDR,
      groups: ["mesh"],
      labels: { site: "site-hidden" },
      via: "router-a",
    }),
  );
  // hidden-1 and router-a name the link between them, and router-b and core-1 their management
  // addresses, so that the lockout analysis (which reads the desired state only) can judge them.
  writeFileSync(
    join(repo.dir, "desired", `${HIDDEN}.yaml`),
    [
      "description: an out-of-band router reached only through router-a",
      "routing_daemon: bird",
      "interfaces:",
      "  - name: lo",
      "    kind: loopback",
      "    addresses: [192.0.2.250/32]",
      "  - name: eth-up",
      "    kind: ethernet",
      `    addresses: [${HIDDEN_ADDR}/29]`,
      "",
    ].join("\n"),
  );
  edit("desired/router-a.yaml", (doc) =>
    doc.addIn(["interfaces"], {
      name: `eth-${HIDDEN}`,
      kind: "ethernet",
      description: "the link to hidden-1",
      addresses: [`${VIA_ADDR}/29`],
    }),
  );
  edit("desired/router-b.yaml", (doc) =>
    doc.addIn(["interfaces"], { name: "mgmt0", kind: "ethernet", addresses: ["198.51.100.131/26"] }),
  );
  // core-1's management address also on its loopback: the lab keeps it on mgmt0, which the
  // desired state does not name.
  addLoopback("core-1", "198.51.100.133/32");
  // The firewall and the tower are not in the lab: core-1 has no link here.
  const links = join(repo.dir, "desired", "links.yaml");
  const text = readFileSync(links, "utf8");
  writeFileSync(links, text.slice(0, text.indexOf("  # The core's links")));
  commit("the rollout lab: hidden-1 behind router-a, core-1 without its edge links");
  const keys = cli(["keys", "--limit", MESH.join(",")]);
  expect(keys.code, keys.stderr).toBe(0);
  commit("the mesh's keys");
}, 120_000);
afterAll(() => {
  for (const r of [repo, ...clones]) {
    if (!r) continue;
    removeLabRepo(r);
    rmSync(stateOf(r), { recursive: true, force: true });
  }
});

describe("fleet rollout on the lab", () => {
  it("applies in the exact fleet order: canary, then the farthest (hidden-1, through router-a), then the mesh whole", async () => {
    const logins = loginsFromVia();
    const before = await ifupdown(HIDDEN).catch(() => "");
    expect(before).not.toContain("192.0.2.250");
    const r = await cliAsync([
      "apply",
      "--yes",
      "--json",
      "--limit",
      ALL.join(","),
      "--batch",
      "1",
      "--canary",
      "core-1",
      "--soak",
      "0",
      "--health-timeout",
      "60",
      "--confirm-timeout",
      "120",
    ]);
    const out = json(r);
    expect(out.waves).toEqual([
      { devices: ["core-1"], canary: true },
      // hidden-1 is reached through router-a: before it, in a wave of its own (batch 1).
      { devices: [HIDDEN], canary: false },
      // The three ends of the mesh's links: one wave, larger than the batch.
      { devices: ["router-a", "router-b", "router-c"], canary: false },
    ]);
    expect(out.outcomes.map((o) => o.device)).toEqual(["core-1", HIDDEN, "router-a", "router-b", "router-c"]);
    expect(results(out)).toEqual(Object.fromEntries(ALL.map((n) => [n, "confirmed"])));
    expect(out.notReached).toEqual([]);
    expect(out.halted).toBeUndefined();
    expect(out.refused).toBeUndefined();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/wave 1\/3 \(canary\): core-1\n/);
    expect(r.stderr).toMatch(/wave 2\/3: hidden-1\n/);
    expect(r.stderr).toMatch(/wave 3\/3: router-a, router-b, router-c\n/);
    // The waves ran in that order: each device's commit after the previous wave's.
    const at = (s: string) => r.stderr.indexOf(s);
    expect(at("core-1: commit ok")).toBeGreaterThan(-1);
    expect(at("core-1: commit ok")).toBeLessThan(at("hidden-1: commit ok"));
    expect(at("hidden-1: commit ok")).toBeLessThan(at("router-a: commit ok"));

    // hidden-1 was applied through router-a: its sshd saw the logins from router-a's end of the
    // link (the run's connection and the health gate's fresh one), and its file changed.
    expect(loginsFromVia()).toBeGreaterThanOrEqual(logins + 2);
    expect(await ifupdown(HIDDEN)).toContain("192.0.2.250/32");
    expect(await addrs(HIDDEN, "lo")).toContain("192.0.2.250/32");
    // The mesh converged: router-a learns router-c's LAN over OSPF.
    expect(await nsExecOk(device("router-a"), ["ip", "route", "show", "proto", "bird"])).toMatch(
      /192\.0\.2\.128\/26 .*dev wg-b/,
    );
    // Nothing left to do.
    expect(cli(["plan", "--limit", ALL.join(",")]).code).toBe(0);
  }, 180_000);

  describe("a failure", () => {
    let original: string;
    beforeAll(() => {
      // router-c fails its health gate; core-1 and hidden-1 have a change that passes.
      original = breakRouterC();
      addLoopback("core-1", "192.0.2.201/32");
      addLoopback(HIDDEN, "192.0.2.251/32");
      commit("router-c's peer key on a-c is wrong; a loopback address more on core-1 and hidden-1");
    });
    afterAll(() => {
      writeFileSync(join(repo.dir, "inventory", "wireguard-keys.yaml"), original);
      commit("router-c's peer key back");
    });
    const LIMIT = ["--limit", `router-c,core-1,${HIDDEN}`];

    it("of the canary halts the rollout: the canary rolled back byte-identical, the others never reached", async () => {
      const before = await allUntouched();
      const canaryBefore = await sums("router-c");
      const r = cli(["apply", "--yes", "--json", ...LIMIT, "--canary", "router-c", ...FAST]);
      const out = json(r);
      expect(out.waves).toEqual([
        { devices: ["router-c"], canary: true },
        { devices: ["core-1", HIDDEN], canary: false },
      ]);
      expect(out.outcomes).toHaveLength(1);
      expect(outcome(out, "router-c")).toMatchObject({ result: "rolled-back", failedStep: "health" });
      expect(out.halted).toEqual({ wave: 0, reason: "failed", failed: ["router-c"] });
      expect(out.notReached).toEqual(["core-1", HIDDEN]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/wave 1\/2 \(canary\): router-c\n/);
      expect(r.stderr).not.toMatch(/wave 2\/2/);
      // The canary is back, byte for byte; every other device is untouched, never contacted for
      // a change (no run directory of this run).
      expect(await sums("router-c")).toBe(canaryBefore);
      const after = await allUntouched();
      for (const name of ["core-1", HIDDEN, "router-a", "router-b"]) expect(after[name]).toBe(before[name]);
      expect(await hasRunDir("router-c", out.runId)).toBe(true);
      expect(await hasRunDir("core-1", out.runId)).toBe(false);
      expect(await hasRunDir(HIDDEN, out.runId)).toBe(false);
      expect(await addrs("core-1", "lo")).not.toContain("192.0.2.201");
    });

    it("beyond --max-fail-percentage halts the wave: 1 of 3 failed is more than 33% (the others rolled back too)", async () => {
      const before = await allSums();
      const r = cli([
        "apply",
        "--yes",
        "--json",
        ...LIMIT,
        "--batch",
        "100%",
        "--max-fail-percentage",
        "33",
        ...FAST,
      ]);
      const out = json(r);
      expect(out.waves).toEqual([{ devices: ["core-1", HIDDEN, "router-c"], canary: false }]);
      expect(out.halted).toEqual({ wave: 0, reason: "failed", failed: ["router-c"] });
      expect(out.notReached).toEqual([]);
      expect(outcome(out, "router-c")).toMatchObject({ result: "rolled-back", failedStep: "health" });
      // The wave is rolled back whole: the healthy devices with it, not failures of their own.
      for (const name of ["core-1", HIDDEN])
        expect(outcome(out, name)).toMatchObject({ result: "rolled-back", error: { kind: "WaveFailed" } });
      expect(r.code).toBe(1);
      expect(await allSums()).toEqual(before);
      // No second attempt.
      expect(await hasRunDir("core-1", `${out.runId}.2`)).toBe(false);
    });

    it("within --max-fail-percentage goes on: 1 of 3 failed is within 50%, the others applied again and confirmed", async () => {
      const before = await allSums();
      const r = cli([
        "apply",
        "--yes",
        "--json",
        ...LIMIT,
        "--batch",
        "100%",
        "--max-fail-percentage",
        "50",
        ...FAST,
      ]);
      const out = json(r);
      expect(out.waves).toEqual([{ devices: ["core-1", HIDDEN, "router-c"], canary: false }]);
      expect(out.halted).toBeUndefined();
      expect(out.notReached).toEqual([]);
      expect(results(out)).toEqual({
        "core-1": "confirmed",
        [HIDDEN]: "confirmed",
        "router-c": "rolled-back",
      });
      expect(outcome(out, "router-c")?.failedStep).toBe("health");
      // A device was rolled back: the run is not a success.
      expect(r.code).toBe(1);
      // The wave was rolled back whole, then the others were applied again under a run id of their own.
      for (const name of ["core-1", HIDDEN]) {
        expect(await hasRunDir(name, out.runId)).toBe(true);
        expect(await hasRunDir(name, `${out.runId}.2`)).toBe(true);
      }
      expect(await hasRunDir("router-c", `${out.runId}.2`)).toBe(false);
      expect(await sums("router-c")).toBe(before["router-c"]);
      expect(await addrs("core-1", "lo")).toContain("192.0.2.201/32");
      expect(await ifupdown(HIDDEN)).toContain("192.0.2.251/32");
      for (const name of ["router-a", "router-b"]) expect(await sums(name)).toBe(before[name]);
    });
  });

  describe("the lockout analysis", () => {
    it("refuses renumbering a management address in one run, and takes the first of the two runs", async () => {
      edit("desired/router-b.yaml", (doc) => {
        const i = (doc.toJS().interfaces as { name: string }[]).findIndex((x) => x.name === "mgmt0");
        doc.setIn(["interfaces", i, "addresses"], ["198.51.100.141/26"]);
      });
      commit("router-b renumbered in one run");
      const before = await allUntouched();
      const r = cli(["apply", "--yes", "--json", "--limit", "router-b", ...FAST]);
      const out = json(r);
      expect(r.code).toBe(1);
      expect(out.refused).toHaveLength(1);
      expect(out.refused?.[0]).toMatchObject({
        device: "router-b",
        path: "reconciler → router-b (198.51.100.131:22)",
      });
      expect(out.refused?.[0]?.message).toMatch(
        /^router-b loses its management address 198\.51\.100\.131: keep the old address/,
      );
      expect(out.refused?.[0]?.message).toMatch(/or pass --allow-lockout$/);
      expect(out.outcomes).toEqual([]);
      expect(out.notReached).toEqual(["router-b"]);
      expect(await allUntouched()).toEqual(before);
      expect(await hasRunDir("router-b", out.runId)).toBe(false);
      expect(await addrs("router-b", "mgmt0")).not.toContain("198.51.100.141");

      // The first of the two runs: the new address beside the old one, which the inventory names.
      edit("desired/router-b.yaml", (doc) => {
        const i = (doc.toJS().interfaces as { name: string }[]).findIndex((x) => x.name === "mgmt0");
        doc.setIn(["interfaces", i, "addresses"], ["198.51.100.131/26", "198.51.100.141/26"]);
      });
      commit("router-b: the new management address beside the old one");
      const first = cli(["apply", "--yes", "--json", "--limit", "router-b", ...FAST]);
      const firstOut = json(first);
      expect(firstOut.refused).toBeUndefined();
      expect(results(firstOut)).toEqual({ "router-b": "confirmed" });
      expect(first.code).toBe(0);
      const mgmt = await addrs("router-b", "mgmt0");
      expect(mgmt).toContain("198.51.100.131/26");
      expect(mgmt).toContain("198.51.100.141/26");
    });

    it("refuses a plan that removes the address hidden-1 is reached at through router-a", async () => {
      const original = readFileSync(join(repo.dir, "desired", `${HIDDEN}.yaml`), "utf8");
      edit(`desired/${HIDDEN}.yaml`, (doc) =>
        doc.setIn(["interfaces", 1, "addresses"], ["198.51.100.243/29"]),
      );
      commit("hidden-1 renumbered");
      try {
        const before = await allUntouched();
        const r = cli(["apply", "--yes", "--json", "--limit", HIDDEN, ...FAST]);
        const out = json(r);
        expect(r.code).toBe(1);
        expect(out.refused).toHaveLength(1);
        expect(out.refused?.[0]).toMatchObject({
          device: HIDDEN,
          path: `reconciler → router-a → ${HIDDEN} (${HIDDEN_ADDR}:22)`,
        });
        expect(out.refused?.[0]?.message).toMatch(
          /^hidden-1 loses its management address 198\.51\.100\.242: /,
        );
        expect(out.outcomes).toEqual([]);
        expect(await allUntouched()).toEqual(before);
        expect(await hasRunDir(HIDDEN, out.runId)).toBe(false);
      } finally {
        writeFileSync(join(repo.dir, "desired", `${HIDDEN}.yaml`), original);
        commit("hidden-1's address back");
      }
    });

    it("puts a link between hidden-1 and router-a, on its path, in one wave; keys git does not hold stop it before anything is staged", async () => {
      const linksPath = join(repo.dir, "desired", "links.yaml");
      const keysPath = join(repo.dir, "inventory", "wireguard-keys.yaml");
      const [links, keys] = [readFileSync(linksPath, "utf8"), readFileSync(keysPath, "utf8")];
      appendFileSync(
        linksPath,
        [
          "",
          "  - name: a-hidden",
          "    transport: wireguard",
          "    transfer_nets: [203.0.113.12/31]",
          "    ends:",
          `      - { device: router-a, interface: wg-h, listen_port: 51830, endpoint: ${VIA_ADDR} }`,
          `      - { device: ${HIDDEN}, interface: wg-a, listen_port: 51830, endpoint: ${HIDDEN_ADDR} }`,
          "",
        ].join("\n"),
      );
      edit("inventory/wireguard-keys.yaml", (doc) => {
        doc.setIn(["keys", "router-a", "wg-h"], randomBytes(32).toString("base64"));
        doc.setIn(["keys", HIDDEN], { "wg-a": randomBytes(32).toString("base64") });
      });
      commit("a link between router-a and hidden-1");
      try {
        const before = await allUntouched();
        const r = cli(["apply", "--yes", "--limit", `router-a,${HIDDEN}`, ...FAST]);
        expect(r.code).toBe(1);
        // No refusal of the order: one wave (hidden-1 is committed first when it comes to that).
        expect(r.stdout).not.toMatch(/refusing to apply/);
        // The keys git holds for the new link are not the devices' own: stopped at the keys step.
        expect(`${r.stdout}\n${r.stderr}`).toMatch(/is not the one in inventory\/wireguard-keys\.yaml/);
        expect(r.stderr).not.toMatch(/: (stage|commit) ok/);
        expect(await allUntouched()).toEqual(before);
      } finally {
        writeFileSync(linksPath, links);
        writeFileSync(keysPath, keys);
        commit("no link between router-a and hidden-1");
      }
    });

    it("refuses what the desired state says cuts core-1's address, and applies it with --allow-lockout where the lab keeps the address elsewhere", async () => {
      // The desired state drops 198.51.100.133 from lo; the lab also holds it on mgmt0, which the
      // desired state does not name: the analysis cannot know that, the operator does.
      edit("desired/core-1.yaml", (doc) => {
        const lo = doc.getIn(["interfaces", 0, "addresses"]) as YAML.YAMLSeq;
        lo.items = lo.items.filter((i) => String((i as YAML.Scalar).value) !== "198.51.100.133/32");
      });
      commit("core-1: its management address off lo");
      const before = await allUntouched();
      const refused = cli(["apply", "--yes", "--json", "--limit", "core-1", ...FAST]);
      const out = json(refused);
      expect(refused.code).toBe(1);
      // tower-1 (in the inventory, reached through core-1, not in the lab) would be cut off too.
      expect(out.refused?.map((f) => [f.device, f.path])).toEqual([
        ["core-1", "reconciler → core-1 (198.51.100.133:22)"],
        ["tower-1", "reconciler → core-1 → tower-1 (198.51.100.135:22)"],
      ]);
      expect(out.refused?.[0]?.message).toMatch(/^core-1 loses its management address 198\.51\.100\.133/);
      expect(await allUntouched()).toEqual(before);
      expect(await addrs("core-1", "lo")).toContain("198.51.100.133/32");

      const r = cli(["apply", "--yes", "--json", "--limit", "core-1", "--allow-lockout", ...FAST]);
      const applied = json(r);
      expect(applied.refused).toBeUndefined();
      expect(results(applied)).toEqual({ "core-1": "confirmed" });
      expect(r.code).toBe(0);
      expect(await addrs("core-1", "lo")).not.toContain("198.51.100.133");
      expect(await addrs("core-1", "mgmt0")).toContain("198.51.100.133/26");
      expect(cli(["plan", "--limit", "core-1"]).code).toBe(0);
    });
  });

  describe("two runs at once", () => {
    it("from two checkouts: the second fails on the device locks naming the first, changes nothing; the first confirms. From one checkout: the run lock refuses the second at once", async () => {
      const clone = (): LabRepo => {
        const c = { dir: mkdtempSync(join(tmpdir(), "reconciler-lab-clone-")), env: repo.env };
        clones.push(c);
        execFileSync("git", ["clone", "-q", repo.dir, c.dir]);
        return c;
      };
      const first = clone();
      const second = clone();
      // Each checkout has a change of its own on both devices.
      addLoopback("core-1", "192.0.2.202/32", first.dir);
      addLoopback("router-b", "192.0.2.203/32", first.dir);
      commit("a loopback address more on core-1 and router-b", first.dir);
      addLoopback("core-1", "192.0.2.204/32", second.dir);
      addLoopback("router-b", "192.0.2.205/32", second.dir);
      commit("another loopback address on core-1 and router-b", second.dir);
      const LIMIT = ["--limit", "core-1,router-b"];
      const start = await allSums();
      // A long soak: the first run holds both device locks for 25 s after its commits.
      const long = cliAsync(
        [
          "apply",
          "--yes",
          "--json",
          ...LIMIT,
          "--soak",
          "25",
          "--health-timeout",
          "15",
          "--confirm-timeout",
          "75",
        ],
        first,
      );
      // Both committed (the new address is live) and the run is soaking, its locks held.
      await poll("the first run's commits", 30_000, async () =>
        (await addrs("core-1", "lo")).includes("192.0.2.202/32") &&
        (await addrs("router-b", "lo")).includes("192.0.2.203/32")
          ? true
          : undefined,
      );
      const lockOf = async (name: string) =>
        /^run=(.+)$/m.exec(await nsExecOk(device(name), ["cat", "/var/lib/reconciler/lock/owner"]))?.[1];
      const holder = await lockOf("core-1");
      expect(holder).toBeTruthy();
      expect(await lockOf("router-b")).toBe(holder);
      const committed = await allUntouched();

      const other = await cliAsync(["apply", "--yes", "--json", ...LIMIT, ...FAST], second);
      const otherOut = json(other);
      expect(other.code).toBe(1);
      // Both devices refuse the second run at their lock, naming the first run, armed (soaking).
      expect(otherOut.outcomes.map((o) => [o.device, o.result, o.failedStep, o.error?.kind])).toEqual([
        ["core-1", "failed", "lock", "LockHeldError"],
        ["router-b", "failed", "lock", "LockHeldError"],
      ]);
      for (const o of otherOut.outcomes) {
        expect(o.error?.message).toContain(`${o.device}: the device is locked by run ${holder} (`);
        expect(o.error?.message).toContain("; on the device: armed)");
      }
      expect(await allUntouched()).toEqual(committed);
      expect(await lockOf("core-1")).toBe(holder);

      // The same checkout: refused by the repository's run lock before any device is read.
      const t0 = Date.now();
      const same = cli(["apply", "--yes", "--json", ...LIMIT, ...FAST], first);
      expect(same.code).toBe(1);
      expect(same.stderr).toMatch(
        new RegExp(
          `refusing to apply: another run holds the repository's run lock: run ${holder} \\(apply, pid \\d+ on [^,]+, since [^)]+\\)`,
        ),
      );
      expect(same.stdout).toBe("");
      // The run lock and the device locks name the same process.
      const pid = /pid (\d+) on /.exec(same.stderr)?.[1];
      expect(otherOut.outcomes[0]?.error?.message).toContain(` pid ${pid}, since `);
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(await allUntouched()).toEqual(committed);

      const done = await long;
      const doneOut = json(done);
      expect(doneOut.runId).toBe(holder);
      expect(results(doneOut)).toEqual({ "core-1": "confirmed", "router-b": "confirmed" });
      expect(done.code, done.stderr).toBe(0);
      expect(await addrs("core-1", "lo")).toContain("192.0.2.202/32");
      for (const name of ["router-a", "router-c", HIDDEN]) expect(await sums(name)).toBe(start[name]);
    }, 120_000);
  });

  // Last: it cuts hidden-1 off for good.
  it("refuses router-a cutting its link to hidden-1 in any order, and when hidden-1 is not in the rollout; --allow-lockout cuts it", async () => {
    edit("desired/router-a.yaml", (doc) => {
      const items = (doc.get("interfaces") as YAML.YAMLSeq).items;
      (doc.get("interfaces") as YAML.YAMLSeq).items = items.filter(
        (i) => (i as YAML.YAMLMap).get("name") !== `eth-${HIDDEN}`,
      );
    });
    addLoopback(HIDDEN, "192.0.2.252/32");
    commit("router-a drops its link to hidden-1; hidden-1 gets a loopback address more");
    const limit = `router-a,${HIDDEN}`;
    // The lockout analysis on the lab's real plan: whatever the order, hidden-1 could not be
    // reached afterwards (the inventory still reaches it through router-a).
    const planned = cli(["plan", "--json", "--limit", limit]);
    expect(planned.code).toBe(2);
    const plan = JSON.parse(planned.stdout) as Plan;
    const loaded = await loadRepo(new WorkingTreeReader(repo.dir), { descriptors: DESCRIPTORS });
    if (!loaded.repo) throw new Error(JSON.stringify(loaded.diagnostics.slice(0, 3)));
    for (const waves of [
      [["router-a"], [HIDDEN]],
      [[HIDDEN], ["router-a"]],
    ])
      expect(lockoutFindings({ repo: loaded.repo, plan, waves })).toEqual([
        expect.objectContaining({
          device: HIDDEN,
          path: `reconciler → router-a → ${HIDDEN} (${HIDDEN_ADDR}:22)`,
          message: expect.stringMatching(
            /^router-a cuts its path to hidden-1 \(198\.51\.100\.242\): hidden-1 could not be reached afterwards/,
          ),
        }),
      ]);
    const before = { a: await sums("router-a"), hidden: await sums(HIDDEN) };
    // Through apply: refused with nothing touched, with hidden-1 in the rollout or not.
    for (const l of [limit, "router-a"]) {
      // (hidden-1's prefixes become unreachable too: that refusal is impact.test.ts's subject.)
      const refused = cli(["apply", "--yes", "--json", "--limit", l, "--allow-unreachable", ...FAST]);
      expect(refused.code).toBe(1);
      expect(json(refused).refused?.map((f) => f.device)).toEqual([HIDDEN]);
    }
    expect({ a: await sums("router-a"), hidden: await sums(HIDDEN) }).toEqual(before);

    // The operator's override: applied farthest first, and the cut is real.
    const r = cli([
      "apply",
      "--yes",
      "--json",
      "--limit",
      limit,
      "--allow-lockout",
      "--allow-unreachable",
      ...FAST,
    ]);
    const out = json(r);
    expect(out.waves).toEqual([
      { devices: [HIDDEN], canary: false },
      { devices: ["router-a"], canary: false },
    ]);
    expect(results(out)).toEqual({ [HIDDEN]: "confirmed", "router-a": "confirmed" });
    expect(r.code).toBe(0);
    expect(await ifupdown(HIDDEN)).toContain("192.0.2.252/32");
    expect(await addrs("router-a", `eth-${HIDDEN}`)).not.toContain(VIA_ADDR);
    const after = JSON.parse(cli(["plan", "--json", "--limit", HIDDEN]).stdout) as Plan;
    expect(after.devices.find((d) => d.device === HIDDEN)?.status).toBe("error");
  });
});
