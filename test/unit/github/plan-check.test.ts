// publishPlan against GitHub's OpenAPI description (fake-github.ts): the check run, its
// annotations in batches of 50, the one comment edited in place, the limits on sizes.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CHECK_RUN_TEXT_LIMIT } from "../../../reconciler/github/markdown.ts";
import { publishPlan } from "../../../reconciler/github/plan-check.ts";
import { PLAN_COMMENT_MARKER } from "../../../reconciler/github/plan-comment.ts";
import { FakeGitHub, OWNER, REPO } from "./fake-github.ts";
import { device, HASH, HEAD, plan } from "./plans.ts";

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
  gh.comments = [];
  gh.checkRuns = [];
  expect(problems).toEqual([]);
});

const PR = 42;
const repoPath = `/repos/${OWNER}/${REPO}`;
const small = plan([
  device("router-a", "changes", 2),
  device("router-b", "unchanged"),
  device("core-1", "error"),
]);
const smallText = "router-a (debian): 2 changes, 1 file\n  ~ wireguard[wg-0].listen_port: 51820 -> 51821\n";

describe("publishPlan", () => {
  it("creates the check run and the comment, then edits that comment on the next push", async () => {
    const client = gh.client();
    const first = await publishPlan(client, {
      headSha: HEAD,
      pullNumber: PR,
      plan: small,
      text: smallText,
      planHash: HASH,
    });
    expect(first.created).toBe(true);
    expect(gh.log()).toEqual([
      `POST ${repoPath}/check-runs`,
      `GET ${repoPath}/issues/${PR}/comments`,
      `POST ${repoPath}/issues/${PR}/comments`,
    ]);
    const run = gh.checkRuns[0];
    expect(run?.id).toBe(first.checkRunId);
    expect(run?.create).toMatchObject({
      name: "reconciler plan",
      head_sha: HEAD,
      external_id: HASH,
      status: "completed",
      conclusion: "failure",
    });
    expect(run?.create.output.title).toBe(
      "1 device to change, 1 could not be read, 1 unchanged (plan 9b1e4f0c2d7a)",
    );
    // The summary: the per-device table, the hash and the head; the device that could not be read first.
    const summary: string = run?.create.output.summary;
    expect(summary).toContain(HASH);
    expect(summary).toContain(HEAD);
    expect(summary).toMatch(
      /\| core-1 \| debian \| \*\*could not be read\*\*: ssh: connect to core-1[^|]*\| – \|\n\| router-a \| debian \| changes \| 2 \|\n\| router-b \| debian \| unchanged \| 0 \|/,
    );
    expect(run?.create.output.text).toContain("~ wireguard[wg-0].listen_port: 51820 -> 51821");
    expect(run?.annotations).toEqual([
      expect.objectContaining({
        path: "desired/router-a.yaml",
        annotation_level: "notice",
        title: "router-a: 2 changes",
      }),
      expect.objectContaining({
        path: "inventory/inventory.yaml",
        annotation_level: "failure",
        title: "core-1: could not be read",
      }),
    ]);
    const comment = gh.comments[0];
    expect(comment?.id).toBe(first.commentId);
    expect(comment?.body.startsWith(`${PLAN_COMMENT_MARKER}\n`)).toBe(true);
    expect(comment?.body).toContain(HASH);
    expect(comment?.body).toContain(HEAD);
    expect(comment?.body).toMatch(/<details><summary>Plan text[^<]*<\/summary>\n\n```text\n/);

    gh.calls.length = 0;
    const newHead = "aaaabbbbccccddddeeeeffff0000111122223333";
    const second = await publishPlan(client, {
      headSha: newHead,
      pullNumber: PR,
      plan: plan([device("router-a", "unchanged")]),
      text: "router-a (debian): no changes\n",
      planHash: "sha256:second",
    });
    expect(second).toMatchObject({ commentId: first.commentId, created: false });
    expect(second.checkRunId).not.toBe(first.checkRunId);
    expect(gh.log()).toEqual([
      `POST ${repoPath}/check-runs`,
      `GET ${repoPath}/issues/${PR}/comments`,
      `PATCH ${repoPath}/issues/comments/${first.commentId}`,
    ]);
    expect(gh.comments).toHaveLength(1);
    expect(gh.comments[0]?.body).toContain(newHead);
    expect(gh.comments[0]?.body).not.toContain(HEAD);
    expect(gh.checkRuns[1]?.create).toMatchObject({
      conclusion: "success",
      external_id: "sha256:second",
      head_sha: newHead,
    });
  });

  it("concludes neutral when there are changes and no errors", async () => {
    await publishPlan(gh.client(), {
      headSha: HEAD,
      pullNumber: PR,
      plan: plan([device("router-a", "changes", 1), device("router-b", "unchanged")]),
      text: smallText,
      planHash: HASH,
    });
    expect(gh.checkRuns[0]?.create.conclusion).toBe("neutral");
  });

  it("finds its comment on the second page, among others' comments, and not one that only quotes the marker", async () => {
    for (let i = 0; i < 130; i++)
      gh.comments.push({ id: 10 + i, issue_number: PR, body: `comment ${i}`, login: "someone" });
    // Someone quoting the marker mid-text: not the plan comment.
    gh.comments.push({
      id: 500,
      issue_number: PR,
      body: `see ${PLAN_COMMENT_MARKER} above`,
      login: "someone",
    });
    gh.comments.push({
      id: 501,
      issue_number: PR,
      body: `${PLAN_COMMENT_MARKER}\nold plan`,
      login: "github-actions[bot]",
    });
    gh.comments.push({
      id: 600,
      issue_number: PR + 1,
      body: `${PLAN_COMMENT_MARKER}\nanother PR`,
      login: "x",
    });
    const result = await publishPlan(gh.client(), {
      headSha: HEAD,
      pullNumber: PR,
      plan: small,
      text: smallText,
      planHash: HASH,
    });
    expect(result).toMatchObject({ commentId: 501, created: false });
    expect(gh.log().filter((l) => l.startsWith("GET"))).toHaveLength(2);
    expect(gh.calls[2]?.query).toMatchObject({ page: "2" });
    expect(gh.comments.find((c) => c.id === 501)?.body).toContain(HASH);
    expect(gh.comments.find((c) => c.id === 600)?.body).toBe(`${PLAN_COMMENT_MARKER}\nanother PR`);
    expect(gh.log().at(-1)).toBe(`PATCH ${repoPath}/issues/comments/501`);
  });

  it("cuts a 200,000-character plan to the limits, saying how much is left out", async () => {
    const line = "  ~ wireguard[wg-b].peers[XXKo].endpoint: 198.51.100.65:51820 -> 198.51.100.66:51820\n";
    const text = line.repeat(Math.ceil(200_000 / line.length)).slice(0, 200_000);
    await publishPlan(gh.client(), { headSha: HEAD, pullNumber: PR, plan: small, text, planHash: HASH });
    const output = gh.checkRuns[0]?.create.output;
    expect(output.text.length).toBeLessThanOrEqual(CHECK_RUN_TEXT_LIMIT);
    expect(output.text.length).toBeGreaterThan(CHECK_RUN_TEXT_LIMIT - 2_000);
    const omitted = Number(/\.\.\. (\d+) characters more, see the workflow log/.exec(output.text)?.[1]);
    // What is kept plus what is said to be left out is the whole text.
    const kept = /```text\n([\s\S]*)\n```\n/.exec(output.text)?.[1] ?? "";
    expect(kept.length + omitted).toBeGreaterThanOrEqual(text.trimEnd().length - 1);
    expect(kept.length + omitted).toBeLessThanOrEqual(text.length);
    expect(text.startsWith(kept)).toBe(true);
    const body = gh.comments[0]?.body ?? "";
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body.length).toBeGreaterThan(60_000);
    expect(body).toMatch(/characters more, see the workflow log/);
    expect(body.endsWith("</details>\n")).toBe(true);
  });

  it("fits multi-byte text within the limit in bytes, never cutting a character", async () => {
    const text = "ü€😀".repeat(40_000);
    await publishPlan(gh.client(), { headSha: HEAD, pullNumber: PR, plan: small, text, planHash: HASH });
    const out: string = gh.checkRuns[0]?.create.output.text;
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(CHECK_RUN_TEXT_LIMIT);
    expect(out).not.toContain("\uFFFD");
    expect(out).toContain("ü€😀ü€😀");
    expect(Buffer.byteLength(gh.comments[0]?.body ?? "")).toBeLessThanOrEqual(65_536);
  });

  it("keeps a plan text that fits whole, with a fence longer than its backticks", async () => {
    const text = "desc: ```not markdown```\n<b>no html</b>\n";
    await publishPlan(gh.client(), { headSha: HEAD, pullNumber: PR, plan: small, text, planHash: HASH });
    const out: string = gh.checkRuns[0]?.create.output.text;
    expect(out).toBe("````text\ndesc: ```not markdown```\n<b>no html</b>\n````\n");
  });

  it("sends 120 annotations in 3 requests of at most 50, repeating the output", async () => {
    const devices = Array.from({ length: 120 }, (_, i) =>
      device(`r-${String(i).padStart(3, "0")}`, i % 3 === 0 ? "error" : "changes", 1),
    );
    devices.push(device("quiet", "unchanged"));
    await publishPlan(gh.client(), {
      headSha: HEAD,
      pullNumber: PR,
      plan: plan(devices),
      text: "x\n",
      planHash: HASH,
    });
    const run = gh.checkRuns[0];
    expect(gh.log().filter((l) => l.includes("/check-runs"))).toEqual([
      `POST ${repoPath}/check-runs`,
      `PATCH ${repoPath}/check-runs/${run?.id}`,
      `PATCH ${repoPath}/check-runs/${run?.id}`,
    ]);
    expect(run?.create.output.annotations).toHaveLength(50);
    expect(run?.updates.map((u) => u.output.annotations.length)).toEqual([50, 20]);
    expect(run?.updates.every((u) => u.output.summary === run.create.output.summary)).toBe(true);
    expect(run?.annotations.map((a) => a.title.split(":")[0])).toEqual(
      devices.slice(0, 120).map((d) => d.device),
    );
    expect(run?.annotations.filter((a) => a.annotation_level === "failure")).toHaveLength(40);
  });

  it("cuts a table of 5,000 devices to the limit and says how many more there are", async () => {
    const devices = Array.from({ length: 5_000 }, (_, i) =>
      device(`device-with-a-long-name-${i}`, "unchanged"),
    );
    devices.push(device("broken", "error"));
    await publishPlan(gh.client(), {
      headSha: HEAD,
      pullNumber: PR,
      plan: plan(devices),
      text: "x\n",
      planHash: HASH,
    });
    const summary: string = gh.checkRuns[0]?.create.output.summary;
    expect(summary.length).toBeLessThanOrEqual(CHECK_RUN_TEXT_LIMIT);
    // The device that could not be read is the first row, whatever its place in the plan.
    expect(summary).toMatch(/\|---:\|\n\| broken \|/);
    const more = Number(/\.\.\. and (\d+) more devices/.exec(summary)?.[1]);
    const rows = summary.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| device |")).length;
    expect(rows + more).toBe(5_001);
    expect((gh.comments[0]?.body ?? "").length).toBeLessThanOrEqual(65_536);
  });
});
