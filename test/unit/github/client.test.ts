// The environment a GitHub run needs, and errors that say what failed without the token.
import { inspect } from "node:util";
import { HttpResponse, http } from "msw";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connectGitHub, GitHubError, githubFromEnv } from "../../../reconciler/github/client.ts";
import { upsertDriftPullRequest } from "../../../reconciler/github/drift-pr.ts";
import { setCommitStatus } from "../../../reconciler/github/statuses.ts";
import { API, FakeGitHub, OWNER, REPO, TARGET, TOKEN } from "./fake-github.ts";

describe("githubFromEnv", () => {
  const env = { GITHUB_REPOSITORY: "netops/network", GITHUB_TOKEN: TOKEN };

  it("reads the repository and the token, with api.github.com by default", () => {
    expect(githubFromEnv(env)).toEqual({
      target: { owner: "netops", repo: "network", token: TOKEN, apiUrl: "https://api.github.com" },
    });
  });

  it("takes GITHUB_API_URL (GitHub Enterprise Server), without a trailing slash", () => {
    const r = githubFromEnv({ ...env, GITHUB_API_URL: "https://ghe.example.net/api/v3/" });
    expect(r).toMatchObject({ target: { apiUrl: "https://ghe.example.net/api/v3" } });
  });

  it.each([
    [{ GITHUB_TOKEN: TOKEN }, /GITHUB_REPOSITORY is not set/],
    [{ ...env, GITHUB_REPOSITORY: "netops" }, /GITHUB_REPOSITORY is not owner\/name: "netops"/],
    [{ ...env, GITHUB_REPOSITORY: "netops/network/extra" }, /not owner\/name/],
    [{ ...env, GITHUB_REPOSITORY: "-netops/network" }, /not owner\/name/],
    [{ ...env, GITHUB_REPOSITORY: "netops/.." }, /not owner\/name/],
    [{ ...env, GITHUB_REPOSITORY: "net ops/network" }, /not owner\/name/],
    [{ GITHUB_REPOSITORY: "netops/network" }, /GITHUB_TOKEN is not set/],
    [{ ...env, GITHUB_TOKEN: "  " }, /GITHUB_TOKEN is not set/],
    [{ ...env, GITHUB_API_URL: "not a url" }, /GITHUB_API_URL is not a URL/],
    [{ ...env, GITHUB_API_URL: "ftp://ghe.example.net" }, /not an http\(s\) URL/],
    [{ ...env, GITHUB_API_URL: "https://user:pw@ghe.example.net" }, /must not hold credentials/],
  ])("says what is missing (%#)", (input, reason) => {
    const r = githubFromEnv(input);
    expect("missing" in r && r.missing).toMatch(reason);
    expect(JSON.stringify(r)).not.toContain(TOKEN);
  });
});

