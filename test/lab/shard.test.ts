// plan --shard K/N and merge-plans against the real lab routers (sshd, bird2, FRR in network
// namespaces): the example's Debian routers planned as two shards at once, as a CI matrix would,
// merge into the plan one unsharded run makes of them: the same devices, the same changes and
// files. Lean: three plans and a merge.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevicePlan, Plan } from "../../reconciler/model/plan.ts";
import { runCliAsync } from "../helpers/cli.ts";
import { type LabRepo, makeLabRepo, removeLabRepo, useLab } from "./lab-fixture.ts";

const lab = useLab();
let repo: LabRepo;

beforeAll(() => {
  repo = makeLabRepo(lab());
});
afterAll(() => removeLabRepo(repo));

/** The lab's routers: core-1 (site pop-1) in one shard, the three linked routers in the other. */
const DEBIAN = "router-a,router-b,router-c,core-1";

const parse = (what: string, text: string): Plan => {
  try {
    return JSON.parse(text) as Plan;
  } catch {
    throw new Error(`${what} did not print JSON:\n${text}`);
  }
};

/** What must be equal between the merged and the unsharded plan: not when they were made. */
const essence = (d: DevicePlan) => ({
  device: d.device,
  status: d.status,
  changes: d.changes,
  files: d.files,
  error: d.error,
});

describe("plan --shard and merge-plans on the lab", () => {
  it("two shards planned at once merge into the unsharded plan", async () => {
    const file = (k: number) => join(repo.dir, `plan-shard-${k}.json`);
    const [whole, one, two] = await Promise.all([
      runCliAsync(["plan", "--repo", repo.dir, "--json", "--limit", DEBIAN], { env: repo.env }),
      ...[1, 2].map((k) =>
        runCliAsync(["plan", "--repo", repo.dir, "--limit", DEBIAN, "--shard", `${k}/2`, "--out", file(k)], {
          env: repo.env,
        }),
      ),
    ]);
    expect(whole?.code, whole?.stderr).toBe(2);
    expect(one?.code, one?.stderr).toBe(2);
    expect(two?.code, two?.stderr).toBe(2);
    // Each shard says which it is and what it holds, then plans only that.
    expect(one?.stdout.split("\n")[0]).toBe("shard 1/2: 4 device(s): core-1, fw-1, oob-1, tower-1");
    expect(two?.stdout.split("\n")[0]).toBe("shard 2/2: 4 device(s): oob-2, router-a, router-b, router-c");
    expect(parse("shard 1", readFileSync(file(1), "utf8")).devices.map((d) => d.device)).toEqual(["core-1"]);
    expect(parse("shard 2", readFileSync(file(2), "utf8")).devices.map((d) => d.device)).toEqual([
      "router-a",
      "router-b",
      "router-c",
    ]);

    const merged = await runCliAsync(["merge-plans", "--json", file(2), file(1)], { env: repo.env });
    expect(merged.code, merged.stderr).toBe(2);
    const m = parse("merge-plans", merged.stdout);
    const w = parse("plan", whole?.stdout ?? "");
    expect(m.revision).toBe(w.revision);
    expect(m.devices.map((d) => d.device)).toEqual(["core-1", "router-a", "router-b", "router-c"]);
    const byName = (a: DevicePlan, b: DevicePlan) => a.device.localeCompare(b.device);
    expect(m.devices.map(essence)).toEqual([...w.devices].sort(byName).map(essence));
    // Fresh routers: every one of them has something to create, so the comparison is not of empties.
    expect(m.devices.every((d) => d.status === "changes" && d.changes.length > 0)).toBe(true);
  }, 110_000);
});
