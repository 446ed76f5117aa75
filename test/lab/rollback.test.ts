// Emergency rollback on the lab: the mesh is built (revision A), a bad-but-healthy change is
// rolled out and confirmed (revision B: the a-c link made the cheapest, so A reaches C's LAN over
// the direct tunnel), then the state store's git remote becomes unreachable and
// `rollback --to-last-confirmed` restores every router from the copy it kept itself: the managed
// files byte-identical to revision A's and OSPF back on the old paths. The rollback freezes the
// fleet: apply refuses until `unfreeze`, and revision B stays refused until the branch moves on.
// History and status show the runs; the store is a git repository that was pushed while the
// remote was there.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { runCli } from "../helpers/cli.ts";
import { poll } from "../helpers/poll.ts";
import { type LabRouter, managedFileSums, nsExecOk } from "./lab.ts";
import { type LabRepo, makeLabRepo, removeLabRepo, useLab } from "./lab-fixture.ts";

const lab = useLab();
let repo: LabRepo;
let remoteDir: string;
const MESH = "router-a,router-b,router-c";
const ROUTERS = ["router-a", "router-b", "router-c"];
const BRANCH = "reconciler-state";

const cli = (args: string[]) => runCli([...args, "--repo", repo.dir], { env: repo.env });
const git = (...args: string[]) =>
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.net", ...args], {
    cwd: repo.dir,
    encoding: "utf8",
  });
const commit = (message: string) => git("commit", "-qam", message);
const head = () => git("rev-parse", "HEAD").trim();

const router = (name: string): LabRouter => {
  const r = lab().routers.find((x) => x.name === name);
  if (!r) throw new Error(`no lab router ${name}`);
  return r;
};

const fileSums = (name: string) => managedFileSums(router(name));
const allSums = () => Promise.all(ROUTERS.map(fileSums));
const linksPath = () => join(repo.dir, "desired", "links.yaml");
/** The route router-a uses to router-c's LAN. */
const routeToC = () => nsExecOk(router("router-a"), ["ip", "route", "show", "192.0.2.128/26"]);

let sumsA: string[];
let revisionA: string;
let revisionB: string;

beforeAll(() => {
  repo = makeLabRepo(lab());
  remoteDir = mkdtempSync(join(tmpdir(), "reconciler-state-remote-"));
  execFileSync("git", ["init", "-q", "--bare", remoteDir]);
  // The store's history is shared through a remote of the repository.
  git("remote", "add", "origin", remoteDir);
  const invPath = join(repo.dir, "inventory", "inventory.yaml");
  const doc = YAML.parseDocument(readFileSync(invPath, "utf8"));
  doc.set("state", { remote: "origin", branch: BRANCH });
  writeFileSync(invPath, doc.toString());
  commit("share the state store through origin");
}, 60_000);
afterAll(() => {
  removeLabRepo(repo);
  if (remoteDir) {
    rmSync(remoteDir, { recursive: true, force: true });
    rmSync(`${remoteDir}.gone`, { recursive: true, force: true });
  }
});

