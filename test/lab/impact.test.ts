// The routing model checked against the daemons (issue 16): the example's bird mesh applied in the
// lab, then, router by router, the next hops and costs `reconciler paths` computes compared with
// the routes bird installed in the kernel (ip -j route, proto bird) and its OSPF metrics (birdc):
// after the initial convergence, after a cost change, during an underlay cut (the computed
// failure equals the rerouted table) and after a link removal. The plan shows the impact, and an
// apply that would cut a router off is refused unless overridden. One lab bring-up.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadFromOptions } from "../../reconciler/cli/open-repo.ts";
import type { Route } from "../../reconciler/impact/model.ts";
import { computeRoutes } from "../../reconciler/impact/tables.ts";
import type { Failure } from "../../reconciler/impact/topology.ts";
import { runCli } from "../helpers/cli.ts";
import { nsExecOk, setLink } from "./lab.ts";
import { type LabRepo, makeLabRepo, removeLabRepo, useLab } from "./lab-fixture.ts";

const lab = useLab();
let repo: LabRepo;
const MESH = ["router-a", "router-b", "router-c"];

const cli = (args: string[]) => runCli([...args, "--repo", repo.dir], { env: repo.env });
// The lockout analysis and the health gates' soak are apply.test.ts's subject; here they must not
// stand between the model and bird (the comparison below polls until bird agrees, or fails).
const apply = () => cli(["apply", "--limit", MESH.join(","), "--yes", "--allow-lockout", "--soak", "0"]);
const commit = (message: string) =>
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.net", "commit", "-qam", message], {
    cwd: repo.dir,
  });
const linksPath = () => join(repo.dir, "desired", "links.yaml");

/** prefix -> "dev1,dev2 metric": what the model says each mesh router installs through bird. */
type Table = Record<string, string>;

async function computed(failure: Failure = {}): Promise<Record<string, Table>> {
  const loaded = await loadFromOptions({ repo: repo.dir });
  if (!loaded.repo) throw new Error("the lab repository does not load");
  const net = computeRoutes(loaded.repo, failure);
  const out: Record<string, Table> = {};
  for (const r of MESH) {
    // bird also exports its OSPF copy of each OSPF interface's own network (at the interface's
    // cost, out of that interface); the kernel's connected route (metric 0) stays in front of it.
    const ospfCost = new Map<string, number>();
    for (const inst of loaded.repo.expanded[r]?.ospf?.instances ?? [])
      for (const area of inst.areas)
        for (const i of area.interfaces ?? []) ospfCost.set(i.name, i.cost ?? 10);
    const t: Table = {};
    for (const route of net.tables.get(r)?.values() ?? ([] as Route[])) {
      const own =
        route.source === "connected" && route.interface !== undefined
          ? ospfCost.get(route.interface)
          : undefined;
      if (own !== undefined) t[route.prefix] = `${route.interface} ${own}`;
      if (!route.source.startsWith("ospf")) continue;
      t[route.prefix] =
        `${[...new Set(route.nextHops.map((h) => h.interface))].sort().join(",")} ${route.cost}`;
    }
    out[r] = t;
  }
  return out;
}

interface KernelRoute {
  dst: string;
  dev?: string;
  nexthops?: { dev?: string }[];
}

const withLength = (dst: string) => (dst.includes("/") ? dst : `${dst}/${dst.includes(":") ? 128 : 32}`);

/** The kernel's bird routes (devices) joined with bird's OSPF metric for each (birdc). */
async function installed(router: string): Promise<Table> {
  const devs = new Map<string, string>();
  for (const family of ["-4", "-6"]) {
    const routes = JSON.parse(
      await nsExecOk(router, ["ip", "-j", family, "route", "show", "proto", "bird"]),
    ) as KernelRoute[];
    for (const k of routes) {
      const d = k.nexthops ? k.nexthops.map((h) => h.dev ?? "?") : [k.dev ?? "?"];
      devs.set(withLength(k.dst), [...new Set(d)].sort().join(","));
    }
  }
  // birdc: "192.0.2.128/26  unicast [mesh4 ...] * I (150/40) [192.0.2.195]": preference/metric.
  const metric = new Map<string, string>();
  for (const line of (await nsExecOk(router, ["birdc", "-r", "show", "route", "primary"])).split("\n")) {
    const m = /^(\S+\/\d+)\s+\S+\s+\[[^\]]*\]\s+\*?.*?\((\d+)\/(\d+)\)/.exec(line);
    if (m?.[1] && m[3]) metric.set(m[1], m[3]);
  }
  const out: Table = {};
  for (const [p, d] of devs) out[p] = `${d} ${metric.get(p) ?? "?"}`;
  return out;
}

