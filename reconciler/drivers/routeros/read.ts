// readRouteros: one round trip (`/export terse show-sensitive` over the session's CLI line), then
// the pure parse and mapping. The private keys the export shows are used once, to derive each
// WireGuard interface's public key, and never kept: the artifact is the export re-rendered with
// every secret redacted and the volatile header (date, software id, serial) left out.
import { createHash } from "node:crypto";
import { CommandError, ParseError } from "../../model/errors.ts";
import type { LiveState } from "../../model/live.ts";
import type { ResolvedDevice } from "../../model/repo.ts";
import type { CliSession } from "../../transport/session.ts";
import { liveStateFromExport, type RouterosLive } from "./live-state.ts";
import { type ParsedExport, parseExport } from "./parse-export.ts";

export const READ_COMMAND = "/export terse show-sensitive";
/** The artifact the redacted, canonical export is kept under. */
export const EXPORT_ARTIFACT = "routeros:export";
/** The most output read: a device printing more fails the read (OutputTooLargeError). */
export const MAX_EXPORT_BYTES = 16 * 1024 * 1024;

// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC is what this matches.
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** What the RouterOS CLI prints instead of running a command. */
const CLI_ERROR =
  /^\s*(bad command name|syntax error|expected |failure:|input does not match|no such item|invalid value)/im;

/**
 * What the planner needs of the device beside the model (its items and their selectors), kept
 * beside the LiveState object rather than in it: a LiveState stays plain data that serializes;
 * a copy of it loses this and is parsed again from its (redacted) artifact.
 */
const details = new WeakMap<LiveState, RouterosLive>();

export function routerosDetails(live: LiveState): RouterosLive | undefined {
  return details.get(live);
}

export function fingerprintOf(canonical: string): string {
  return createHash("sha256").update(canonical).digest("hex");
}

/** Pure: the live state of one export (throws ParseError when it is not one). */
export function liveStateFromOutput(device: string, output: string): LiveState {
  const parseError = (why: string) => new ParseError(`read: ${why}`, { device, command: READ_COMMAND });
  if (CLI_ERROR.test(output.split(/\r?\n/, 8).join("\n"))) {
    const first = output.split(/\r?\n/).find((l) => CLI_ERROR.test(l)) ?? "";
    throw parseError(`the device refused the export: ${first.slice(0, 120)}`);
  }
  // A terminal that colours its output anyway: the escape sequences are no part of the export.
  const parsed: ParsedExport = parseExport(output.replace(ANSI, ""));
  const errors = parsed.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0)
    throw parseError(
      `the export could not be read: ${errors
        .slice(0, 3)
        .map((d) => `line ${d.line}: ${d.message}`)
        .join("; ")}${errors.length > 3 ? ` (and ${errors.length - 3} more)` : ""}`,
    );
  const major = Number(parsed.header.version?.split(".")[0]);
  if (Number.isFinite(major) && major < 7)
    throw parseError(
      `RouterOS ${parsed.header.version}: this driver reads RouterOS v7 (v6 routing is another menu tree)`,
    );
  if (parsed.items.length === 0 && output.trim() !== "" && !parsed.header.version)
    throw parseError("the output is not an export (no item, no header)");
  const routeros = liveStateFromExport(parsed);
  const artifacts = { [EXPORT_ARTIFACT]: routeros.canonical };
  const live: LiveState = {
    device,
    platform: "routeros",
    state: routeros.state,
    artifacts,
    publicKeys: { ...routeros.publicKeys },
    fingerprint: fingerprintOf(routeros.canonical),
  };
  details.set(live, routeros);
  return live;
}

export async function readRouteros(session: CliSession, device: ResolvedDevice): Promise<LiveState> {
  const result = await session.line(READ_COMMAND, {
    maxOutputBytes: MAX_EXPORT_BYTES,
    name: "read",
    allowFailure: true,
  });
  if (result.exitCode !== 0)
    throw new CommandError(
      `read: ${READ_COMMAND} exited with status ${result.exitCode}`,
      { device: device.name, command: READ_COMMAND, output: result.stderr.slice(0, 2000) },
      result.exitCode,
    );
  return liveStateFromOutput(device.name, result.stdout);
}
