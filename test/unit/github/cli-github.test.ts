// The CLI's --github, in process against the fake GitHub (GitHub's OpenAPI description): `plan
// --github` on a pull request creates the check run and one comment, and a second push edits that
// comment; `apply --github` on a frozen fleet leaves an error status on the commit and touches no
// device. Devices are read through a stub transport (the plan, not the devices, is under test).
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyCommand } from "../../../reconciler/cli/apply.ts";
import { planCommand } from "../../../reconciler/cli/plan.ts";
import type { Driver } from "../../../reconciler/drivers/driver.ts";
import { DRIVERS } from "../../../reconciler/drivers/index.ts";
import { freeze } from "../../../reconciler/state/freeze.ts";
import type { DeviceSession, Transport } from "../../../reconciler/transport/session.ts";
import { ROOT } from "../../helpers/example-repo.ts";
import { API, FakeGitHub, OWNER, REPO, TOKEN } from "./fake-github.ts";

let gh: FakeGitHub;
let dir: string;
let head: string;
const HEAD_SHA = "3f9a1c2b4d5e6f708192a3b4c5d6e7f8091a2b3c";

beforeAll(async () => {
  gh = await FakeGitHub.start();
  dir = mkdtempSync(join(tmpdir(), "reconciler-cli-github-"));
  for (const sub of ["inventory", "desired"]) cpSync(join(ROOT, sub), join(dir, sub), { recursive: true });
  const git = (...a: string[]) =>
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.net", ...a], {
      cwd: dir,
      encoding: "utf8",
    });
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-qm", "example");
  head = git("rev-parse", "HEAD").trim();
  writeFileSync(
    join(dir, "event.json"),
    JSON.stringify({ pull_request: { number: 7, head: { sha: HEAD_SHA } } }),
  );
});
afterAll(() => {
  gh.stop();
  rmSync(dir, { recursive: true, force: true });
});

const env = () => ({
  GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
  GITHUB_TOKEN: TOKEN,
  GITHUB_API_URL: API,
  GITHUB_EVENT_PATH: join(dir, "event.json"),
  GITHUB_SERVER_URL: "https://github.test",
  GITHUB_RUN_ID: "99",
});

/** Every Debian router reads as empty: the plan creates everything. */
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

describe("--github", () => {
  it("plan: one check run per push and one comment per pull request, edited in place, with the plan's hash", async () => {
    const deps = { drivers: { debian: emptyDebian }, openTransport: () => transport, env: env() };
    const opts = { repo: dir, limit: "router-a,router-b", github: true };
    expect(await planCommand(opts, deps, sink(), false)).toBe(2);
    expect(await planCommand(opts, deps, sink(), false)).toBe(2);
    expect(gh.problems).toEqual([]);
    expect(gh.checkRuns).toHaveLength(2);
    expect(gh.checkRuns[0]?.create).toMatchObject({ name: "reconciler plan", head_sha: HEAD_SHA });
    expect(gh.comments).toHaveLength(1);
    expect(gh.comments[0]?.issue_number).toBe(7);
    expect(gh.comments[0]?.body).toContain(HEAD_SHA.slice(0, 12));
    const log = gh.log();
    expect(log.filter((l) => l.startsWith("POST") && l.endsWith("/issues/7/comments"))).toHaveLength(1);
    expect(log.filter((l) => l.startsWith("PATCH") && l.includes("/issues/comments/"))).toHaveLength(1);
  });

  it("plan: refused before any device is read when GitHub is not configured", async () => {
    let read = 0;
    const counting: Driver = { ...emptyDebian, read: async (s, d) => (read++, emptyDebian.read(s, d)) };
    const deps = {
      drivers: { debian: counting },
      openTransport: () => transport,
      env: { ...env(), GITHUB_TOKEN: "" },
    };
    await expect(
      planCommand({ repo: dir, limit: "router-a", github: true }, deps, sink(), false),
    ).rejects.toThrow(/--github: GITHUB_TOKEN is not set/);
    expect(read).toBe(0);
  });

  it("apply: a frozen fleet leaves an error status on the commit, and no device is read", async () => {
    await freeze(join(dir, ".reconciler", "state"), {
      runId: "20261129T000000Z-000001",
      by: "ops@host",
      reason: "rollback --to-last-confirmed",
    });
    let read = 0;
    const counting: Driver = { ...emptyDebian, read: async (s, d) => (read++, emptyDebian.read(s, d)) };
    const before = gh.statuses.length;
    await expect(
      applyCommand(
        undefined,
        { repo: dir, limit: "router-a", yes: true, github: true },
        {
          drivers: { debian: counting },
          applyDrivers: {},
          openTransport: () => transport,
          env: env(),
          ask: async () => false,
          interactive: false,
          err: sink(),
        },
        sink(),
        false,
      ),
    ).rejects.toThrow(/refusing to apply: the fleet is frozen/);
    expect(read).toBe(0);
    expect(gh.statuses.slice(before)).toEqual([
      expect.objectContaining({
        state: "error",
        context: "reconciler/rollout",
        target_url: "https://github.test/netops/network/actions/runs/99",
      }),
    ]);
    expect(gh.calls.at(-1)?.path).toBe(`/repos/${OWNER}/${REPO}/statuses/${head}`);
    expect(gh.problems).toEqual([]);
  });
});