describe("GitHubError", () => {
  let gh: FakeGitHub;
  beforeAll(async () => {
    gh = await FakeGitHub.start();
  });
  afterAll(() => gh.stop());
  afterEach(() => {
    gh.calls.length = 0;
    gh.problems.length = 0;
  });

  const expectNoToken = (e: unknown) => {
    expect(e).toBeInstanceOf(GitHubError);
    for (const text of [String(e), (e as Error).stack ?? "", JSON.stringify(e), inspect(e, { depth: 10 })])
      expect(text).not.toContain(TOKEN);
  };

  it("carries method, path, status and GitHub's message", async () => {
    gh.failNext("repos/create-commit-status", 403, "Resource not accessible by integration");
    const e = await setCommitStatus(gh.client(), "abc123", {
      state: "success",
      description: "ok",
      context: "reconciler/apply",
    }).catch((x: unknown) => x);
    expectNoToken(e);
    expect(e).toMatchObject({
      method: "POST",
      path: `/repos/${OWNER}/${REPO}/statuses/abc123`,
      status: 403,
    });
    expect((e as Error).message).toBe(
      `GitHub POST /repos/${OWNER}/${REPO}/statuses/abc123: 403: Resource not accessible by integration`,
    );
    expect(gh.calls).toHaveLength(1); // no retry: the tests turn it off
  });

  it("adds the reasons of a 422", async () => {
    gh.failNext("pulls/create", 422, "Validation Failed", [
      { resource: "PullRequest", code: "custom", message: "No commits between main and reconciler/drift/a" },
    ]);
    const e = await upsertDriftPullRequest(gh.client(), {
      scope: "a",
      branch: "reconciler/drift/a",
      base: "main",
      title: "t",
      body: "b",
    }).catch((x: unknown) => x);
    expect(e).toMatchObject({ status: 422, method: "POST", path: `/repos/${OWNER}/${REPO}/pulls` });
    expect((e as Error).message).toMatch(
      /: 422: Validation Failed \(No commits between main and reconciler\/drift\/a PullRequest custom\)$/,
    );
  });

  it("gives the path below the API root of GitHub Enterprise Server", async () => {
    const { setupServer } = await import("msw/node");
    gh.stop();
    const ghes = setupServer(
      http.post("https://ghe.example.net/api/v3/repos/:owner/:repo/statuses/:sha", () =>
        HttpResponse.json({ message: "Not Found" }, { status: 404 }),
      ),
    );
    ghes.listen({ onUnhandledRequest: "error" });
    try {
      const client = connectGitHub(
        { ...TARGET, apiUrl: "https://ghe.example.net/api/v3" },
        { retry: false, throttle: false },
      );
      const e = await setCommitStatus(client, "abc", {
        state: "success",
        description: "d",
        context: "c",
      }).catch((x: unknown) => x);
      expectNoToken(e);
      expect(e).toMatchObject({ status: 404, path: `/repos/${OWNER}/${REPO}/statuses/abc` });
    } finally {
      ghes.close();
      gh = await FakeGitHub.start();
    }
  });

  it("redacts the token when the answer quotes it", async () => {
    gh.failNext("repos/create-commit-status", 422, `Validation Failed: token ${TOKEN} is odd`);
    const e = await setCommitStatus(gh.client(), "abc123", {
      state: "error",
      description: "x",
      context: "c",
    }).catch((x: unknown) => x);
    expectNoToken(e);
    expect((e as GitHubError).status).toBe(422);
    expect((e as Error).message).toContain("token [redacted] is odd");
  });

  it("says 'bad credentials' for a wrong token without printing either token", async () => {
    const wrong = "ghp_wrongTokenValue9876543210";
    const client = connectGitHub({ ...TARGET, token: wrong }, { retry: false, throttle: false });
    const e = await setCommitStatus(client, "abc123", {
      state: "error",
      description: "x",
      context: "c",
    }).catch((x: unknown) => x);
    expect(e).toMatchObject({ status: 401 });
    expect((e as Error).message).toContain("Bad credentials");
    for (const text of [String(e), inspect(e, { depth: 10 })]) {
      expect(text).not.toContain(wrong);
      expect(text).not.toContain(TOKEN);
    }
  });

  it("retries a 502 by default (with a short back-off here), and not a 403", async () => {
    const client = connectGitHub(TARGET, { retryBaseDelayMs: 5 });
    gh.failNext("repos/create-commit-status", 502, "Server Error");
    await setCommitStatus(client, "abc123", { state: "success", description: "ok", context: "c" });
    expect(gh.calls.map((c) => c.status)).toEqual([502, 201]);

    gh.calls.length = 0;
    gh.failNext("repos/create-commit-status", 403, "Resource not accessible by integration");
    await expect(
      setCommitStatus(client, "abc123", { state: "success", description: "ok", context: "c" }),
    ).rejects.toMatchObject({ status: 403 });
    expect(gh.calls).toHaveLength(1);
  });

  it("gives status 0 when no answer came (network error)", async () => {
    const { setupServer } = await import("msw/node");
    gh.stop();
    const down = setupServer(http.all(`${API}/*`, () => HttpResponse.error()));
    down.listen({ onUnhandledRequest: "error" });
    try {
      const e = await setCommitStatus(gh.client(), "abc123", {
        state: "error",
        description: "x",
        context: "c",
      }).catch((x: unknown) => x);
      expectNoToken(e);
      expect(e).toMatchObject({ method: "POST", status: 0, path: `/repos/${OWNER}/${REPO}/statuses/abc123` });
      expect((e as Error).message).toMatch(
        /^GitHub POST \/repos\/netops\/network\/statuses\/abc123: no answer: /,
      );
    } finally {
      down.close();
      gh = await FakeGitHub.start();
    }
  });
});
