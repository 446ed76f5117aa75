// readOpnsense: one round trip (one sh script on stdin), then the pure liveStateFromArtifacts().
// config.xml must be there; the running state (wg, vtysh) is kept when the box has the tools.
import { CommandError, ParseError } from "../../model/errors.ts";
import type { ResolvedDevice } from "../../model/repo.ts";
import type { PosixSession } from "../../transport/session.ts";
import { newNonce, splitSections } from "../kit/sections.ts";
import { liveStateFromArtifacts, type OpnsenseLiveState } from "./live-state.ts";
import { CMD_FRR_RUNNING, CMD_WG_DUMP, CONFIG_XML } from "./paths.ts";
import { buildReadScript } from "./read-script.ts";
import { redactArtifact } from "./redact.ts";

export async function readOpnsense(
  session: PosixSession,
  device: ResolvedDevice,
): Promise<OpnsenseLiveState> {
  const nonce = newNonce();
  const result = await session.sh(buildReadScript(nonce), { allowFailure: true });
  const sections = splitSections(result.stdout, nonce);
  const fail = (what: string, why: string) =>
    new CommandError(
      `read: ${what} ${why}`,
      { device: device.name, command: what, output: result.stderr },
      result.exitCode,
    );
  const config = sections.get(`file:${CONFIG_XML}`);
  if (!config) throw fail(CONFIG_XML, "was not printed: the read script did not run to its end");
  if (config.rc !== "0") throw fail(CONFIG_XML, `could not be read (${config.rc})`);
  const artifacts: Record<string, string | null> = { [CONFIG_XML]: redactArtifact(CONFIG_XML, config.text) };
  for (const name of [CMD_WG_DUMP, CMD_FRR_RUNNING]) {
    const s = sections.get(name);
    // Tolerated: a box without the plugin, or a daemon that is not running, has no such state.
    artifacts[name] = s && s.rc === "0" ? redactArtifact(name, s.text) : null;
  }
  try {
    return liveStateFromArtifacts(device.name, artifacts);
  } catch (err) {
    throw new ParseError(`read: ${CONFIG_XML} could not be understood: ${(err as Error).message}`, {
      device: device.name,
      command: "read script",
      cause: err,
    });
  }
}
