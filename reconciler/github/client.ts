// Where the GitHub side talks to: the repository, the token and the API root, read from the
// environment GitHub Actions provides, and one Octokit instance per target. Every request error
// becomes a GitHubError that carries method, path, status and GitHub's message, and never the
// token: Octokit's own errors hold the request (headers included), and a CI log is public.
import { Octokit, RequestError } from "octokit";

export interface GitHubTarget {
  owner: string;
  repo: string;
  token: string;
  /** API root without a trailing slash, e.g. https://api.github.com or https://ghe.example/api/v3 */
  apiUrl: string;
}

/** The Octokit client with the repository it works on: what every function of reconciler/github takes. */
export interface GitHubRepo {
  octokit: Octokit;
  owner: string;
  repo: string;
}

export type GitHubFromEnv = { target: GitHubTarget } | { missing: string };

export const DEFAULT_API_URL = "https://api.github.com";

// GitHub's own rules: an owner is 1-39 alphanumerics or single hyphens, not at either end; a
// repository name is 1-100 of [A-Za-z0-9._-], and "." and ".." are not names.
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const REPO = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * Reads GITHUB_REPOSITORY (owner/name), GITHUB_TOKEN and GITHUB_API_URL (default
 * https://api.github.com). Returns `{ missing }` with a sentence naming what is missing or wrong,
 * never the token's value, so a caller can print it as is.
 */
export function githubFromEnv(env: Record<string, string | undefined> = process.env): GitHubFromEnv {
  const repository = env.GITHUB_REPOSITORY?.trim();
  if (!repository) return { missing: "GITHUB_REPOSITORY is not set (expected owner/name)" };
  const parts = repository.split("/");
  const [owner, repo] = parts;
  if (parts.length !== 2 || !owner || !repo || !OWNER.test(owner) || !REPO.test(repo) || /^\.\.?$/.test(repo))
    return { missing: `GITHUB_REPOSITORY is not owner/name: ${JSON.stringify(repository.slice(0, 200))}` };
  const token = env.GITHUB_TOKEN?.trim();
  if (!token) return { missing: "GITHUB_TOKEN is not set" };
  const rawUrl = env.GITHUB_API_URL?.trim() || DEFAULT_API_URL;
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return { missing: `GITHUB_API_URL is not a URL: ${JSON.stringify(rawUrl.slice(0, 200))}` };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    return { missing: `GITHUB_API_URL is not an http(s) URL: ${JSON.stringify(rawUrl.slice(0, 200))}` };
  // A token in the URL would end up in every error message that quotes a request's address.
  if (url.username || url.password) return { missing: "GITHUB_API_URL must not hold credentials" };
  const apiUrl = `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
  return { target: { owner, repo, token, apiUrl } };
}

/** A failed GitHub request: what was asked (method, path) and what GitHub answered (status, message). */
export class GitHubError extends Error {
  readonly method: string;
  /** The path below the API root, query included, e.g. /repos/o/r/issues/comments/5 */
  readonly path: string;
  /** The HTTP status, 0 when no answer came (network error, timeout). */
  readonly status: number;
  constructor(method: string, path: string, status: number, message: string) {
    super(`GitHub ${method} ${path}: ${status === 0 ? "no answer" : status}: ${message}`);
    this.name = "GitHubError";
    this.method = method;
    this.path = path;
    this.status = status;
  }
}

export interface OctokitOptions {
  /** Retry requests that failed with 5xx or got no answer (Octokit's retry plugin). Default true. */
  retry?: boolean;
  /** How many times to retry (default 3), and the base of the back-off (default 1000 ms; retry n waits base × n²). */
  retries?: number;
  retryBaseDelayMs?: number;
  /**
   * Pace requests as GitHub asks (writes at least a second apart, three for those that notify)
   * and wait out a rate limit of up to MAX_RATE_LIMIT_WAIT_S, twice at most (Octokit's
   * throttling plugin). Default true.
   */
  throttle?: boolean;
  /** Another fetch, e.g. for a proxy. Default globalThis.fetch. */
  fetch?: typeof fetch;
}

/** Longer rate-limit waits fail the request instead: a CI job should not sleep for an hour. */
export const MAX_RATE_LIMIT_WAIT_S = 60;

const waitOutRateLimit = (retryAfter: number, _options: unknown, _octokit: unknown, retryCount: number) =>
  retryAfter <= MAX_RATE_LIMIT_WAIT_S && retryCount < 2;

function redactToken(text: string, token: string): string {
  return token.length > 0 ? text.split(token).join("[redacted]") : text;
}

/** GitHub's answer in a sentence: its `message`, and the reasons of a 422's `errors`. */
function describe(error: RequestError): string {
  const data = error.response?.data as { message?: unknown; errors?: unknown } | undefined;
  let text = typeof data?.message === "string" ? data.message : error.message;
  if (Array.isArray(data?.errors)) {
    const reasons = data.errors
      .map((e) =>
        typeof e === "string"
          ? e
          : e && typeof e === "object"
            ? [e.message, e.resource, e.field, e.code].filter((x) => typeof x === "string").join(" ")
            : "",
      )
      .filter((x) => x.length > 0);
    if (reasons.length > 0) text += ` (${reasons.join("; ")})`;
  }
  return text;
}

function pathOf(url: string | undefined, apiUrl: string): string {
  if (!url) return "?";
  const path = url.startsWith(apiUrl) ? url.slice(apiUrl.length) : url;
  return path.startsWith("/") ? path : `/${path}`;
}

/**
 * One Octokit for one target. Retries and throttling are on by default (a nightly drift run
 * should survive a 502 or a secondary rate limit) and can be turned off, which tests do: a retry
 * with back-off makes a failing test slow, and a throttle makes timing flaky.
 */
export function createOctokit(target: GitHubTarget, options: OctokitOptions = {}): Octokit {
  const octokit = new Octokit({
    auth: target.token,
    baseUrl: target.apiUrl,
    retry: {
      enabled: options.retry ?? true,
      ...(options.retries !== undefined ? { retries: options.retries } : {}),
      ...(options.retryBaseDelayMs !== undefined ? { retryAfterBaseValue: options.retryBaseDelayMs } : {}),
    },
    // The handlers are required when throttling is on; the plugin retries when they return true.
    throttle:
      options.throttle === false
        ? { enabled: false }
        : { enabled: true, onRateLimit: waitOutRateLimit, onSecondaryRateLimit: waitOutRateLimit },
    // Octokit logs warnings (deprecations, rate limits) to the console; keep them, drop debug/info.
    log: { debug: () => {}, info: () => {}, warn: console.warn, error: console.error },
    ...(options.fetch ? { request: { fetch: options.fetch } } : {}),
  });
  // Every request error becomes a GitHubError here, once, so that no caller ever holds an error
  // object that carries the request's headers, and no message carries the token.
  octokit.hook.error("request", (error, requestOptions) => {
    const method = String(requestOptions.method ?? "GET").toUpperCase();
    if (error instanceof RequestError) {
      const path = pathOf(error.request?.url ?? String(requestOptions.url ?? ""), target.apiUrl);
      // Octokit reports a request that got no answer (DNS, TLS, reset) as status 500; it is not
      // GitHub's 500, and a caller deciding whether to retry needs to know that.
      throw new GitHubError(
        method,
        redactToken(path, target.token),
        error.response ? error.status : 0,
        redactToken(describe(error), target.token),
      );
    }
    const path = redactToken(String(requestOptions.url ?? "?"), target.token);
    const message = error instanceof Error ? error.message : String(error);
    throw new GitHubError(method, path, 0, redactToken(message, target.token));
  });
  return octokit;
}

/** The client the other functions of reconciler/github take. */
export function connectGitHub(target: GitHubTarget, options: OctokitOptions = {}): GitHubRepo {
  return { octokit: createOctokit(target, options), owner: target.owner, repo: target.repo };
}
