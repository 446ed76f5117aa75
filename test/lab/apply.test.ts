// `reconciler apply` end to end on the lab: the WireGuard/bird mesh of the example from nothing
// to converged, idempotence, a change that breaks OSPF rolled back by the health gates, a
// candidate bird rejects, a run that dies after commit (the routers revert by themselves), and a
// WireGuard key rotation applied to both ends of a link.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Plan } from "../../reconciler/model/plan.ts";
import { runCli, runCliKilledAt } from "../helpers/cli.ts";
import { type LabRouter, managedFileSums, nsExec, nsExecOk } from "./lab.ts";
import { type LabRepo, makeLabRepo, removeLabRepo, useLab } from "./lab-fixture.ts";

const lab = useLab();
let repo: LabRepo;
const MESH = "router-a,router-b,router-c";

const cli = (args: string[], env: Record<string, string> = {}) =>
  runCli([...args, "--repo", repo.dir], { env: { ...repo.env, ...env } });

const commit = (message: string) =>
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.net", "commit", "-qam", message], {
    cwd: repo.dir,
  });

const router = (name: string): LabRouter => {
  const r = lab().routers.find((x) => x.name === name);
  if (!r) throw new Error(`no lab router ${name}`);
  return r;
};

const fileSums = (name: string) => managedFileSums(router(name));

const linksPath = () => join(repo.dir, "desired", "links.yaml");

beforeAll(() => {
  repo = makeLabRepo(lab());
}, 60_000);
afterAll(() => removeLabRepo(repo));

