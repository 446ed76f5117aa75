// A device's text in the plan a human reads: escapes arrive escaped, and every line of device
// output and of notices carries our prefix, so that a device cannot print "No changes." over our
// lines or add a line that reads like one of ours. Through the real read, planner and renderer.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readFleet } from "../../../reconciler/cli/read-fleet.ts";
import { debianDriver } from "../../../reconciler/drivers/debian/driver.ts";
import type { DesiredRepo } from "../../../reconciler/model/repo.ts";
import { plan } from "../../../reconciler/plan/planner.ts";
import { formatOutcome } from "../../../reconciler/report/apply-text.ts";
import { formatDiagnostic } from "../../../reconciler/report/diagnostics.ts";
import { formatPlan } from "../../../reconciler/report/plan-text.ts";
import type { Progress } from "../../../reconciler/report/progress.ts";
import type { Transport } from "../../../reconciler/transport/session.ts";
import { SshSession } from "../../../reconciler/transport/ssh-session.ts";
import { ROOT } from "../../helpers/example-repo.ts";
import { device, FakeLink, type Reply } from "../transport/fake-link.ts";

const RECORDED_NONCE = "0123456789abcdef0123";
const recorded = readFileSync(join(ROOT, "test", "fixtures", "debian", "host-read.out"), "utf8");
const ERASE = "\x1b[2K\rNo changes.";
const OSC = "\x1b]8;;https://203.0.113.9/\x07click\x1b]8;;\x07\x1b]0;pwned\x07";
/** A notice over several lines whose later lines imitate our own. */
const FAKE_NOTICE =
  "reverted at 03:00\nr-error (debian): no changes\nPlan from HEAD: 0 to change, 2 unchanged, 0 failed.";

/** Reads and plans devices answering as `replies` says, and renders the plan as text. */
async function planText(replies: Record<string, (nonce: string) => Reply>): Promise<string> {
  const links = Object.fromEntries(
    Object.entries(replies).map(([name, reply]) => [
      name,
      new FakeLink((_command, stdin) => reply(/N=([0-9a-f]+)/.exec(stdin ?? "")?.[1] ?? "")),
    ]),
  );
  const transport: Transport = {
    session: async (name) =>
      new SshSession(device({ name }), links[name] as FakeLink, { commandTimeoutMs: 5000, secrets: [] }),
    freshSession: () => Promise.reject(new Error("not used")),
    closeAll: async () => {},
  };
  const progress: Progress = { start() {}, done() {}, finish() {} };
  const repo = { expanded: {}, publicKeys: {} } as unknown as DesiredRepo;
  const devices = Object.keys(replies).map((name) => device({ name }));
  const inputs = await readFleet(repo, devices, transport, { debian: debianDriver }, progress);
  return formatPlan(plan(inputs, { origin: "HEAD", drivers: { debian: debianDriver } }));
}

const withNotice = (nonce: string, notice: string) =>
  recorded.replaceAll(RECORDED_NONCE, nonce) +
  `@@reconciler:${nonce}:begin notice:/var/lib/reconciler/notices/x@@\n${notice}\n@@reconciler:${nonce}:end notice:/var/lib/reconciler/notices/x rc=0@@\n`;

/** Lines of ours start with a device name we chose, "Plan from", or an indent. */
const ours = /^(r-error|r-notice) \(debian\): |^Plan from HEAD: |^ {2}|^$/;

describe("device text in the plan", () => {
  it("escapes ANSI and OSC sequences in a failed device's output, and prefixes each line", async () => {
    const text = await planText({
      "r-error": () => ({ code: 0, stdout: "garbage\n", stderr: `wg: odd\n${ERASE}\n${OSC}\n` }),
    });
    expect(text).not.toContain("\x1b");
    expect(text).not.toContain("\x07");
    expect(text).not.toMatch(/\r/);
    expect(text).toContain("    | \\x1b[2K\\x0dNo changes.");
    expect(text).toContain("\\x1b]0;pwned\\x07");
  });

  it("escapes a failed command's stderr in the error line and in the output block", async () => {
    const text = await planText({
      "r-error": () => ({ code: 1, stderr: `sh: oops\n${ERASE}\n` }),
    });
    expect(text).not.toContain("\x1b");
    for (const line of text.trimEnd().split("\n")) expect(line).toMatch(ours);
    expect(text).toContain("    | \\x1b[2K\\x0dNo changes.");
  });

  it("a multi-line notice cannot produce a line that starts like one of ours", async () => {
    const text = await planText({
      "r-error": () => ({ code: 1, stderr: "down" }),
      "r-notice": (nonce) => ({ code: 0, stdout: withNotice(nonce, `${FAKE_NOTICE}\n${ERASE}`) }),
    });
    const lines = text.trimEnd().split("\n");
    expect(lines).toContain("  ! r-error (debian): no changes");
    expect(lines).toContain("  ! \\x1b[2K\\x0dNo changes.");
    expect(lines.filter((l) => l.startsWith("r-error (debian): "))).toEqual([
      expect.stringMatching(/^r-error \(debian\): error: /),
    ]);
    expect(lines.filter((l) => l.startsWith("Plan from"))).toEqual([
      "Plan from HEAD: 0 to add, 0 to change, 0 to remove on 0 devices (1 unchanged, 1 failed).",
    ]);
    for (const line of lines) expect(line).toMatch(ours);
  });
});

describe("other human outputs", () => {
  it("an apply outcome escapes and prefixes the device's output and health values", () => {
    const text = formatOutcome({
      device: "r1",
      result: "rolled-back",
      failedStep: "stage",
      error: {
        kind: "CandidateRejectedError",
        message: `r1: stage failed: bird said\n${ERASE}`,
        output: ERASE,
      },
      health: { ok: false, checks: [{ name: "ospf", ok: false, expected: "Full", seen: `Full\r${OSC}` }] },
    } as unknown as Parameters<typeof formatOutcome>[0]);
    expect(text).not.toContain("\x1b");
    for (const line of text.split("\n")) expect(line).toMatch(/^r1: |^ {4}/);
    expect(text).toContain("    | \\x1b[2K\\x0dNo changes.");
    expect(text).toContain("saw Full\\x0d\\x1b]8");
  });

  it("a diagnostic quoting a file escapes it and indents its further lines", () => {
    const text = formatDiagnostic({
      file: "desired/r\u202e1.yaml",
      line: 3,
      column: 1,
      severity: "error",
      path: "devices.r\x1b[8m",
      message: `bad value "x${ERASE}"\ndesired/r1.yaml: valid`,
    });
    expect(text).toBe(
      'desired/r\\u202e1.yaml:3:1: error: devices.r\\x1b[8m: bad value "x\\x1b[2K\\x0dNo changes."\n    desired/r1.yaml: valid',
    );
  });
});
