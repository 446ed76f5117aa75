// How an operator reaches a serial port of an Opengear over SSH: the port is named in the login,
// `ssh <user>:<port>@<box>` (Opengear's SSH port access; the delimiter is services/ssh's
// `ssh_url_delimiter`, ":" unless changed), the port given by its id (ports-N), which, unlike a
// label, no edit in the web UI can make ambiguous. Pure.
import { portId } from "./vocabulary.ts";

export const SSH_URL_DELIMITER = ":";

export function opengearConsoleLogin(user: string, port: number): string {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(user))
    throw new Error(`not a user name for port access: ${JSON.stringify(user)}`);
  return `${user}${SSH_URL_DELIMITER}${portId(port)}`;
}
