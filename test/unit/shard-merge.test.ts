// plan --shard K/N and merge-plans on the example network, in process: the shards' real plan --json
// outputs (Debian devices read as empty through a stub transport, so every change is a creation)
// merge into the plan an unsharded run makes; pieces that are not one fleet at one revision are
// refused, naming the files.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyCommand } from "../../reconciler/cli/apply.ts";
import { driftCommand } from "../../reconciler/cli/drift.ts";
import { mergePlansCommand } from "../../reconciler/cli/merge-plans.ts";
import { type PlanCommandOptions, planCommand } from "../../reconciler/cli/plan.ts";
import type { Driver } from "../../reconciler/drivers/driver.ts";
import { DRIVERS } from "../../reconciler/drivers/index.ts";
import type { Plan } from "../../reconciler/model/plan.ts";
import type { DeviceSession, Transport } from "../../reconciler/transport/session.ts";
import { ROOT } from "../helpers/example-repo.ts";

let dir: string;
let first: string;

const git = (...a: string[]) =>
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.net", ...a], {
    cwd: dir,
    encoding: "utf8",
  });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "reconciler-shard-merge-"));
  for (const sub of ["inventory", "desired"]) cpSync(join(ROOT, sub), join(dir, sub), { recursive: true });
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-qm", "example");
  first = git("rev-parse", "HEAD").trim();
  // A second revision, for shards planned at different commits.
  writeFileSync(
    join(dir, "desired", "router-a.yaml"),
    `${readFileSync(join(dir, "desired", "router-a.yaml"))}\n`,
  );
  git("commit", "-qam", "touch");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const emptyDebian: Driver = {
  ...(DRIVERS.debian as Driver),
  read: async (_s, device) => ({
    device: device.name,
    platform: "debian",
    state: {},
    artifacts: {},
    publicKeys: {},
    fingerprint: `f-${device.name}`,
  }),
};
const transport: Transport = {
  session: async () => ({}) as DeviceSession,
  freshSession: async () => ({}) as DeviceSession,
  closeAll: async () => {},
};
const deps = { drivers: { debian: emptyDebian }, openTransport: () => transport, env: {} };

const sink = () => {
  const w = new Writable({
    write(c, _e, done) {
      (w as Writable & { text: string }).text += c.toString();
      done();
    },
  }) as Writable & { text: string };
  w.text = "";
  return w;
};

/** The Debian devices of the example: core-1 (site pop-1) and the three routers linked together. */
const DEBIAN = "router-*,core-1";

async function planJson(
  opts: Omit<PlanCommandOptions, "repo" | "json">,
): Promise<{ code: number; plan: Plan }> {
  const out = sink();
  const code = await planCommand({ repo: dir, json: true, impactBase: first, ...opts }, deps, out, false);
  return { code, plan: JSON.parse(out.text) as Plan };
}

let n = 0;
function save(plan: Plan): string {
  const file = join(dir, `plan-${++n}.json`);
  writeFileSync(file, JSON.stringify(plan));
  return file;
}

async function merge(files: string[], json = true) {
  const out = sink();
  const code = await mergePlansCommand(files, { json }, out, false, {});
  return { code, text: out.text };
}

/** What makes two plans the same: everything but when they were made. */
const comparable = (p: Plan) => ({ ...p, createdAt: undefined, shard: undefined });

describe("plan --shard", () => {
  it("reads only the shard's devices, names the shard and lists its devices", async () => {
    const one = await planJson({ shard: "1/2" });
    const two = await planJson({ shard: "2/2" });
    // pop-1 (core-1, fw-1, oob-1) with tower-1, which reaches the network via core-1: 4 devices;
    // the three routers, linked to each other, with oob-2 (site pop-2): 4 devices.
    expect(one.plan.shard).toEqual({ shard: "1/2", devices: ["core-1", "fw-1", "oob-1", "tower-1"] });
    expect(two.plan.shard).toEqual({ shard: "2/2", devices: ["oob-2", "router-a", "router-b", "router-c"] });
    expect(one.plan.devices.map((d) => d.device).sort()).toEqual(one.plan.shard?.devices);
    expect(two.plan.devices.map((d) => d.device).sort()).toEqual(two.plan.shard?.devices);
  });

  it("intersects with --limit, and says so in the human output", async () => {
    const { plan } = await planJson({ shard: "1/2", limit: DEBIAN });
    expect(plan.devices.map((d) => d.device)).toEqual(["core-1"]);
    const out = sink();
    expect(await planCommand({ repo: dir, shard: "1/2", limit: DEBIAN }, deps, out, false)).toBe(2);
    expect(out.text.split("\n")[0]).toBe("shard 1/2: 4 device(s): core-1, fw-1, oob-1, tower-1");
  });

  it("an empty shard says so, and plans nothing", async () => {
    const out = sink();
    expect(await planCommand({ repo: dir, shard: "4/4" }, deps, out, false)).toBe(0);
    expect(out.text).toMatch(/^shard 4\/4: no device \(more shards than groups of sites\)\n/);
  });

  it("refuses --github, which publishes the whole plan (merge-plans --github does)", async () => {
    await expect(planCommand({ repo: dir, shard: "1/2", github: true }, deps, sink(), false)).rejects.toThrow(
      /--github cannot be combined with --shard/,
    );
  });

  it("refuses a bad K/N before reading anything", async () => {
    await expect(planCommand({ repo: dir, shard: "3/2" }, deps, sink(), false)).rejects.toThrow(
      /invalid --shard 3\/2: K must be from 1 to N \(2\), not 3/,
    );
  });
});

