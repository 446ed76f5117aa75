// Drift pull requests (one per scope, updated, closed with a comment) and the issue about a
// drift run that could not read devices (found by its marker, updated, closed).
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { GitHubError } from "../../../reconciler/github/client.ts";
import { closeDriftIssue, upsertDriftIssue } from "../../../reconciler/github/drift-issue.ts";
import { closeDriftPullRequest, upsertDriftPullRequest } from "../../../reconciler/github/drift-pr.ts";
import { DRIFT_LABEL } from "../../../reconciler/github/labels.ts";
import { FakeGitHub, OWNER, REPO } from "./fake-github.ts";

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
  gh.pulls = [];
  gh.issues = [];
  gh.comments = [];
  gh.labels.clear();
  expect(problems).toEqual([]);
});

const repoPath = `/repos/${OWNER}/${REPO}`;
const siteA = {
  scope: "site-a",
  branch: "reconciler/drift/site-a",
  base: "main",
  title: "Drift on site-a: 2 devices",
  body: "router-a: wireguard[wg-b].listen_port 51820 -> 51821",
};

describe("drift pull requests", () => {
  it("creates one pull request per scope, then updates it night after night", async () => {
    const client = gh.client();
    const first = await upsertDriftPullRequest(client, siteA);
    expect(first.action).toBe("created");
    expect(gh.log()).toEqual([`GET ${repoPath}/pulls`, `POST ${repoPath}/pulls`]);
    expect(gh.calls[0]?.query).toMatchObject({ state: "open", head: `${OWNER}:reconciler/drift/site-a` });
    expect(gh.calls[1]?.body).toMatchObject({
      head: "reconciler/drift/site-a",
      base: "main",
      title: siteA.title,
    });
    expect(gh.pulls[0]?.body).toMatch(/^<!-- reconciler-drift-pr scope=site-a -->\nrouter-a: /);

    gh.calls.length = 0;
    const second = await upsertDriftPullRequest(client, {
      ...siteA,
      title: "Drift on site-a: 3 devices",
      body: "more",
    });
    expect(second).toEqual({ number: first.number, action: "updated" });
    expect(gh.log()).toEqual([`GET ${repoPath}/pulls`, `PATCH ${repoPath}/pulls/${first.number}`]);
    expect(gh.calls[1]?.body).toEqual({
      title: "Drift on site-a: 3 devices",
      body: "<!-- reconciler-drift-pr scope=site-a -->\nmore",
    });
    expect(gh.pulls).toHaveLength(1);

    // Another scope: another branch, another pull request.
    const siteB = await upsertDriftPullRequest(client, {
      ...siteA,
      scope: "site-b",
      branch: "reconciler/drift/site-b",
    });
    expect(siteB.action).toBe("created");
    expect(siteB.number).not.toBe(first.number);
    expect(gh.pulls.filter((p) => p.state === "open")).toHaveLength(2);
  });

  it("moves the pull request to a new base when the base changed", async () => {
    const { number } = await upsertDriftPullRequest(gh.client(), siteA);
    await upsertDriftPullRequest(gh.client(), { ...siteA, base: "production" });
    expect(gh.calls.at(-1)?.body).toMatchObject({ base: "production" });
    expect(gh.pulls.find((p) => p.number === number)?.base).toBe("production");
  });

  it("opens a new pull request when the old one was closed by hand", async () => {
    const first = await upsertDriftPullRequest(gh.client(), siteA);
    const pull = gh.pulls[0];
    if (pull) pull.state = "closed";
    const again = await upsertDriftPullRequest(gh.client(), siteA);
    expect(again.action).toBe("created");
    expect(again.number).not.toBe(first.number);
  });

  it("does not take a pull request from a fork with the same branch name for its own", async () => {
    gh.pulls.push({
      number: gh.newNumber(),
      head: siteA.branch,
      headRepo: `someone/${REPO}`,
      base: "main",
      title: "not ours",
      body: "",
      state: "open",
    });
    expect(
      await closeDriftPullRequest(gh.client(), { branch: siteA.branch, comment: "gone" }),
    ).toBeUndefined();
    expect(gh.log()).toEqual([`GET ${repoPath}/pulls`]);
  });

  it("closes the pull request with a comment saying why, and does nothing when there is none", async () => {
    const { number } = await upsertDriftPullRequest(gh.client(), siteA);
    gh.calls.length = 0;
    const closed = await closeDriftPullRequest(gh.client(), {
      branch: siteA.branch,
      comment: "The drift is gone: every device of site-a matches git (run 20261130T020000Z).",
    });
    expect(closed).toEqual({ number });
    expect(gh.log()).toEqual([
      `GET ${repoPath}/pulls`,
      `POST ${repoPath}/issues/${number}/comments`,
      `PATCH ${repoPath}/pulls/${number}`,
    ]);
    expect(gh.calls[2]?.body).toEqual({ state: "closed" });
    expect(gh.comments[0]?.body).toMatch(/^The drift is gone/);
    expect(gh.pulls[0]?.state).toBe("closed");

    gh.calls.length = 0;
    expect(await closeDriftPullRequest(gh.client(), { branch: siteA.branch, comment: "x" })).toBeUndefined();
    expect(gh.log()).toEqual([`GET ${repoPath}/pulls`]);
  });

  it("cuts a body longer than GitHub's limit", async () => {
    await upsertDriftPullRequest(gh.client(), { ...siteA, body: "d".repeat(100_000) });
    const body = gh.pulls[0]?.body ?? "";
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body).toMatch(/\.\.\. \d+ characters more, cut to fit GitHub's limit\n$/);
  });
});

