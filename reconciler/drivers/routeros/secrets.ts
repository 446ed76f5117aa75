// Secrets in a RouterOS candidate: `@secret:ENV@` placeholders filled from the environment, only
// for variables the intent declares.

import type { DeviceIntent } from "../../schema/device.ts";
import { quoteValue } from "./quote.ts";

/** The environment variables the intent declares (every `*_env` field). */
export function declaredEnv(intent: DeviceIntent): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown) => {
    if (Array.isArray(v)) for (const x of v) walk(x);
    else if (v && typeof v === "object")
      for (const [k, x] of Object.entries(v)) {
        if (k.endsWith("_env") && typeof x === "string") out.add(x);
        else walk(x);
      }
  };
  walk(intent);
  return out;
}

/**
 * The line with every `@secret:ENV@` that stands as a whole value outside quotes replaced by the
 * quoted secret; a placeholder inside a quoted value (a description) is text and stays.
 */
export function fillSecrets(
  line: string,
  lookup: (name: string) => string,
): { line: string; secrets: string[] } {
  const secrets: string[] = [];
  let out = "";
  let inQuote = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (inQuote) {
      out += c;
      if (c === "\\") {
        out += line[i + 1] ?? "";
        i++;
      } else if (c === '"') inQuote = false;
      continue;
    }
    if (c === '"') {
      inQuote = true;
      out += c;
      continue;
    }
    const m = /^@secret:([A-Z_][A-Z0-9_]{0,127})@(?=\s|$)/.exec(line.slice(i));
    if (m && line[i - 1] === "=") {
      const value = lookup(m[1] as string);
      secrets.push(value);
      out += quoteValue(value);
      i += m[0].length - 1;
      continue;
    }
    out += c;
  }
  return { line: out, secrets };
}
