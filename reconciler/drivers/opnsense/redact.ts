// The second fence on this side: whatever the device's awk and sed did, an artifact never holds a
// secret. config.xml: secret elements become `@device-secret:N@` (secrets.ts); the FRR running
// configuration and the WireGuard dump as on Debian (the same tools print the same formats).

import { sanitizeWgDump } from "../debian/parse-wg-dump.ts";
import { redactFrr } from "../debian/redact.ts";
import { CMD_FRR_RUNNING, CMD_WG_DUMP, CONFIG_XML } from "./paths.ts";
import { redactConfig } from "./secrets.ts";

export function redactArtifact(path: string, text: string): string {
  if (path === CONFIG_XML) return redactConfig(text);
  if (path === CMD_WG_DUMP) return sanitizeWgDump(text);
  if (path === CMD_FRR_RUNNING) return redactFrr(text);
  return text;
}