/** Polls until every mesh router's kernel agrees with the model (or the deadline), then compares. */
async function expectAgreement(want: Record<string, Table>, seconds: number): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  let got: Record<string, Table> = {};
  for (;;) {
    got = Object.fromEntries(await Promise.all(MESH.map(async (r) => [r, await installed(r)] as const)));
    if (JSON.stringify(got) === JSON.stringify(want) || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 2000));
  }
  expect(got).toEqual(want);
}

beforeAll(() => {
  repo = makeLabRepo(lab());
}, 60_000);
afterAll(() => removeLabRepo(repo));

describe("the routing model against bird in the lab", () => {
  it("agrees with the converged mesh, router by router", async () => {
    expect(cli(["keys", "--limit", MESH.join(",")]).code).toBe(0);
    commit("record the mesh's keys");
    const r = apply();
    expect(r.stdout).toMatch(/router-c: confirmed/);
    expect(r.code).toBe(0);
    const want = await computed();
    // The model's own view first: C's LAN from A through B (10 + 20 + stub) beats the direct 50.
    expect(want["router-a"]?.["192.0.2.128/26"]).toMatch(/^wg-b /);
    await expectAgreement(want, 60);
  }, 240_000);

  it("agrees after a cost change the plan showed as moved paths", async () => {
    writeFileSync(
      linksPath(),
      readFileSync(linksPath(), "utf8").replace("      cost: 20\n", "      cost: 60\n"),
    );
    commit("b-c costs 60");
    const plan = cli(["plan", "--limit", MESH.join(",")]);
    expect(plan.stdout).toMatch(
      /router-a → 192\.0\.2\.128\/26: moved: via router-b wg-b \(ospf, cost \d+\) → via router-c wg-c \(ospf, cost \d+\)/,
    );
    const r = apply();
    expect(r.code).toBe(0);
    const want = await computed();
    expect(want["router-a"]?.["192.0.2.128/26"]).toMatch(/^wg-c /);
    await expectAgreement(want, 60);
  }, 180_000);

  it("agrees during an underlay cut with the computed failure, and again once it heals", async () => {
    const want = await computed({ links: ["a-b"] });
    // A loses its cheap way to B: B's LAN now through C.
    expect(want["router-a"]?.["192.0.2.64/26"]).toMatch(/^wg-c /);
    await setLink("router-a", "router-b", false);
    try {
      await expectAgreement(want, 60);
    } finally {
      await setLink("router-a", "router-b", true);
    }
    await expectAgreement(await computed(), 60);
  }, 180_000);

  it("refuses a removal that cuts a router off, and agrees after one that does not", async () => {
    const original = readFileSync(linksPath(), "utf8");
    const cut = (text: string, name: string) => {
      const at = text.indexOf(`  - name: ${name}\n`);
      const next = text.indexOf("\n  - name: ", at + 1);
      const end = text.indexOf("\n  # ", at + 1);
      const stop = [next, end].filter((x) => x > at).sort((a, b) => a - b)[0] ?? text.length;
      return text.slice(0, at) + text.slice(stop + 1);
    };
    writeFileSync(linksPath(), cut(cut(original, "a-c"), "b-c"));
    commit("router-c cut off");
    const refused = apply();
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(
      /refusing to apply: routers would lose prefixes they reach today; nothing was changed/,
    );
    expect(refused.stdout).toMatch(/router-a → 192\.0\.2\.128\/26: reached today/);
    writeFileSync(linksPath(), cut(original, "a-c"));
    commit("a-c removed: the ring becomes a line");
    const plan = cli(["plan", "--limit", MESH.join(",")]);
    expect(plan.stdout).toMatch(/new single points of failure: link a-b, link b-c, device router-b/);
    expect(plan.stdout).toMatch(/Routing impact: \d+ paths moved, 0 unreachable/);
    const r = apply();
    expect(r.code).toBe(0);
    await expectAgreement(await computed(), 60);
  }, 240_000);
});
