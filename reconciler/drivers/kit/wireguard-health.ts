// The WireGuard part of a health gate on any box with `wg` (Debian, OPNsense, Opengear): per
// probed tunnel, the peer's latest handshake (`wg show IF latest-handshakes`, section wg:IF) and,
// where the box printed them, the bytes received since the commit (`wg show IF transfer`, section
// wgrx:IF, against `wg show all transfer` saved at the commit, section transfer-at-commit). Pure.

import { shQuote as q } from "../../transport/quote.ts";
import { parseLatestHandshakes } from "../debian/apply/parse-health.ts";
import type { HealthProbe, Observation } from "../health.ts";

/**
 * What commit.sh records just after the commit: the tunnels' receive counters. The health gate
 * counts only packets received after this as proof that a tunnel works: a change that leaves the
 * session as it was brings no new handshake, and the other end's traffic is then the proof.
 */
export const TRANSFER_AT_COMMIT_LINE = `wg show all transfer > "$RUN/transfer-at-commit" 2>/dev/null || : > "$RUN/transfer-at-commit"`;

/**
 * The health script's lines reading the probed tunnels (sections wg:IF, wgrx:IF and
 * transfer-at-commit, as observeWireguard reads them). INTERFACES must be checked names.
 */
export function wireguardSectionLines(interfaces: readonly string[], runDirectory: string): string[] {
  const L = interfaces.flatMap((i) => [
    `section ${q(`wg:${i}`)} wg show ${q(i)} latest-handshakes`,
    `section ${q(`wgrx:${i}`)} wg show ${q(i)} transfer`,
  ]);
  if (interfaces.length > 0)
    L.push(`section transfer-at-commit cat ${q(`${runDirectory}/transfer-at-commit`)}`);
  return L;
}

type Section = { text: string; rc: string } | undefined;

export function observeWireguard(
  probes: readonly HealthProbe[],
  get: (name: string) => Section,
): Observation[] {
  const seen: Observation[] = [];
  const committed = Number(get("committed-at")?.text.trim());
  const atCommit = parseTransfer(get("transfer-at-commit")?.text ?? "", true);
  for (const p of probes) {
    if (p.kind !== "wireguard-tunnel") continue;
    const s = get(`wg:${p.interface}`);
    if (s?.rc !== "0") {
      seen.push({
        kind: "unreadable",
        about: "wireguard-tunnel",
        what: `wg show ${p.interface}`,
        why: s ? s.text.trim() || `status ${s.rc}` : "no output",
      });
      continue;
    }
    const hs = parseLatestHandshakes(s.text).get(p.publicKey);
    if (hs === undefined) continue;
    const rxNow = parseTransfer(get(`wgrx:${p.interface}`)?.text ?? "", false).get(p.publicKey);
    const rxThen = atCommit.get(`${p.interface}\t${p.publicKey}`) ?? 0;
    seen.push({
      kind: "wireguard-peer",
      interface: p.interface,
      publicKey: p.publicKey,
      latestHandshake: hs,
      ...(Number.isFinite(committed) ? { committedAt: committed } : {}),
      receivedSinceCommit: rxNow !== undefined && rxNow > rxThen ? rxNow - rxThen : 0,
    });
  }
  return seen;
}

/**
 * `wg show IF transfer` (peer, rx, tx) or, with `all`, `wg show all transfer` (interface, peer,
 * rx, tx): received bytes by peer, or by "interface\tpeer". Lines that do not fit are ignored.
 */
export function parseTransfer(text: string, all: boolean): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    const f = line.trim().split("\t");
    if (f.length !== (all ? 4 : 3)) continue;
    const rx = Number(f[all ? 2 : 1]);
    if (!Number.isSafeInteger(rx) || rx < 0) continue;
    out.set(all ? `${f[0]}\t${f[1]}` : (f[0] as string), rx);
  }
  return out;
}
