// A GitHub for the tests, in process (msw intercepts fetch): every request is matched to an
// operation of GitHub's OpenAPI description and checked against it (query parameters, request
// body), answered with the operation's example response where the fields that matter (ids,
// numbers, bodies, states) come from a small state of comments, pull requests, issues, labels,
// check runs and statuses, and the answer is checked against the response schema. Requests to
// an operation the fake does not implement, and every problem found, fail the test.
import { HttpResponse, http } from "msw";
import { type SetupServer, setupServer } from "msw/node";
import { connectGitHub, type GitHubRepo, type GitHubTarget } from "../../../reconciler/github/client.ts";
import { loadOpenApi, type OpenApi } from "./openapi.ts";

export const API = "https://api.github.test";
export const TOKEN = "ghs_s3cr3tT0kenValue0123456789abcdefXYZ";
export const OWNER = "netops";
export const REPO = "network";

export const TARGET: GitHubTarget = { owner: OWNER, repo: REPO, token: TOKEN, apiUrl: API };

// biome-ignore lint/suspicious/noExplicitAny: the state holds GitHub's JSON, whatever its shape
type Any = any;

export interface Call {
  method: string;
  /** The path below the API root, without the query. */
  path: string;
  operationId: string;
  query: Record<string, string>;
  body: Any;
  status: number;
}

export interface Comment {
  id: number;
  issue_number: number;
  body: string;
  login: string;
}
export interface Pull {
  number: number;
  head: string;
  headRepo: string;
  base: string;
  title: string;
  body: string;
  state: "open" | "closed";
}
export interface Issue {
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  state_reason?: string | null;
  labels: string[];
}
export interface CheckRun {
  id: number;
  create: Any;
  updates: Any[];
  annotations: Any[];
}

interface Failure {
  operationId: string;
  status: number;
  message: string;
  errors?: unknown[];
}

export class FakeGitHub {
  readonly calls: Call[] = [];
  /** Every way a request or an answer departed from GitHub's OpenAPI description. */
  readonly problems: string[] = [];
  comments: Comment[] = [];
  pulls: Pull[] = [];
  issues: Issue[] = [];
  labels = new Set<string>();
  checkRuns: CheckRun[] = [];
  statuses: Any[] = [];
  /** Page size the fake uses when a request asks for more (to exercise pagination). */
  maxPage = 100;
  private nextId = 1000;
  private nextNumber = 1;
  private failures: Failure[] = [];
  private server: SetupServer;

  private constructor(private api: OpenApi) {
    this.server = setupServer(http.all(`${API}/*`, ({ request }) => this.handle(request)));
  }

  static async start(): Promise<FakeGitHub> {
    const fake = new FakeGitHub(await loadOpenApi());
    fake.server.listen({ onUnhandledRequest: "error" });
    return fake;
  }

  stop(): void {
    this.server.close();
  }

  /** The client under test, retries and throttling off (a failure must fail at once). */
  client(): GitHubRepo {
    return connectGitHub(TARGET, { retry: false, throttle: false });
  }

  /** The next request to `operationId` is answered with `status` and `message`. */
  failNext(operationId: string, status: number, message: string, errors?: unknown[]): void {
    this.failures.push({ operationId, status, message, ...(errors ? { errors } : {}) });
  }

  /** "METHOD /path" of each call, in order. */
  log(): string[] {
    return this.calls.map((c) => `${c.method} ${c.path}`);
  }

  newNumber(): number {
    return this.nextNumber++;
  }

  private id(): number {
    return this.nextId++;
  }

