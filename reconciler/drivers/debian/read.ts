// readDebian: everything in one round trip (one sh script over the device's session), then the
// pure liveStateFrom(). A command that must work and did not (wg, ip, sysctl; vtysh when FRR runs)
// fails the read with a CommandError rather than reporting an empty state the planner would then
// try to "create".
import { CommandError, ParseError } from "../../model/errors.ts";
import type { ResolvedDevice } from "../../model/repo.ts";
import type { PosixSession } from "../../transport/session.ts";
import { newNonce, splitSections } from "../kit/sections.ts";
import { type DebianLiveState, liveStateFrom } from "./live-state.ts";
import { CMD_BIRD_PROTOCOLS, CMD_FRR_RUNNING, CMD_IP_ADDR, CMD_SYSCTL, CMD_WG_DUMP } from "./paths.ts";
import { buildReadScript } from "./read-script.ts";
import { redactArtifact } from "./redact.ts";

const REQUIRED = [CMD_WG_DUMP, CMD_IP_ADDR, CMD_SYSCTL] as const;

export async function readDebian(session: PosixSession, device: ResolvedDevice): Promise<DebianLiveState> {
  const nonce = newNonce();
  const script = buildReadScript(nonce);
  const result = await session.sh(script, { allowFailure: true });
  const sections = splitSections(result.stdout, nonce);
  const fail = (name: string, why: string) =>
    new CommandError(
      `read: ${name.replace(/^cmd:/, "")} ${why}`,
      {
        device: device.name,
        command: name.replace(/^cmd:/, ""),
        output: result.stderr,
      },
      result.exitCode,
    );
  for (const name of REQUIRED) {
    const s = sections.get(name);
    if (!s) throw fail(name, "printed nothing: the read script did not run to its end");
    if (s.rc !== "0") throw fail(name, `exited with status ${s.rc}`);
  }
  const frr = sections.get(CMD_FRR_RUNNING);
  if (frr && frr.rc !== "0" && frr.rc !== "not-running")
    throw fail(CMD_FRR_RUNNING, `exited with status ${frr.rc}`);
  const artifacts: Record<string, string | null> = {};
  const notices: string[] = [];
  const pending: { run: string; deadline: number }[] = [];
  for (const [name, s] of sections) {
    if (name.startsWith("armed:")) {
      const run = name.slice("armed:".length);
      const deadline = Number(s.text.trim());
      if (/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(run)) pending.push({ run, deadline });
    } else if (name.startsWith("notice:")) {
      if (s.rc === "0" && s.text.trim()) notices.push(s.text.trim());
    } else if (name.startsWith("file:")) {
      const path = name.slice("file:".length);
      if (s.rc !== "0" && s.rc !== "absent") throw fail(name, `could not be read (status ${s.rc})`);
      artifacts[path] = s.rc === "absent" ? null : redactArtifact(path, s.text);
    } else if (name === CMD_BIRD_PROTOCOLS) {
      // Its status matters (bird not running); kept beside the text for liveStateFrom.
      artifacts[name] = `${s.rc}\n${s.text}`;
    } else if (name === CMD_FRR_RUNNING) {
      artifacts[name] = s.rc === "not-running" ? null : redactArtifact(name, s.text);
    } else {
      // Redacted on the device already; again here in case the device's awk or sed did not.
      artifacts[name] = redactArtifact(name, s.text);
    }
  }
  try {
    const live = liveStateFrom(device, artifacts);
    // A run committed and never confirmed (its reconciler died): what runs now is about to be
    // reverted by the device itself. Drift, so that plan never calls the device converged and
    // apply takes the device over (see the lock step).
    const runtime = [
      ...(live.runtime ?? []),
      ...pending.map((p) => ({
        path: `runtime.unconfirmed-run[${p.run}]`,
        seen: `committed and never confirmed: the device reverts it by itself${Number.isFinite(p.deadline) && p.deadline > 0 ? ` at ${new Date(p.deadline * 1000).toISOString()}` : ""}`,
        expected: "confirmed, or reverted",
      })),
    ];
    return {
      ...live,
      ...(notices.length > 0 ? { notices } : {}),
      ...(runtime.length > 0 ? { runtime } : {}),
    };
  } catch (err) {
    throw new ParseError(`read: the device's output could not be understood: ${(err as Error).message}`, {
      device: device.name,
      command: "read script",
      cause: err,
    });
  }
}