describe("reconciler apply on the lab mesh", () => {
  it("records the WireGuard keys generated on the routers", () => {
    const r = cli(["keys", "--limit", MESH]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/router-a wg-b: CHANGED [A-Za-z0-9+/]{43}=/);
    const keys = readFileSync(join(repo.dir, "inventory", "wireguard-keys.yaml"), "utf8");
    expect(keys).toMatch(/^# Public keys/m);
    commit("record the mesh's keys");
    // A second run finds every key unchanged.
    expect(cli(["keys", "--limit", MESH]).stdout).not.toMatch(/CHANGED|recorded/);
  });

  it("builds the mesh from nothing to converged, over the cheapest paths", async () => {
    const r = cli(["apply", "--limit", MESH, "--yes"]);
    expect(r.stdout).toMatch(/router-a: confirmed/);
    expect(r.stdout).toMatch(/router-b: confirmed/);
    expect(r.stdout).toMatch(/router-c: confirmed/);
    expect(r.code).toBe(0);
    const routes = await nsExecOk(router("router-a"), ["ip", "route", "show", "proto", "bird"]);
    expect(routes).toMatch(/192\.0\.2\.64\/26 .*dev wg-b/);
    // C's LAN via B: 10 + 20 beats the direct cost of 50.
    expect(routes).toMatch(/192\.0\.2\.128\/26 .*dev wg-b/);
    const v6 = await nsExecOk(router("router-a"), ["ip", "-6", "route", "show", "proto", "bird"]);
    expect(v6).toMatch(/2001:db8:b::\/64 .*dev wg-b/);
  });

  it("changes nothing when the same revision is applied again", async () => {
    const before = await Promise.all(["router-a", "router-b", "router-c"].map(fileSums));
    const r = cli(["apply", "--limit", MESH, "--yes"]);
    expect(r.stdout).toMatch(/Nothing to apply/);
    expect(r.code).toBe(0);
    expect(await Promise.all(["router-a", "router-b", "router-c"].map(fileSums))).toEqual(before);
  });

  it("shows a protocol disabled by hand as drift, and apply brings it back", async () => {
    await nsExecOk(router("router-a"), ["birdc", "disable", "mesh4"]);
    const planned = cli(["plan", "--limit", "router-a", "--json"]);
    expect(planned.code).toBe(2);
    const dev = (JSON.parse(planned.stdout) as Plan).devices.find((d) => d.device === "router-a");
    expect(dev?.changes).toEqual([
      expect.objectContaining({
        path: "runtime.bird.protocol[mesh4]",
        before: expect.stringMatching(/^down/),
        after: "up",
      }),
    ]);
    expect(dev?.files).toEqual([]);
    const r = cli(["apply", "--limit", "router-a", "--yes"]);
    expect(r.stdout).toMatch(/router-a: confirmed/);
    expect(await nsExecOk(router("router-a"), ["birdc", "show", "protocols", "mesh4"])).toMatch(
      /mesh4\s+OSPF\s+\S+\s+up/,
    );
    expect(cli(["plan", "--limit", "router-a"]).code).toBe(0);
  });

  it("applies a saved plan only while the device is as it was planned, and never without --yes off a terminal", async () => {
    const original = readFileSync(linksPath(), "utf8");
    const planPath = join(repo.dir, "plan.json");
    try {
      writeFileSync(linksPath(), original.replace("      cost: 20\n", "      cost: 25\n"));
      commit("cost 25 on b-c");
      expect(cli(["plan", "--limit", "router-b", "--out", planPath]).code).toBe(2);
      const unasked = cli(["apply", planPath]);
      expect(unasked.code).toBe(64);
      expect(unasked.stderr).toMatch(/refusing to apply without --yes when not on a terminal/);
      // Someone changes router-b by hand after the plan: the saved plan no longer holds.
      await nsExecOk(router("router-b"), ["sh", "-c", "echo '# hand edit' >> /etc/bird/bird.conf"]);
      const before = await fileSums("router-b");
      const stale = cli(["apply", planPath, "--yes"]);
      expect(stale.code).toBe(1);
      expect(stale.stdout).toMatch(/refusing the saved plan .*nothing was changed/);
      expect(stale.stdout).toMatch(/router-b: its live state changed since the plan/);
      expect(await fileSums("router-b")).toBe(before);
      // A fresh plan of the same revision applies.
      expect(cli(["plan", "--limit", "router-b", "--out", planPath]).code).toBe(2);
      const r = cli(["apply", planPath, "--yes"]);
      expect(r.stdout).toMatch(/router-b: confirmed/);
      expect(r.code).toBe(0);
    } finally {
      writeFileSync(linksPath(), original);
      commit("back to cost 20");
      expect(cli(["apply", "--limit", MESH, "--yes"]).code).toBe(0);
    }
  });

  it("rolls back a change that breaks OSPF (dead interval changed on one end only), byte-identical", async () => {
    const before = await fileSums("router-a");
    const original = readFileSync(linksPath(), "utf8");
    try {
      writeFileSync(linksPath(), original.replace("      dead: 20\n", "      dead: 40\n"));
      commit("dead 40 on the mesh");
      const r = cli([
        "apply",
        "--limit",
        "router-a",
        "--yes",
        "--health-timeout",
        "30",
        "--confirm-timeout",
        "120",
      ]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/router-a: rolled back \(health\)/);
      expect(r.stdout).toMatch(/FAIL .*expected .*Full/);
      expect(await fileSums("router-a")).toBe(before);
    } finally {
      writeFileSync(linksPath(), original);
      commit("back to dead 20");
    }
  });

  it("never lets a candidate bird rejects reach /etc/bird", async () => {
    const path = join(repo.dir, "desired", "router-a.yaml");
    const original = readFileSync(path, "utf8");
    const before = await fileSums("router-a");
    try {
      writeFileSync(
        path,
        `${original}raw:\n  bird: |\n    protocol static broken {\n      route 192.0.2.0/24 via;\n    }\n`,
      );
      commit("a broken bird snippet");
      const r = cli(["apply", "--limit", "router-a", "--yes"]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/router-a: failed at stage/);
      expect(r.stdout).toMatch(/bird/i);
      expect(await fileSums("router-a")).toBe(before);
    } finally {
      writeFileSync(path, original);
      commit("remove the broken snippet");
    }
  });

  it("reverts by itself when the reconciler is killed right after commit, and the next plan says so", async () => {
    const before = await fileSums("router-a");
    const original = readFileSync(linksPath(), "utf8");
    try {
      writeFileSync(linksPath(), original.replace("      cost: 50\n", "      cost: 60\n"));
      commit("cost 60 on a-c");
      // The reconciler is killed (as a crash would) the moment router-a's commit is done.
      const r = await runCliKilledAt(
        [
          "apply",
          "--repo",
          repo.dir,
          "--limit",
          "router-a",
          "--yes",
          "--health-timeout",
          "5",
          "--soak",
          "0",
          "--confirm-timeout",
          "40",
        ],
        /router-a: commit ok/,
        { env: repo.env },
      );
      expect(r.signalled).toBe(true);
      expect(r.exitSignal).toBe("SIGKILL");
      expect(await fileSums("router-a")).not.toBe(before); // committed, not confirmed
      let restored = false;
      for (let i = 0; i < 60 && !restored; i++) {
        await new Promise((res) => setTimeout(res, 1000));
        restored = (await fileSums("router-a")) === before;
      }
      expect(restored).toBe(true);
      // The run that died held the device's lock; the revert releases it once it is done.
      let unlocked = false;
      for (let i = 0; i < 20 && !unlocked; i++) {
        unlocked = (await nsExec(router("router-a"), ["test", "-e", "/var/lib/reconciler/lock"])).code !== 0;
        if (!unlocked) await new Promise((res) => setTimeout(res, 500));
      }
      expect(unlocked).toBe(true);
      writeFileSync(linksPath(), original);
      commit("back to cost 50");
      const plan = JSON.parse(cli(["plan", "--limit", "router-a", "--json"]).stdout) as Plan;
      const notices = plan.devices.find((d) => d.device === "router-a")?.notices ?? [];
      expect(notices).toHaveLength(1);
      expect(notices[0]).toMatch(/was not confirmed within 40 s: the device reverted by itself at/);
      expect(plan.devices.find((d) => d.device === "router-a")?.status).toBe("unchanged");
      // Run directories keep no candidate (it may hold secrets) after the self-revert.
      const candidates = await nsExec(router("router-a"), [
        "sh",
        "-c",
        "ls -d /var/lib/reconciler/runs/*/candidate 2>/dev/null | wc -l",
      ]);
      expect(candidates.stdout.trim()).toBe("0");
    } finally {
      writeFileSync(linksPath(), original);
    }
  });

  it("a reconciler killed between stage and arm leaves a stale lock that `unlock --run` frees, and no secret behind", async () => {
    const before = await fileSums("router-a");
    const original = readFileSync(linksPath(), "utf8");
    try {
      writeFileSync(linksPath(), original.replace("      cost: 50\n", "      cost: 70\n"));
      commit("cost 70 on a-c");
      const args = ["apply", "--repo", repo.dir, "--limit", "router-a", "--yes", "--soak", "0"];
      const killed = await runCliKilledAt(args, /router-a: stage ok/, { env: repo.env });
      expect(killed.signalled).toBe(true);
      const runId = /run (\S+): applying/.exec(killed.stderr)?.[1] as string;
      expect(runId).toBeTruthy();
      expect(await fileSums("router-a")).toBe(before); // staged only: nothing changed
      // The next run is refused, told the lock looks stale and how to free it.
      const refused = cli(["apply", "--limit", "router-a", "--yes", "--soak", "0"]);
      expect(refused.code).toBe(1);
      expect(refused.stdout + refused.stderr).toMatch(
        new RegExp(
          `looks stale: its process \\(pid \\d+ on this host\\) is gone\\. Free it with \`reconciler unlock router-a --run ${runId}\``,
        ),
      );
      // Another run's id is refused; the dead run's frees it, and its candidate goes too.
      expect(cli(["unlock", "router-a", "--run", "not-that-run"]).code).toBe(1);
      const freed = cli(["unlock", "router-a", "--run", runId]);
      expect(freed.stdout).toMatch(`router-a: the lock of run ${runId} is released`);
      expect(freed.code).toBe(0);
      const left = await nsExec(router("router-a"), [
        "test",
        "-e",
        `/var/lib/reconciler/runs/${runId}/candidate`,
      ]);
      expect(left.code).not.toBe(0);
      // Leftovers of older runs: a candidate of a run that died, and more run directories than
      // a device keeps. The next stage removes the candidate and the oldest directories.
      await nsExecOk(router("router-a"), [
        "sh",
        "-c",
        "mkdir -p /var/lib/reconciler/runs/00000000T000000Z-dead00/candidate/0 && echo secret > /var/lib/reconciler/runs/00000000T000000Z-dead00/candidate/0/bird.conf && for i in $(seq 10 40); do mkdir -p /var/lib/reconciler/runs/00000000T000000Z-old0$i; done",
      ]);
      const r = cli(["apply", "--limit", "router-a", "--yes", "--soak", "0"]);
      expect(r.stdout).toMatch(/router-a: confirmed/);
      const runs = await nsExecOk(router("router-a"), ["ls", "-1", "/var/lib/reconciler/runs"]);
      expect(runs.trim().split("\n").length).toBeLessThanOrEqual(21);
      expect(runs).not.toContain("00000000T000000Z-old010");
      const dead = await nsExec(router("router-a"), [
        "test",
        "-e",
        "/var/lib/reconciler/runs/00000000T000000Z-dead00/candidate",
      ]);
      expect(dead.code).not.toBe(0);
      writeFileSync(linksPath(), original);
      commit("back to cost 50");
      expect(cli(["apply", "--limit", "router-a", "--yes", "--soak", "0"]).stdout).toMatch(
        /router-a: confirmed/,
      );
      // The confirmed runs cleared the notice of the earlier self-revert, which plan showed once.
      const after = JSON.parse(cli(["plan", "--limit", "router-a", "--json"]).stdout) as Plan;
      expect(after.devices.find((d) => d.device === "router-a")?.notices).toBeUndefined();
    } finally {
      writeFileSync(linksPath(), original);
    }
  });

  it("leaves no secret value in anything a run writes: stdout, stderr, --json, saved plans, the state store, the routers' run directories", async () => {
    // bird 2 takes $ and \\ verbatim inside a string: the secret is written as it is.
    const SECRET = "Sc4n-$ecret\\v4lue`x";
    const env = { OSPF_MESH_KEY: SECRET };
    const original = readFileSync(linksPath(), "utf8");
    const state = join(repo.dir, ".reconciler", "state");
    const outputs: string[] = [];
    const run = (args: string[]) => {
      const r = cli(args, env);
      outputs.push(r.stdout, r.stderr);
      return r;
    };
    try {
      writeFileSync(
        linksPath(),
        original.replace(
          "      cost: 10\n",
          "      cost: 10\n      authentication: { type: cryptographic, key_id: 1, password_env: OSPF_MESH_KEY }\n",
        ),
      );
      commit("authenticate the mesh's OSPF (the anchor carries it to every mesh link)");
      const planFile = join(repo.dir, "plan-with-secret.json");
      expect(run(["plan", "--limit", MESH, "--out", planFile]).code).toBe(2);
      outputs.push(readFileSync(planFile, "utf8"));
      run(["plan", "--limit", MESH, "--json"]);
      const applied = run(["apply", "--limit", MESH, "--yes", "--json"]);
      expect(applied.code, applied.stderr).toBe(0);
      // The adjacency came up authenticated: the routers hold the key (root-only), verbatim.
      const onDevice = await nsExecOk(router("router-a"), ["sh", "-c", "cat /etc/bird/secrets/*"]);
      expect(onDevice).toContain(`"${SECRET}"`);
      // A candidate rejected and a rollback: their error paths write too.
      writeFileSync(
        linksPath(),
        readFileSync(linksPath(), "utf8").replace("      dead: 20\n", "      dead: 21\n"),
      );
      commit("dead 21 on a-b, applied to router-a alone: the health gate rolls it back");
      run(["apply", "--limit", "router-a", "--yes", "--health-timeout", "15", "--soak", "0"]);
      for (const f of readdirSync(state, { recursive: true, withFileTypes: true }))
        if (f.isFile()) outputs.push(readFileSync(join(f.parentPath, f.name), "utf8"));
      for (const name of ["router-a", "router-b", "router-c"]) {
        // A confirmed run keeps its snapshot: the device's own restore point (it holds what the
        // live files hold, root-only). Nothing else in a run directory may hold a secret, and
        // only confirmed runs keep a snapshot.
        const runs = await nsExec(router(name), [
          "sh",
          "-c",
          "find /var/lib/reconciler/runs -type f -not -path '*/snapshot/*' -exec cat {} + 2>/dev/null; true",
        ]);
        outputs.push(runs.stdout);
        const kept = await nsExecOk(router(name), [
          "sh",
          "-c",
          'stat -c %a /var/lib/reconciler; for d in /var/lib/reconciler/runs/*/snapshot; do [ -d "$d" ] || continue; [ -e "${d%/snapshot}/confirmed" ] || echo "unconfirmed $d"; done',
        ]);
        expect(kept.trim()).toBe("700");
      }
      const leaks = outputs.filter(
        (o) => o.includes(SECRET) || o.includes(JSON.stringify(SECRET).slice(1, -1)),
      );
      expect(leaks).toEqual([]);
    } finally {
      writeFileSync(linksPath(), original);
      commit("no OSPF authentication");
      expect(cli(["apply", "--limit", MESH, "--yes"], env).code).toBe(0);
    }
  });

  it("Ctrl-C after the commits rolls the wave back, unlocks, and exits 130", async () => {
    const before = await fileSums("router-a");
    const original = readFileSync(linksPath(), "utf8");
    try {
      writeFileSync(linksPath(), original.replace("      cost: 50\n", "      cost: 55\n"));
      commit("cost 55 on a-c");
      const r = await runCliKilledAt(
        ["apply", "--repo", repo.dir, "--limit", "router-a", "--yes", "--soak", "0"],
        /router-a: rearm ok/,
        { env: repo.env, signal: "SIGINT" },
      );
      expect(r.signalled).toBe(true);
      expect(r.code).toBe(130);
      expect(r.stderr).toMatch(/SIGINT: stopping; devices already committed are rolled back/);
      expect(r.stdout).toMatch(/router-a: rolled back/);
      expect(await fileSums("router-a")).toBe(before);
      const locked = await nsExec(router("router-a"), ["test", "-e", "/var/lib/reconciler/lock"]);
      expect(locked.code).not.toBe(0);
    } finally {
      writeFileSync(linksPath(), original);
      commit("back to cost 50");
    }
  });

  it("applies a WireGuard key rotation to both ends of a link, which converges", async () => {
    await nsExecOk(router("router-b"), ["rm", "-f", "/etc/wireguard/keys/wg-a.key"]);
    const keys = cli(["keys", "--limit", "router-b"]);
    expect(keys.stdout).toMatch(/router-b wg-a: CHANGED/);
    commit("rotate router-b wg-a");
    const r = cli(["apply", "--limit", "router-a,router-b", "--yes"]);
    expect(r.stdout).toMatch(/router-a: confirmed/);
    expect(r.stdout).toMatch(/router-b: confirmed/);
    expect(r.code).toBe(0);
    expect(await nsExecOk(router("router-a"), ["ip", "route", "show", "proto", "bird"])).toMatch(
      /192\.0\.2\.64\/26 .*dev wg-b/,
    );
  });
});