describe("drift --shard", () => {
  it("reads only the shard's devices, and refuses --open-pr, whose issue covers the whole fleet", async () => {
    const out = sink();
    expect(await driftCommand({ repo: dir, shard: "1/2", limit: DEBIAN }, deps, out, false)).toBe(2);
    expect(out.text).toMatch(/^core-1 \(debian\): drifted/m);
    expect(out.text).not.toContain("router-a");
    await expect(
      driftCommand({ repo: dir, shard: "1/2", openPr: true }, deps, sink(), false),
    ).rejects.toThrow(/--open-pr cannot be combined with --shard/);
  });
});

describe("merge-plans", () => {
  it("merges the shards into the plan an unsharded run makes", async () => {
    const whole = await planJson({ limit: DEBIAN });
    const one = await planJson({ shard: "1/2", limit: DEBIAN });
    const two = await planJson({ shard: "2/2", limit: DEBIAN });
    const files = [save(two.plan), save(one.plan)];
    const { code, text } = await merge(files);
    expect(code).toBe(2);
    const merged = JSON.parse(text) as Plan;
    const sorted = {
      ...whole.plan,
      devices: [...whole.plan.devices].sort((a, b) => a.device.localeCompare(b.device)),
    };
    expect(comparable(merged)).toEqual(comparable(sorted));
    expect(merged.shard).toBeUndefined();
    expect(merged.devices.map((d) => d.device)).toEqual(["core-1", "router-a", "router-b", "router-c"]);
    expect(merged.devices.every((d) => d.changes.length > 0)).toBe(true);
    // The human summary, as plan prints it.
    const human = await merge(files, false);
    expect(human.text).toContain("router-a");
    expect(human.text).not.toContain('"devices"');
  });

  it("merges a shard that planned nothing", async () => {
    const plans = await Promise.all(
      ["1/4", "2/4", "3/4", "4/4"].map((shard) => planJson({ shard, limit: DEBIAN })),
    );
    expect(plans.map((p) => p.plan.devices.length)).toEqual([1, 3, 0, 0]);
    const { code, text } = await merge(plans.map((p) => save(p.plan)));
    expect(code).toBe(2);
    expect((JSON.parse(text) as Plan).devices).toHaveLength(4);
  });

  it("refuses a missing shard, naming what was given", async () => {
    const one = save((await planJson({ shard: "1/2", limit: DEBIAN })).plan);
    await expect(merge([one])).rejects.toThrow(
      new RegExp(`shard\\(s\\) 2/2 missing \\(given: ${one} = 1/2\\)`),
    );
  });

  it("refuses a shard given twice and a device planned twice, naming both files", async () => {
    const one = (await planJson({ shard: "1/2", limit: DEBIAN })).plan;
    const two = (await planJson({ shard: "2/2", limit: DEBIAN })).plan;
    const [a, b] = [save(one), save(one)];
    await expect(merge([a, b, save(two)])).rejects.toThrow(`shard 1/2 is given twice: ${a} and ${b}`);
    // A shard that also planned another shard's device (made from another inventory, or edited).
    const stray = two.devices[0];
    const widened = save({ ...one, devices: [...one.devices, stray as Plan["devices"][0]] });
    const twoFile = save(two);
    await expect(merge([twoFile, widened])).rejects.toThrow(
      `device router-a is planned in both ${twoFile} and ${widened}`,
    );
    await expect(merge([widened, twoFile])).rejects.toThrow(
      `${widened} plans device router-a, which its shard 1/2 does not list`,
    );
    // Shards split from different inventories: both claim the same device.
    const claims = save({ ...one, shard: { shard: "1/2", devices: ["core-1", "router-a"] } });
    await expect(merge([claims, twoFile])).rejects.toThrow(
      `device router-a is in the shard of ${claims} and of ${twoFile}`,
    );
  });

  it("refuses shards of different N or of different revisions", async () => {
    const one = save((await planJson({ shard: "1/2", limit: DEBIAN })).plan);
    const ofThree = save((await planJson({ shard: "2/3", limit: DEBIAN })).plan);
    await expect(merge([one, ofThree])).rejects.toThrow(`${ofThree} is shard 2/3 but ${one} is of 2 shards`);
    const earlier = save((await planJson({ shard: "2/2", limit: DEBIAN, revision: first })).plan);
    await expect(merge([one, earlier])).rejects.toThrow(
      new RegExp(
        `${earlier} was planned at revision ${first} but ${one} at [0-9a-f]{40}: every shard must plan the same revision`,
      ),
    );
  });

  it("apply takes the merged plan, never one shard's", async () => {
    const one = save((await planJson({ shard: "1/2", limit: DEBIAN })).plan);
    const applyDeps = { ...deps, applyDrivers: {}, ask: async () => false, interactive: false, err: sink() };
    await expect(applyCommand(one, { repo: dir, yes: true }, applyDeps, sink(), false)).rejects.toThrow(
      `${one} is the plan of shard 1/2 alone: apply the plan merge-plans --out made of every shard`,
    );
  });

  it("refuses an unsharded plan, a file that is not JSON, or not a plan", async () => {
    const whole = save((await planJson({ limit: DEBIAN })).plan);
    await expect(merge([whole])).rejects.toThrow(`${whole}: not the plan of one shard`);
    const junk = join(dir, "junk.json");
    writeFileSync(junk, "{ not json");
    await expect(merge([junk])).rejects.toThrow(`${junk}: not JSON`);
    writeFileSync(junk, JSON.stringify({ devices: "all" }));
    await expect(merge([junk])).rejects.toThrow(`${junk}: not a plan`);
    await expect(merge([join(dir, "absent.json")])).rejects.toThrow(
      /absent\.json: cannot read the plan: ENOENT/,
    );
  });
});
