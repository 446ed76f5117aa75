// Serial port access of the simulated Opengear: `ssh USER:ports-N@box` (or `USER:LABEL`) lands
// on the serial port, as pmshell does on the real box. Pure parts, tested without a lab:
//   - which login a connection used is found by port-login.awk, run by the session wrapper
//     (lab-setup.sh) for every session: OpenSSH (the simulator's sshd) splits `user:style` at
//     the colon before it looks the user up (auth2.c) and keeps the style to itself, where
//     Opengear's sshd hands it to pmshell; the only place the full login survives is sshd's own
//     debug log ("userauth-request for user root:ports-1 ..."), where the wrapper finds its
//     connection by the client's address and port (SSH_CONNECTION). Two connections from the
//     host authenticating at the very same moment could be told apart wrongly; the lab's tests
//     open port sessions one at a time.
//   - parsePortLogin: `user:port`.
//   - openPortSession: what the box decides before it connects the line: the port exists, is in
//     console server mode, the user may use it (a group in global mode, or a scoped group that
//     lists the port).
//   - FarEnd: what is wired to the port. The lab has no serial lines; the device at the other
//     end (named in the lab's topology) answers as a Debian console does on a 9600 8N1 line: a
//     getty banner and `NAME login:` once Return is pressed. A port set to other line settings
//     reads that line as garbage, as a real UART at the wrong speed does.
import type { Store } from "./store.ts";
import type { Obj } from "./values.ts";

/** The line settings of the consoles wired in the lab (the source material: 9600 baud, 8N1). */
export const FAR_END_LINE = { baudrate: "9600", databits: "8", parity: "none", stopbits: "1" } as const;

const LOGIN = /^([A-Za-z0-9_.-]{1,64}):([A-Za-z0-9_.-]{1,64})$/;

export interface PortLogin {
  user: string;
  port: string;
}

/** `user:port` with the port named by id or label; undefined for a plain login. */
export function parsePortLogin(login: string): PortLogin | undefined {
  const m = LOGIN.exec(login);
  return m ? { user: m[1] as string, port: m[2] as string } : undefined;
}

export class PortAccessError extends Error {}

export interface PortSession {
  user: string;
  port: Obj;
  /** The escape character: at the start of a line, followed by ".", it ends the session. */
  escape: string;
}

const list = (store: Store, key: string): Obj[] => {
  const v = store.data[key];
  return Array.isArray(v) ? (v as Obj[]) : [];
};

export function openPortSession(store: Store, login: PortLogin): PortSession {
  const port = list(store, "ports").find((p) => p.id === login.port || p.label === login.port);
  if (!port) throw new PortAccessError(`Error: Unknown port ${login.port}`);
  const user = list(store, "users").find((u) => u.username === login.user);
  if (!user || user.enabled !== true) throw new PortAccessError("Error: Permission denied");
  const groups = list(store, "groups").filter(
    (g) => g.enabled === true && Array.isArray(user.groups) && user.groups.includes(g.groupname as string),
  );
  const allowed = groups.some(
    (g) => g.mode === "global" || (Array.isArray(g.ports) && (g.ports as unknown[]).includes(port.id)),
  );
  if (!allowed) throw new PortAccessError("Error: Permission denied");
  if (port.mode !== "consoleServer")
    throw new PortAccessError(`Error: Port ${String(port.id)} is not in Console Server mode`);
  return { user: login.user, port, escape: typeof port.escape_char === "string" ? port.escape_char : "~" };
}

/** Whether the port reads the far end's line as it is sent. */
export function lineMatches(port: Obj): boolean {
  return (Object.keys(FAR_END_LINE) as (keyof typeof FAR_END_LINE)[]).every(
    (k) => port[k] === FAR_END_LINE[k],
  );
}

/** What a UART at the wrong speed makes of the far end's bytes: deterministic noise. */
export function garble(text: string): string {
  return Array.from(text, (c) => String.fromCharCode(0x80 | ((c.charCodeAt(0) * 37) & 0x7f))).join("");
}

/**
 * A Debian machine's serial console: silent until Return, then its getty's banner and login
 * prompt; a user name is echoed and asks for a password (never echoed), which is refused (the
 * simulator knows no passwords); Ctrl-D and Ctrl-C start over.
 */
export class FarEnd {
  private state: "idle" | "login" | "password" = "idle";
  private typed = "";
  constructor(private readonly hostname: string) {}

  private prompt(): string {
    this.state = "login";
    this.typed = "";
    return `\r\n\r\nDebian GNU/Linux 13 ${this.hostname} ttyS0\r\n\r\n${this.hostname} login: `;
  }

  /** The far end's answer to one received character. */
  feed(c: string): string {
    if (c === "\r" || c === "\n") {
      if (this.state === "idle") return this.prompt();
      if (this.state === "login") {
        if (this.typed === "") return `\r\n${this.hostname} login: `;
        this.state = "password";
        this.typed = "";
        return "\r\nPassword: ";
      }
      this.state = "login";
      this.typed = "";
      return `\r\n\r\nLogin incorrect\r\n${this.hostname} login: `;
    }
    if (c === "\x03" || c === "\x04") return this.state === "idle" ? "" : this.prompt();
    if (this.state === "idle") return "";
    if (c === "\x7f" || c === "\b") {
      if (this.typed === "") return "";
      this.typed = this.typed.slice(0, -1);
      return this.state === "login" ? "\b \b" : "";
    }
    if (c < " ") return "";
    this.typed += c;
    return this.state === "login" ? c : "";
  }
}

/** Recognises ESCAPE "." at the start of a line (as pmshell and OpenSSH's client do). */
export class EscapeWatch {
  private atLineStart = true;
  private pending = false;
  constructor(private readonly escapeChar: string) {}

  /** "pass" the character on, "hold" it (a possible escape), or "quit". */
  feed(c: string): { action: "pass" | "hold" | "quit"; flush?: string } {
    if (this.pending) {
      this.pending = false;
      if (c === ".") return { action: "quit" };
      this.atLineStart = c === "\r" || c === "\n";
      return { action: "pass", flush: this.escapeChar };
    }
    if (this.atLineStart && this.escapeChar !== "" && c === this.escapeChar) {
      this.pending = true;
      return { action: "hold" };
    }
    this.atLineStart = c === "\r" || c === "\n";
    return { action: "pass" };
  }
}
