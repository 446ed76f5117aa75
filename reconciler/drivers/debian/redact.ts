// The same redactions the read script runs on the device, on this side: a second guard, so that
// an artifact never holds a secret even if the device's sed or awk misbehaved.
import { sanitizeWgDump } from "./parse-wg-dump.ts";
import { BIRD_CONF, CMD_FRR_RUNNING, CMD_WG_DUMP, FRR_CONF, wireguardConfName } from "./paths.ts";

export function redactWireguardConf(text: string): string {
  return text.replace(/^(\s*(?:PrivateKey|PresharedKey)\s*=).*$/gim, "$1 (hidden)");
}

export function redactBird(text: string): string {
  return text.replace(/(password\s+)"[^"\n]*"/g, '$1"(hidden)"');
}

export function redactFrr(text: string): string {
  return text
    .split("\n")
    .map((line) =>
      line
        .replace(/((?:^|[\s-])(?:password|authentication-key|key-string)\s+).*$/, "$1(hidden)")
        .replace(/(authentication\s+string\s+).*$/, "$1(hidden)")
        .replace(/(message-digest-key\s+[0-9]+\s+md5\s+)\S+/, "$1(hidden)")
        // FRR's one form (`ipv6 ospf6 authentication key-id N hash-algo ALG key SECRET`), spelled
        // out: a `.*` here backtracks quadratically on a hostile line.
        .replace(/(authentication\s+key-id\s+\S+\s+hash-algo\s+\S+\s+key\s+)\S+/, "$1(hidden)"),
    )
    .join("\n");
}

/** The redaction that fits an artifact's path. */
export function redactArtifact(path: string, text: string): string {
  if (path === CMD_WG_DUMP) return sanitizeWgDump(text);
  if (path === BIRD_CONF) return redactBird(text);
  if (path === FRR_CONF || path === CMD_FRR_RUNNING) return redactFrr(text);
  if (wireguardConfName(path) !== undefined) return redactWireguardConf(text);
  return text;
}
