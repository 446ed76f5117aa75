// The judge judged: requests that break GitHub's OpenAPI description are caught, so that the
// other tests' "no problems" means something.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FakeGitHub, OWNER, REPO } from "./fake-github.ts";

let gh: FakeGitHub;
beforeAll(async () => {
  gh = await FakeGitHub.start();
});
afterAll(() => gh.stop());
afterEach(() => {
  gh.problems.length = 0;
  gh.calls.length = 0;
});

const annotation = { path: "a", start_line: 1, end_line: 1, annotation_level: "notice", message: "m" };
const send = (route: string, params: Record<string, unknown>) =>
  gh
    .client()
    .octokit.request(route, { owner: OWNER, repo: REPO, ...params })
    .catch(() => undefined);

describe("the fake GitHub", () => {
  it("accepts a valid check run", async () => {
    await send("POST /repos/{owner}/{repo}/check-runs", {
      name: "n",
      head_sha: "abc",
      conclusion: "success",
      output: { title: "t", summary: "s", annotations: [annotation] },
    });
    expect(gh.problems).toEqual([]);
  });

  it.each([
    ["51 annotations", { annotations: Array(51).fill(annotation) }, /must NOT have more than 50 items/],
    [
      "a summary over 65,535 characters",
      { summary: "s".repeat(65_536) },
      /must NOT have more than 65535 characters/,
    ],
    ["a misspelt field", { annotation: [annotation] }, /body\.output\.annotation is not a property/],
    ["a wrong level", { annotations: [{ ...annotation, annotation_level: "error" }] }, /allowed values/],
    ["no title", { title: undefined }, /must have required property 'title'/],
  ])("catches %s", async (_name, output, problem) => {
    await send("POST /repos/{owner}/{repo}/check-runs", {
      name: "n",
      head_sha: "abc",
      output: { title: "t", summary: "s", ...output },
    });
    expect(gh.problems.join("\n")).toMatch(problem);
  });

  it("catches an unknown query parameter, an invalid value, and a path that is no operation", async () => {
    await send("GET /repos/{owner}/{repo}/pulls", { state: "opened", heads: "x" });
    await send("GET /repos/{owner}/{repo}/no-such-thing", {});
    expect(gh.problems).toEqual([
      expect.stringMatching(/query state=opened: .*allowed values/),
      expect.stringMatching(/query parameter heads is not a parameter of pulls\/list/),
      expect.stringMatching(/no-such-thing is no operation of GitHub's API/),
    ]);
  });

  it("catches a status with a state GitHub does not know", async () => {
    await send("POST /repos/{owner}/{repo}/statuses/{sha}", { sha: "abc", state: "ok" });
    expect(gh.problems.join("\n")).toMatch(/repos\/create-commit-status body: .*allowed values/);
  });
});