describe("the drift issue", () => {
  const marker = "reconciler-drift-unreadable scope=site-a";
  const hidden = `<!-- ${marker} -->`;

  it("creates the label and the issue, then updates the same issue, then closes it", async () => {
    const client = gh.client();
    const first = await upsertDriftIssue(client, {
      marker,
      title: "Drift run could not read 1 device",
      body: "core-1: ssh: connect: connection refused",
    });
    expect(first.action).toBe("created");
    expect(gh.log()).toEqual([
      `GET ${repoPath}/issues`,
      `GET ${repoPath}/labels/${DRIFT_LABEL}`,
      `POST ${repoPath}/labels`,
      `POST ${repoPath}/issues`,
    ]);
    expect(gh.calls[0]?.query).toMatchObject({ state: "open", labels: DRIFT_LABEL });
    expect(gh.labels.has(DRIFT_LABEL)).toBe(true);
    expect(gh.issues[0]).toMatchObject({ labels: [DRIFT_LABEL], state: "open" });
    expect(gh.issues[0]?.body.startsWith(`${hidden}\n`)).toBe(true);

    gh.calls.length = 0;
    const second = await upsertDriftIssue(client, {
      marker,
      title: "Drift run could not read 2 devices",
      body: "two",
    });
    expect(second).toEqual({ number: first.number, action: "updated" });
    expect(gh.log()).toEqual([`GET ${repoPath}/issues`, `PATCH ${repoPath}/issues/${first.number}`]);
    expect(gh.issues).toHaveLength(1);
    expect(gh.issues[0]).toMatchObject({
      title: "Drift run could not read 2 devices",
      body: `${hidden}\ntwo`,
    });

    gh.calls.length = 0;
    const closed = await closeDriftIssue(client, {
      marker,
      comment: "The drift run reads every device again.",
    });
    expect(closed).toEqual({ number: first.number });
    expect(gh.log()).toEqual([
      `GET ${repoPath}/issues`,
      `POST ${repoPath}/issues/${first.number}/comments`,
      `PATCH ${repoPath}/issues/${first.number}`,
    ]);
    expect(gh.calls[2]?.body).toEqual({ state: "closed", state_reason: "completed" });
    expect(gh.issues[0]).toMatchObject({ state: "closed", state_reason: "completed" });
    expect(gh.comments[0]).toMatchObject({
      issue_number: first.number,
      body: "The drift run reads every device again.",
    });

    // Closed: nothing to close any more, and the next outage is a new issue (the label exists now).
    gh.calls.length = 0;
    expect(await closeDriftIssue(client, { marker, comment: "x" })).toBeUndefined();
    const next = await upsertDriftIssue(client, { marker, title: "again", body: "again" });
    expect(next.action).toBe("created");
    expect(next.number).not.toBe(first.number);
    expect(gh.log()).toEqual([
      `GET ${repoPath}/issues`,
      `GET ${repoPath}/issues`,
      `GET ${repoPath}/labels/${DRIFT_LABEL}`,
      `POST ${repoPath}/issues`,
    ]);
  });

  it("finds the issue by its marker among others, on a later page, skipping pull requests", async () => {
    gh.maxPage = 10;
    try {
      for (let i = 0; i < 25; i++)
        gh.issues.push({
          number: gh.newNumber(),
          title: `other ${i}`,
          body: `<!-- reconciler-drift-unreadable scope=site-b -->\n${i}`,
          state: "open",
          labels: [DRIFT_LABEL],
        });
      // A pull request whose body holds the marker: the issues API lists it, it is not the issue.
      gh.pulls.push({
        number: gh.newNumber(),
        head: "x",
        headRepo: `${OWNER}/${REPO}`,
        base: "main",
        title: "pr",
        body: hidden,
        state: "open",
      });
      // The marker in an issue without the label: not one of the reconciler's.
      gh.issues.push({ number: gh.newNumber(), title: "t", body: hidden, state: "open", labels: [] });
      const number = gh.newNumber();
      gh.issues.push({
        number,
        title: "ours",
        body: `${hidden}\nold`,
        state: "open",
        labels: [DRIFT_LABEL, "ops"],
      });
      const r = await upsertDriftIssue(gh.client(), { marker: hidden, title: "ours", body: "new" });
      expect(r).toEqual({ number, action: "updated" });
      expect(gh.log().filter((l) => l === `GET ${repoPath}/issues`)).toHaveLength(3);
      expect(gh.issues.find((i) => i.number === number)?.body).toBe(`${hidden}\nnew`);
    } finally {
      gh.maxPage = 100;
    }
  });

  it("tolerates another run creating the label first", async () => {
    gh.failNext("issues/create-label", 422, "Validation Failed");
    const r = await upsertDriftIssue(gh.client(), { marker, title: "t", body: "b" });
    expect(r.action).toBe("created");
  });

  it("passes on other errors, with what failed", async () => {
    gh.failNext("issues/list-for-repo", 403, "Resource not accessible by integration");
    const e = await upsertDriftIssue(gh.client(), { marker, title: "t", body: "b" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(GitHubError);
    expect(e).toMatchObject({ status: 403, method: "GET" });
    expect((e as GitHubError).path).toMatch(new RegExp(`^${repoPath}/issues\\?`));
  });

  it("refuses a marker that cannot be an HTML comment", async () => {
    await expect(upsertDriftIssue(gh.client(), { marker: "a -- b", title: "t", body: "b" })).rejects.toThrow(
      /cannot be an HTML comment/,
    );
    expect(gh.calls).toEqual([]);
  });
});
