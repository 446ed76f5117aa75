// Secrets from the environment in an Opengear candidate: `@secret:ENV@` placeholders filled at
// stage, only for variables the desired state declares (`*_env` fields). Inside an ogcli string
// (`key="@secret:X@"`) the value is escaped as ogcli reads strings; elsewhere (`tailscale up
// --auth-key=@secret:X@`) it is one shell-quoted word. The values are returned so that every
// output of the run is redacted with them. Pure.
import type { PlannedCommand } from "../../../model/live.ts";
import type { DeviceIntent } from "../../../schema/device.ts";
import { shQuote } from "../../../transport/quote.ts";
import { declaredEnv } from "../../routeros/secrets.ts";
import { quoteOg } from "../ogcli-format.ts";

const TOKEN = /@secret:([A-Z_][A-Z0-9_]{0,127})@/g;

export function fillEnvSecrets(
  commands: readonly PlannedCommand[],
  intent: DeviceIntent,
  env: Readonly<Record<string, string | undefined>>,
): { commands: PlannedCommand[]; secrets: string[] } | { missing: string } {
  const declared = declaredEnv(intent);
  const secrets: string[] = [];
  let missing: string | undefined;
  const value = (token: string, name: string): string | undefined => {
    const v = env[name];
    if (!declared.has(name)) missing ??= `${token} names a variable the desired state does not declare`;
    else if (v === undefined || v === "") missing ??= `the secret ${name} is not set in the environment`;
    else {
      secrets.push(v);
      return v;
    }
    return undefined;
  };
  const out = commands.map((c) => ({
    ...c,
    line: c.line
      .split("\n")
      .map((l) => {
        // An ogcli field whose whole string is the placeholder.
        const field = /^([A-Za-z_][A-Za-z0-9_.[\]-]*)="@secret:([A-Z_][A-Z0-9_]{0,127})@"$/.exec(l);
        if (field) {
          const v = value(`@secret:${field[2]}@`, field[2] as string);
          return v === undefined ? l : `${field[1]}=${quoteOg(v)}`;
        }
        return l.replace(TOKEN, (token, name: string) => {
          const v = value(token, name);
          return v === undefined ? token : shQuote(v);
        });
      })
      .join("\n"),
  }));
  return missing ? { missing } : { commands: out, secrets };
}