  private async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname;
    const method = request.method.toUpperCase();
    const matched = this.api.match(method, path);
    if (!matched) {
      this.problems.push(`${method} ${path} is no operation of GitHub's API`);
      return HttpResponse.json({ message: "Not Found" }, { status: 404 });
    }
    const { operation, pathParams } = matched;
    const text = await request.text();
    let body: Any;
    if (text.length > 0) {
      try {
        body = JSON.parse(text);
      } catch {
        this.problems.push(`${operation.operationId}: the body is not JSON`);
      }
    }
    const auth = request.headers.get("authorization");
    const call: Call = {
      method,
      path,
      operationId: operation.operationId,
      query: Object.fromEntries(url.searchParams),
      body,
      status: 0,
    };
    this.calls.push(call);
    for (const p of this.api.checkRequest(operation, url.searchParams, body))
      this.problems.push(`${method} ${path}: ${p}`);
    if (pathParams.owner !== OWNER || pathParams.repo !== REPO)
      this.problems.push(`${method} ${path}: not the target repository`);
    const respond = (status: number, data?: unknown, headers?: Record<string, string>) => {
      call.status = status;
      if (data === undefined) return new HttpResponse(null, { status, headers });
      for (const p of this.api.checkResponse(operation, status, data)) this.problems.push(`answer: ${p}`);
      return HttpResponse.json(data as Any, { status, headers });
    };
    const error = (status: number, message: string, errors?: unknown[]) => {
      call.status = status;
      return HttpResponse.json(
        { message, documentation_url: "https://docs.github.com/rest", ...(errors ? { errors } : {}) },
        { status, headers: { "x-github-request-id": "0000:1111" } },
      );
    };
    if (auth !== `token ${TOKEN}` && auth !== `bearer ${TOKEN}`) return error(401, "Bad credentials");
    const failure = this.failures.findIndex((f) => f.operationId === operation.operationId);
    if (failure >= 0) {
      const [f] = this.failures.splice(failure, 1) as [Failure];
      return error(f.status, f.message, f.errors);
    }
    const ex = (status: number): Any => {
      const e = this.api.example(operation, status);
      if (e === undefined) throw new Error(`no example response for ${operation.operationId} ${status}`);
      return e;
    };
    const page = <T>(items: T[], toJson: (t: T) => Any) => {
      const perPage = Math.min(Number(url.searchParams.get("per_page") ?? 30), this.maxPage);
      const n = Number(url.searchParams.get("page") ?? 1);
      const slice = items.slice((n - 1) * perPage, n * perPage);
      const headers: Record<string, string> = {};
      if (n * perPage < items.length) {
        const next = new URL(url);
        next.searchParams.set("page", String(n + 1));
        headers.link = `<${next.toString()}>; rel="next"`;
      }
      return respond(200, slice.map(toJson), headers);
    };
    const issueNumber = Number(pathParams.issue_number ?? pathParams.pull_number);

