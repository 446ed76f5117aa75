// readOpengear: one round trip (read-script.ts), then the pure liveStateFromArtifacts(): the
// export parsed into entities, mapped to the model; the fingerprint over the store's export only
// (Tailscale's state and the keys change by themselves, the store does not).
import { createHash } from "node:crypto";
import { CommandError, ParseError } from "../../model/errors.ts";
import type { LiveState } from "../../model/live.ts";
import type { ResolvedDevice } from "../../model/repo.ts";
import type { PosixSession } from "../../transport/session.ts";
import { newNonce, splitSections } from "../kit/sections.ts";
import { entitiesOf, liveFromEntities, type OpengearLive } from "./live-state.ts";
import { parseExport } from "./ogcli-format.ts";
import { buildReadScript, EXPORT_ARTIFACT, TAILSCALE_ARTIFACT, WG_KEYS_ARTIFACT } from "./read-script.ts";
import { redactExport } from "./redact.ts";

export interface OpengearLiveState extends LiveState {
  /** Carried beside the state (not part of the LiveState contract): the parsed entities. */
  opengear?: OpengearLive;
}

const PUBLIC_KEY = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw480]=$/;

/** `wg show all public-key`: "<interface>\t<key>" per line. */
export function parseWgPublicKeys(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const [name, key] = line.trim().split(/\s+/);
    if (name && key && PUBLIC_KEY.test(key)) out[name] = key;
  }
  return out;
}

export function tailscaleRunning(text: string | null | undefined): boolean {
  return /"BackendState"\s*:\s*"Running"/.test(text ?? "");
}

/** Pure: the live state from the (redacted) artifacts. */
export function liveStateFromArtifacts(
  device: string,
  artifacts: Record<string, string | null>,
  notices: string[] = [],
): OpengearLiveState {
  const exportText = artifacts[EXPORT_ARTIFACT] ?? "";
  const live = liveFromEntities(entitiesOf(parseExport(exportText)));
  if (tailscaleRunning(artifacts[TAILSCALE_ARTIFACT])) live.state.management_vpn = { type: "tailscale" };
  const publicKeys = { ...live.publicKeys, ...parseWgPublicKeys(artifacts[WG_KEYS_ARTIFACT] ?? "") };
  return {
    device,
    platform: "opengear",
    state: live.state,
    artifacts,
    publicKeys,
    fingerprint: createHash("sha256").update(exportText).digest("hex"),
    ...(notices.length > 0 ? { notices } : {}),
    opengear: live,
  };
}

export async function readOpengear(
  session: PosixSession,
  device: ResolvedDevice,
): Promise<OpengearLiveState> {
  const nonce = newNonce();
  const result = await session.sh(buildReadScript(nonce), { allowFailure: true, name: "read" });
  const sections = splitSections(result.stdout, nonce);
  const exp = sections.get(EXPORT_ARTIFACT);
  const fail = (why: string) =>
    new CommandError(
      `read: ogcli export ${why}`,
      {
        device: device.name,
        command: "ogcli export",
        output: redactExport(`${exp?.text ?? ""}\n${result.stderr}`),
      },
      result.exitCode,
    );
  if (!exp) throw fail("was not printed: the read script did not run to its end");
  if (exp.rc === "absent")
    throw fail("cannot run: no ogcli on this box (is it an Operations Manager / CM8100?)");
  if (exp.rc !== "0") throw fail(`failed (status ${exp.rc})`);
  const artifacts: Record<string, string | null> = { [EXPORT_ARTIFACT]: redactExport(exp.text) };
  for (const name of [WG_KEYS_ARTIFACT, TAILSCALE_ARTIFACT]) {
    const s = sections.get(name);
    artifacts[name] = s && s.rc === "0" ? s.text : null;
  }
  const notices: string[] = [];
  for (const [name, s] of sections)
    if (name.startsWith("notice:") && s.rc === "0" && s.text.trim()) notices.push(s.text.trim());
  try {
    return liveStateFromArtifacts(device.name, artifacts, notices);
  } catch (err) {
    throw new ParseError(`read: the export could not be understood: ${(err as Error).message}`, {
      device: device.name,
      command: "ogcli export",
      cause: err,
    });
  }
}
