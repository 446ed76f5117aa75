// What the CLI needs from a GitHub Actions run: the repository client (githubFromEnv), and for a
// pull request the number and head commit from the event payload ($GITHUB_EVENT_PATH, a file
// the runner writes: read bounded, each value checked), and the link to the run's log.
import { readFile } from "node:fs/promises";
import { connectGitHub, type GitHubRepo, githubFromEnv } from "../github/client.ts";
import { CliError, EXIT } from "./exit-codes.ts";

type Env = Readonly<Record<string, string | undefined>>;

export function githubOrExplain(env: Env, flag: string): GitHubRepo {
  const found = githubFromEnv({ ...env });
  if ("missing" in found) throw new CliError(`${flag}: ${found.missing}`, EXIT.usage);
  return connectGitHub(found.target);
}

export async function pullRequestOf(env: Env): Promise<{ number: number; headSha: string }> {
  const path = env.GITHUB_EVENT_PATH;
  if (!path)
    throw new CliError("--github: GITHUB_EVENT_PATH is not set (not a GitHub Actions run?)", EXIT.usage);
  const text = await readFile(path, "utf8");
  if (text.length > 25 * 1024 * 1024)
    throw new CliError("--github: the event payload is too large", EXIT.usage);
  const pr = (JSON.parse(text) as { pull_request?: { number?: unknown; head?: { sha?: unknown } } })
    .pull_request;
  const number = pr?.number;
  const headSha = pr?.head?.sha;
  if (
    typeof number !== "number" ||
    !Number.isInteger(number) ||
    number < 1 ||
    typeof headSha !== "string" ||
    !/^[0-9a-f]{40,64}$/.test(headSha)
  )
    throw new CliError(
      "--github: the event is not a pull request (no pull_request.number and head.sha)",
      EXIT.usage,
    );
  return { number, headSha };
}

/** The workflow run's page, where the whole plan is printed. */
export function runLogUrl(env: Env): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: run } = env;
  if (!server || !repo || !run || !/^\d+$/.test(run) || !/^https?:\/\/[^\s]+$/.test(server)) return undefined;
  return `${server}/${repo}/actions/runs/${run}`;
}
