// Drift turned into pull requests: one branch and one open pull request per drift scope (a
// device), whose commit adopts what the device runs into desired/ (adopt/drift.ts), so that
// merging accepts the drift and closing it (then applying) reverts the device. The same drift the
// next night updates the same pull request (the branch is pushed again only when its files
// differ); a device back in sync gets its pull request closed with a comment. Devices that could
// not be read become one issue, closed when every device reads again. A drift that cannot be
// adopted (running state, a value git cannot hold) is said in the pull request, or, when nothing
// of it can be adopted, in the issue: a drift run never ends silent.
import { adoptDrift } from "../adopt/drift.ts";
import { fenced, mdText } from "../drift/markdown.ts";
import { maskVolatile } from "../drift/mask.ts";
import type { DriftReport } from "../drift/report.ts";
import { commitOnto, fetchRemoteBranch, pushBranch, treeOf } from "../git/branch.ts";
import type { GitHubRepo } from "../github/client.ts";
import { closeDriftIssue, upsertDriftIssue } from "../github/drift-issue.ts";
import { closeDriftPullRequest, upsertDriftPullRequest } from "../github/drift-pr.ts";
import type { LiveState } from "../model/live.ts";
import type { DevicePlan, Plan } from "../model/plan.ts";
import type { DesiredRepo } from "../model/repo.ts";
import { formatDevicePlan } from "../report/plan-text.ts";

export const driftBranch = (device: string) => `reconciler/drift/${device}`;
const UNREADABLE_MARKER = "reconciler-drift-unreadable";

export interface DriftPrInput {
  root: string;
  remote: string;
  /** The branch pull requests go into, and the commit the adopting commits are made on. */
  base: { branch: string; commit: string };
  repo: DesiredRepo;
  /** desired/ and inventory/ files at the base commit. */
  files: ReadonlyMap<string, string>;
  plan: Plan;
  live: ReadonlyMap<string, LiveState>;
  report: DriftReport;
  /** Devices whose drift is to be reverted rather than proposed (they get no pull request). */
  reverting?: ReadonlySet<string>;
}

export interface DriftPrOutcome {
  opened: { device: string; number: number; action: "created" | "updated"; pushed: boolean }[];
  closed: { device: string; number: number }[];
  notAdoptable: { device: string; paths: string[] }[];
  issue?: { number: number; action: "opened-or-updated" | "closed" };
}

function prBody(d: DevicePlan, notAdopted: { path: string; why: string }[], variables: string[]): string {
  const lines = [
    `The nightly drift run found that **${mdText(d.device)}** no longer runs what git says. This pull request adopts what it runs into \`desired/\`:`,
    "",
    "- **merge** it to accept the drift (the next rollout then finds nothing to do);",
    "- **close** it and run `reconciler apply` (or let the rollout run) to put the device back as git has it.",
    "",
    "It is updated night after night while the drift lasts, and closed by itself when the drift is gone.",
    "",
    fenced(maskVolatile(formatDevicePlan(d, { color: false })), "diff"),
  ];
  if (notAdopted.length > 0)
    lines.push(
      "",
      "Not adopted (apply reverts these):",
      "",
      ...notAdopted.map((n) => `- \`${mdText(n.path)}\`: ${mdText(n.why)}`),
    );
  if (variables.length > 0)
    lines.push(
      "",
      "Secrets the adopted values name (set them before the next apply):",
      "",
      ...variables.map((v) => `- \`${mdText(v)}\``),
    );
  return lines.join("\n");
}

export async function syncDriftPullRequests(gh: GitHubRepo, input: DriftPrInput): Promise<DriftPrOutcome> {
  const out: DriftPrOutcome = { opened: [], closed: [], notAdoptable: [] };
  for (const d of input.plan.devices) {
    const branch = driftBranch(d.device);
    if (d.status === "unchanged") {
      const closed = await closeDriftPullRequest(gh, {
        branch,
        comment: `The drift on ${d.device} is gone (the drift run of ${input.report.ranAt} found it as git has it): closing.`,
      });
      if (closed) out.closed.push({ device: d.device, number: closed.number });
      continue;
    }
    if (d.status !== "changes" || input.reverting?.has(d.device)) continue;
    const live = input.live.get(d.device);
    if (!live) continue;
    const adopted = adoptDrift(input.files, d, live, input.repo);
    if (adopted.files.size === 0) {
      out.notAdoptable.push({ device: d.device, paths: adopted.notAdopted.map((n) => n.path) });
      continue;
    }
    const commit = await commitOnto(input.root, {
      base: input.base.commit,
      files: adopted.files,
      message: `Adopt the drift observed on ${d.device}\n\n${adopted.adopted.map((p) => `- ${p}`).join("\n")}\n`,
    });
    // The same files as the branch already has: no push (the pull request's history stays).
    const existing = await fetchRemoteBranch(input.root, input.remote, branch);
    const same =
      existing !== undefined && (await treeOf(input.root, existing)) === (await treeOf(input.root, commit));
    if (!same) await pushBranch(input.root, input.remote, commit, branch);
    const pr = await upsertDriftPullRequest(gh, {
      scope: d.device,
      branch,
      base: input.base.branch,
      title: `Drift on ${d.device}: adopt what it runs`,
      body: prBody(
        d,
        adopted.notAdopted,
        adopted.variables.map((v) => v.name),
      ),
    });
    out.opened.push({ device: d.device, number: pr.number, action: pr.action, pushed: !same });
  }
  const unreadable = input.report.devices.filter((d) => d.state === "unreachable");
  if (unreadable.length > 0 || out.notAdoptable.length > 0) {
    const body = [
      `The drift run of ${input.report.ranAt} could not settle everything:`,
      "",
      ...unreadable.map(
        (d) => `- **${mdText(d.device)}** could not be read: ${mdText(d.error ?? "unknown error")}`,
      ),
      ...out.notAdoptable.map(
        (n) =>
          `- **${mdText(n.device)}** drifted in what git cannot hold (${n.paths.map(mdText).join(", ")}): run \`reconciler apply\` to revert it`,
      ),
    ].join("\n");
    const issue = await upsertDriftIssue(gh, {
      marker: UNREADABLE_MARKER,
      title: `Drift run: ${unreadable.length} device(s) unreadable, ${out.notAdoptable.length} not adoptable`,
      body,
    });
    out.issue = { number: issue.number, action: "opened-or-updated" };
  } else {
    const closed = await closeDriftIssue(gh, {
      marker: UNREADABLE_MARKER,
      comment: `The drift run of ${input.report.ranAt} read every device and found nothing it could not adopt: closing.`,
    });
    if (closed) out.issue = { number: closed.number, action: "closed" };
  }
  return out;
}
