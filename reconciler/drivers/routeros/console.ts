// Talking to the RouterOS console: one command line at a time, failure read from what the device
// prints (RouterOS documents no exec status), and the few reads every apply step needs.
import { CommandError } from "../../model/errors.ts";
import type { CliSession } from "../../transport/session.ts";
import type { ApplyContext } from "../apply-contract.ts";
import { findWhere, quoteValue } from "./quote.ts";

/** What the RouterOS CLI prints instead of running a command (its exec status is not reliable). */
export const CLI_ERROR =
  /^\s*(bad command name|syntax error|expected |failure:|input does not match|no such item|invalid value|missing value|value of .* out of range|ambiguous value|not enough permissions|couldn't |action timed out)/im;

export interface Sent {
  ok: boolean;
  out: string;
  /** The device's complaint, one line. */
  error: string;
}

export async function send(session: CliSession, line: string, step: string): Promise<Sent> {
  const r = await session.line(line, { allowFailure: true, name: step, timeoutMs: 120_000 });
  const out = r.stdout.replace(/\r\n/g, "\n");
  const bad = out.split("\n").find((l) => CLI_ERROR.test(l));
  const ok = r.exitCode === 0 && bad === undefined;
  const error = ok ? "" : (bad ?? (r.stderr.trim() || `exit status ${r.exitCode}`)).trim();
  return { ok, out, error };
}

export const redact = (text: string, secrets: readonly string[]) =>
  secrets.reduce((t, s) => (s ? t.split(s).join("<redacted>") : t), text);

export function details(ctx: ApplyContext, step: string, output?: string) {
  return { device: ctx.device.name, command: step, ...(output !== undefined ? { output } : {}) };
}

export async function must(
  session: CliSession,
  ctx: ApplyContext,
  line: string,
  step: string,
): Promise<Sent> {
  const r = await send(session, line, step);
  if (!r.ok) throw new CommandError(`${step} failed: ${r.error}`, details(ctx, step, r.out), 1);
  return r;
}

export function checkRunId(runId: string): string {
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(runId)) throw new Error(`not a run id: ${JSON.stringify(runId)}`);
  return runId;
}

export const fileFind = (name: string) => findWhere([["name", name]]);

/** A file's contents, or undefined when there is none. */
export async function readFile(session: CliSession, name: string, step: string): Promise<string | undefined> {
  const r = await send(
    session,
    `:if ([:len [/file find where name=${quoteValue(name)}]] > 0) do={ :put ("@@file " . [/file get ${fileFind(name)} contents]) } else={ :put "@@nofile" }`,
    step,
  );
  if (!r.ok)
    throw new CommandError(
      `${step}: reading ${name} failed: ${r.error}`,
      { device: session.device, command: step },
      1,
    );
  const at = r.out.indexOf("@@file ");
  if (at < 0) return undefined;
  return r.out.slice(at + 7).replace(/\n$/, "");
}

export async function exists(
  session: CliSession,
  path: string,
  name: string,
  step: string,
): Promise<boolean> {
  const r = await send(session, `:put [:len [${path} find where name=${quoteValue(name)}]]`, step);
  return r.ok && r.out.trim() !== "0";
}