describe("emergency rollback on the lab mesh", () => {
  it("builds the mesh (revision A), recorded in the state store and pushed", async () => {
    const keys = cli(["keys", "--limit", MESH]);
    expect(keys.code).toBe(0);
    commit("the mesh's keys");
    const r = cli(["apply", "--limit", MESH, "--yes"]);
    expect(r.stdout).toMatch(/router-c: confirmed/);
    expect(r.code).toBe(0);
    await poll("C's LAN via router-b", 60_000, async () =>
      /dev wg-b/.test(await routeToC()) ? true : undefined,
    );
    sumsA = await allSums();
    revisionA = head();
    // The store is a git repository whose history reached the remote's branch.
    const pushed = execFileSync("git", ["--git-dir", remoteDir, "log", "--format=%s", BRANCH], {
      encoding: "utf8",
    });
    expect(pushed).toMatch(/^apply \S+: confirmed$/m);
  });

  it("rolls out a bad-but-healthy change (revision B): confirmed, and the traffic moves", async () => {
    writeFileSync(
      linksPath(),
      readFileSync(linksPath(), "utf8").replace("      cost: 50\n", "      cost: 5\n"),
    );
    commit("a-c made the cheapest link (the bad change)");
    revisionB = head();
    const r = cli(["apply", "--limit", MESH, "--yes"]);
    expect(r.stdout).toMatch(/router-a: confirmed/);
    expect(r.code).toBe(0);
    await poll("C's LAN direct", 60_000, async () => (/dev wg-c/.test(await routeToC()) ? true : undefined));
    expect(await allSums()).not.toEqual(sumsA);
  });

  it("rollback --to-last-confirmed undoes the bad run byte-identical, with the git remote gone and the store damaged", async () => {
    renameSync(remoteDir, `${remoteDir}.gone`);
    // The store's git repository and its freeze file are damaged: said, never in the way.
    const store = join(repo.dir, ".reconciler", "state");
    writeFileSync(join(store, ".git", "HEAD"), "garbage\n");
    writeFileSync(join(store, "freeze.json"), "{ torn");
    const r = cli(["rollback", "--to-last-confirmed", "--limit", MESH, "--yes"]);
    expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
    expect(r.stdout).toMatch(/Rollback of run \S+ to the configuration confirmed before it/);
    expect(r.stdout).toMatch(/router-a: undo run \S+ \(confirmed /);
    expect(r.stdout).toMatch(/router-a: confirmed/);
    expect(r.stdout).toMatch(/router-c: confirmed/);
    // The bad run did not change router-b: it is left as it is, not taken further back.
    expect(r.stdout).toMatch(/router-b: not changed by run \S+: left as it is/);
    expect(r.stdout).toMatch(/The fleet is frozen/);
    expect(r.code).toBe(0);
    // The store could not be committed nor reach its remote: said, not fatal.
    expect(r.stderr).toMatch(/warning: the state store is not a usable git repository/);
    expect(await allSums()).toEqual(sumsA);
    // OSPF converges back onto the old paths: C's LAN via B again.
    await poll("C's LAN via router-b again", 60_000, async () =>
      /dev wg-b/.test(await routeToC()) ? true : undefined,
    );
    for (const name of ROUTERS)
      expect(await nsExecOk(router(name), ["birdc", "show", "ospf", "neighbors"])).toMatch(/Full/);
  });

  it("the freeze: apply refuses (nothing contacted) until unfreeze; revision B stays refused", async () => {
    const before = await allSums();
    const frozen = cli(["apply", "--limit", MESH, "--yes"]);
    expect(frozen.code).toBe(1);
    expect(frozen.stderr).toMatch(/refusing to apply: the fleet is frozen since .* no device was contacted/);
    const status = cli(["status"]);
    expect(status.stdout).toMatch(/freeze: frozen since/);
    expect(status.stdout).toMatch(new RegExp(`rolled back: revision ${revisionB.slice(0, 12)}`));
    const un = cli(["unfreeze"]);
    expect(un.code).toBe(0);
    expect(un.stdout).toMatch(/^unfrozen/);
    // Unfrozen, but HEAD is still the rolled-back revision: refused until the branch moves.
    const again = cli(["apply", "--limit", MESH, "--yes"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(new RegExp(`revision ${revisionB.slice(0, 12)} was rolled back`));
    expect(await allSums()).toEqual(before);
    // The branch moves past it (the bad change reverted in git): apply finds nothing to do.
    writeFileSync(
      linksPath(),
      readFileSync(linksPath(), "utf8").replace("      cost: 5\n", "      cost: 50\n"),
    );
    commit("revert the bad change");
    const moved = cli(["apply", "--limit", MESH, "--yes"]);
    expect(moved.stdout).toMatch(/Nothing to apply/);
    expect(moved.code).toBe(0);
  });

  it("status --devices reads each device's lock: free, or held by a run whose holder is named", async () => {
    const free = cli(["status", "--devices", "--limit", MESH]);
    expect(free.code).toBe(0);
    expect(free.stdout).toMatch(
      /device locks:\n {2}router-a: free\n {2}router-b: free\n {2}router-c: free\n/,
    );
    // A lock left by a run of another machine.
    await nsExecOk(router("router-b"), [
      "sh",
      "-c",
      "mkdir -p /var/lib/reconciler/lock && printf 'run=20261101T000000Z-abcdef\\nholder=ops-2 pid 4242\\ntime=2026-11-01T00:00:00Z\\n' > /var/lib/reconciler/lock/owner",
    ]);
    try {
      const held = cli(["status", "--devices", "--limit", "router-b", "--json"]);
      expect(held.code).toBe(0);
      const doc = JSON.parse(held.stdout) as {
        freeze: unknown;
        deviceLocks: { device: string; lock: string; holder?: string }[];
      };
      expect(doc.freeze).toBeDefined();
      expect(doc.deviceLocks).toEqual([
        {
          device: "router-b",
          lock: "held",
          holder: expect.stringMatching(
            /^run 20261101T000000Z-abcdef \(ops-2 pid 4242, since 2026-11-01T00:00:00Z, \d+ s ago; on the device: absent\)$/,
          ),
        },
      ]);
    } finally {
      await nsExecOk(router("router-b"), ["rm", "-rf", "/var/lib/reconciler/lock"]);
    }
  });

  it("history lists the runs, the rollback with what it restored", () => {
    const h = cli(["history", "router-a"]);
    expect(h.code).toBe(0);
    const lines = h.stdout.split("\n");
    const rollback = lines.findIndex((l) => /\srollback\s/.test(l));
    expect(rollback).toBeGreaterThanOrEqual(0);
    expect(h.stdout).toMatch(/router-a: restored the snapshot of run \S+/);
    expect(lines.filter((l) => /\sapply\s.*confirmed/.test(l)).length).toBeGreaterThanOrEqual(2);
    expect(existsSync(join(repo.dir, ".reconciler", "state", ".git"))).toBe(true);
  });

  it("a failing pre-apply hook leaves every device untouched, and its output is in the journal", async () => {
    const before = await allSums();
    const hooks = join(repo.dir, "hooks", "pre-apply.d");
    mkdirSync(hooks, { recursive: true });
    const hook = join(hooks, "10-change-window");
    writeFileSync(
      hook,
      '#!/bin/sh\nread -r doc\necho "outside the change window (devices: $(printf \'%s\' "$doc" | grep -o router-a | head -n 1))"\nexit 1\n',
      { mode: 0o755 },
    );
    writeFileSync(
      linksPath(),
      readFileSync(linksPath(), "utf8").replace("      cost: 50\n", "      cost: 45\n"),
    );
    commit("a-c cost 45, during a change freeze of the operator's own");
    try {
      const r = cli(["apply", "--limit", MESH, "--yes"]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(
        /refusing to apply: .*hooks\/pre-apply\.d\/10-change-window.*outside the change window \(devices: router-a\).*; nothing was changed/s,
      );
      expect(await allSums()).toEqual(before);
      const journal = readFileSync(join(repo.dir, ".reconciler", "state", "journal.jsonl"), "utf8");
      expect(journal).toMatch(
        /"step":"hook:pre-apply:10-change-window","ok":false,"detail":"[^"]*outside the change window/,
      );
    } finally {
      rmSync(join(repo.dir, "hooks"), { recursive: true, force: true });
    }
  });

  it("rollback --to REVISION applies that revision's desired state and freezes the fleet again", async () => {
    // The change the hook refused goes out now (cost 45 on a-c) ...
    const out = cli(["apply", "--limit", MESH, "--yes"]);
    expect(out.code, out.stdout + out.stderr).toBe(0);
    const bad = head();
    expect(await allSums()).not.toEqual(sumsA);
    // ... and is rolled back to revision A by revision, from the local git alone.
    const r = cli(["rollback", "--to", revisionA, "--limit", MESH, "--yes"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/router-a: confirmed/);
    expect(await allSums()).toEqual(sumsA);
    const status = cli(["status"]).stdout;
    expect(status).toMatch(/freeze: frozen since .*rollback --to /);
    expect(status).toContain(`rolled back: revision ${bad.slice(0, 12)}`);
    expect(cli(["history"]).stdout).toMatch(/\srollback\s+\S*\s*confirmed/);
    expect(cli(["unfreeze"]).code).toBe(0);
  });
});