    switch (operation.operationId) {
      case "checks/create": {
        const run: CheckRun = { id: this.id(), create: body, updates: [], annotations: [] };
        run.annotations.push(...(body.output?.annotations ?? []));
        this.checkRuns.push(run);
        return respond(201, this.checkRunJson(ex(201), run));
      }
      case "checks/update": {
        const run = this.checkRuns.find((r) => r.id === Number(pathParams.check_run_id));
        if (!run) return error(404, "Not Found");
        run.updates.push(body);
        run.annotations.push(...(body.output?.annotations ?? []));
        return respond(200, this.checkRunJson(ex(200), run));
      }
      case "issues/list-comments": {
        const e = ex(200)[0];
        return page(
          this.comments.filter((c) => c.issue_number === issueNumber),
          (c) => this.commentJson(e, c),
        );
      }
      case "issues/create-comment": {
        const c: Comment = {
          id: this.id(),
          issue_number: issueNumber,
          body: body.body,
          login: "github-actions[bot]",
        };
        this.comments.push(c);
        return respond(201, this.commentJson(ex(201), c));
      }
      case "issues/update-comment": {
        const c = this.comments.find((x) => x.id === Number(pathParams.comment_id));
        if (!c) return error(404, "Not Found");
        c.body = body.body;
        return respond(200, this.commentJson(ex(200), c));
      }
      case "repos/create-commit-status": {
        const s = { ...body, sha: pathParams.sha, id: this.id() };
        this.statuses.push(s);
        return respond(201, {
          ...ex(201),
          id: s.id,
          state: s.state,
          description: s.description ?? null,
          context: s.context,
        });
      }
      case "pulls/list": {
        const state = url.searchParams.get("state") ?? "open";
        const head = url.searchParams.get("head");
        const e = ex(200)[0];
        const items = this.pulls.filter(
          (p) =>
            (state === "all" || p.state === state) &&
            (!head || `${p.headRepo.split("/")[0]}:${p.head}` === head),
        );
        return page(items, (p) => this.pullJson(e, p));
      }
      case "pulls/create": {
        if (this.pulls.some((p) => p.state === "open" && p.head === body.head && p.base === body.base))
          return error(422, `Validation Failed: A pull request already exists for ${OWNER}:${body.head}.`);
        const p: Pull = {
          number: this.newNumber(),
          head: body.head,
          headRepo: `${OWNER}/${REPO}`,
          base: body.base,
          title: body.title,
          body: body.body ?? "",
          state: "open",
        };
        this.pulls.push(p);
        return respond(201, this.pullJson(ex(201), p));
      }
      case "pulls/update": {
        const p = this.pulls.find((x) => x.number === issueNumber);
        if (!p) return error(404, "Not Found");
        if (body.title !== undefined) p.title = body.title;
        if (body.body !== undefined) p.body = body.body;
        if (body.base !== undefined) p.base = body.base;
        if (body.state !== undefined) p.state = body.state;
        return respond(200, this.pullJson(ex(200), p));
      }
      case "issues/list-for-repo": {
        const state = url.searchParams.get("state") ?? "open";
        const labels = (url.searchParams.get("labels") ?? "").split(",").filter(Boolean);
        const e = ex(200)[0];
        // The issues API lists pull requests as issues too.
        const all: Array<Issue & { isPull?: boolean }> = [
          ...this.issues,
          ...this.pulls.map((p) => ({ ...p, labels: [DRIFT_LABEL_OF_PULLS], isPull: true })),
        ].sort((a, b) => a.number - b.number);
        const items = all.filter(
          (i) => (state === "all" || i.state === state) && labels.every((l) => i.labels.includes(l)),
        );
        return page(items, (i) => this.issueJson(e, i, i.isPull === true));
      }
      case "issues/create": {
        const i: Issue = {
          number: this.newNumber(),
          title: String(body.title),
          body: body.body ?? "",
          state: "open",
          labels: (body.labels ?? []).map((l: Any) => (typeof l === "string" ? l : l.name)),
        };
        this.issues.push(i);
        return respond(201, this.issueJson(ex(201), i, false));
      }
      case "issues/update": {
        const i = this.issues.find((x) => x.number === issueNumber);
        if (!i) return error(404, "Not Found");
        if (body.title !== undefined) i.title = String(body.title);
        if (body.body !== undefined) i.body = body.body;
        if (body.state !== undefined) {
          i.state = body.state;
          i.state_reason = body.state_reason ?? null;
        }
        return respond(200, this.issueJson(ex(200), i, false));
      }
      case "issues/get-label": {
        if (!this.labels.has(pathParams.name as string)) return error(404, "Not Found");
        return respond(200, { ...ex(200), name: pathParams.name });
      }
      case "issues/create-label": {
        if (this.labels.has(body.name)) return error(422, "Validation Failed");
        this.labels.add(body.name);
        return respond(201, {
          ...ex(201),
          name: body.name,
          color: body.color,
          description: body.description,
        });
      }
      default:
        this.problems.push(`the fake does not implement ${operation.operationId}`);
        return error(501, "not implemented by the fake");
    }
  }

  private checkRunJson(e: Any, run: CheckRun): Any {
    const c = run.create;
    return {
      ...e,
      id: run.id,
      name: c.name,
      head_sha: c.head_sha,
      external_id: c.external_id ?? null,
      status: c.status ?? "queued",
      conclusion: c.conclusion ?? null,
      output: { ...e.output, annotations_count: run.annotations.length },
    };
  }

  private commentJson(e: Any, c: Comment): Any {
    return { ...e, id: c.id, body: c.body, user: { ...e.user, login: c.login } };
  }

  private pullJson(e: Any, p: Pull): Any {
    return {
      ...e,
      number: p.number,
      title: p.title,
      body: p.body,
      state: p.state,
      // The examples list teams without the `type` their schema requires.
      requested_teams: [],
      head: {
        ...e.head,
        ref: p.head,
        label: `${OWNER}:${p.head}`,
        repo: { ...e.head.repo, full_name: p.headRepo },
      },
      base: { ...e.base, ref: p.base },
    };
  }

  private issueJson(e: Any, i: Issue, isPull: boolean): Any {
    const { pull_request: _pr, ...rest } = e;
    return {
      ...rest,
      number: i.number,
      title: i.title,
      body: i.body,
      state: i.state,
      state_reason: i.state_reason ?? null,
      labels: i.labels.map((name) => ({ ...e.labels[0], name })),
      ...(isPull
        ? { pull_request: e.pull_request ?? { url: "", html_url: "", diff_url: "", patch_url: "" } }
        : {}),
    };
  }
}

/** The label the fake gives pull requests when the issues API lists them (to test that they are skipped). */
export const DRIFT_LABEL_OF_PULLS = "reconciler-drift";
