// Secrets from the environment in an OPNsense candidate: `@secret:ENV@` (secrets.ts) filled here,
// only for variables the intent declares, XML-escaped; the values are returned so that every
// output of the run is redacted with them. The device's own secrets (`@device-secret:N@`) are
// filled on the device (fill-secrets.ts), never here.
import type { DeviceIntent } from "../../../schema/device.ts";
import { declaredEnv } from "../driver.ts";

const TOKEN = /@secret:([A-Z_][A-Z0-9_]{0,127})@/g;

const xmlEscape = (v: string) =>
  v.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function fillEnvSecrets(
  text: string,
  intent: DeviceIntent,
  env: Readonly<Record<string, string | undefined>>,
): { text: string; secrets: string[] } | { missing: string } {
  const declared = declaredEnv(intent);
  const secrets: string[] = [];
  let missing: string | undefined;
  const out = text.replace(TOKEN, (token, name: string) => {
    const value = env[name];
    if (!declared.has(name)) missing ??= `${token} names a variable the desired state does not declare`;
    else if (value === undefined || value === "")
      missing ??= `the secret ${name} is not set in the environment`;
    else {
      secrets.push(value);
      return xmlEscape(value);
    }
    return token;
  });
  return missing ? { missing } : { text: out, secrets };
}
