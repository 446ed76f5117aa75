// Commit statuses: the body GitHub takes, the description cut to 140 characters.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { setCommitStatus, statusDescription } from "../../../reconciler/github/statuses.ts";
import { FakeGitHub, OWNER, REPO } from "./fake-github.ts";
import { HEAD } from "./plans.ts";

let gh: FakeGitHub;
beforeAll(async () => {
  gh = await FakeGitHub.start();
});
afterAll(() => gh.stop());
afterEach(() => {
  // The problems are read first and the state reset before the assertion, so that one failing
  // test does not leave its state to the next.
  const problems = gh.problems.splice(0);
  gh.calls.length = 0;
  gh.statuses = [];
  expect(problems).toEqual([]);
});

describe("setCommitStatus", () => {
  it("posts the state, description, context and target URL on the commit", async () => {
    const r = await setCommitStatus(gh.client(), HEAD, {
      state: "pending",
      description: "rollout: wave 1 of 3",
      context: "reconciler/apply",
      targetUrl: "https://github.com/netops/network/actions/runs/1",
    });
    expect(gh.log()).toEqual([`POST /repos/${OWNER}/${REPO}/statuses/${HEAD}`]);
    expect(gh.calls[0]?.body).toEqual({
      state: "pending",
      description: "rollout: wave 1 of 3",
      context: "reconciler/apply",
      target_url: "https://github.com/netops/network/actions/runs/1",
    });
    expect(r.id).toBe(gh.statuses[0]?.id);
  });

  it("sends no target_url when there is none", async () => {
    await setCommitStatus(gh.client(), HEAD, {
      state: "success",
      description: "ok",
      context: "reconciler/apply",
    });
    expect(gh.calls[0]?.body).not.toHaveProperty("target_url");
  });

  it("cuts a long description to 140 characters on one line", async () => {
    const long = `3 devices failed:\n${"router-x could not be read; ".repeat(20)}`;
    await setCommitStatus(gh.client(), HEAD, {
      state: "failure",
      description: long,
      context: "reconciler/apply",
    });
    const sent: string = gh.calls[0]?.body.description;
    expect([...sent]).toHaveLength(140);
    expect(sent.endsWith("...")).toBe(true);
    expect(sent).not.toContain("\n");
    expect(sent.startsWith("3 devices failed: router-x")).toBe(true);
  });
});

describe("statusDescription", () => {
  it("keeps 140 characters as they are, and never cuts a character in two", () => {
    expect(statusDescription("x".repeat(140))).toBe("x".repeat(140));
    const emoji = statusDescription("😀".repeat(200));
    expect([...emoji]).toHaveLength(140);
    expect(emoji).not.toContain("\uFFFD");
    expect(emoji.startsWith("😀".repeat(137))).toBe(true);
  });
});
