// A serial port session of the simulated Opengear, started by the session wrapper lab-setup.sh
// installs as sshd's ForceCommand when the login named a port:
//   port-session-main.ts --sim-dir DIR --login USER:PORT
// Reads the store (/etc/config/ngcs.db) once, refuses as the box would (port-session.ts), then
// connects the SSH channel to the far end the lab wired to that port (DIR/serial.json:
// {"1": "core-1"}); an unwired port is silent. ESCAPE "." at the start of a line ends it.
// Every session is journalled (DIR/journal.jsonl) for the tests.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { journal } from "./faults.ts";
import {
  EscapeWatch,
  FarEnd,
  garble,
  lineMatches,
  openPortSession,
  PortAccessError,
  parsePortLogin,
} from "./port-session.ts";
import { loadStore, STORE_PATH } from "./store.ts";

const argv = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i < 0 ? undefined : argv[i + 1];
};
const simDir = arg("--sim-dir");
const login = parsePortLogin(arg("--login") ?? "");
if (!simDir || !login) {
  process.stderr.write("Error: not a port login\r\n");
  process.exit(1);
}
const sim = { dir: simDir };

let session: ReturnType<typeof openPortSession>;
try {
  session = openPortSession(loadStore(STORE_PATH), login);
} catch (err) {
  if (!(err instanceof PortAccessError)) throw err;
  journal(sim, { op: "port-session", user: login.user, port: login.port, refused: err.message });
  process.stderr.write(`${err.message}\r\n`);
  process.exit(1);
}

const portId = String(session.port.id);
const wiring = join(simDir, "serial.json");
const wired = existsSync(wiring)
  ? (JSON.parse(readFileSync(wiring, "utf8")) as Record<string, string>)[portId.replace(/^ports-/, "")]
  : undefined;
const farEnd = wired ? new FarEnd(wired) : undefined;
const readable = lineMatches(session.port);
journal(sim, { op: "port-session", user: session.user, port: portId, far_end: wired ?? null, readable });

const escapeWatch = new EscapeWatch(session.escape);
const stdin = process.stdin;
if (stdin.isTTY) {
  // A serial line passes bytes as they are: no echo, no line editing, and (which Node's raw
  // mode keeps) no newline translation on output.
  stdin.setRawMode(true);
  spawnSync("stty", ["-opost"], { stdio: ["inherit", "ignore", "ignore"] });
}
const send = (chars: string) => {
  if (!farEnd) return;
  let out = "";
  for (const c of chars) out += farEnd.feed(c);
  if (out) process.stdout.write(readable ? out : garble(out));
};
stdin.setEncoding("latin1");
stdin.on("data", (data: string) => {
  for (const c of data) {
    const step = escapeWatch.feed(c);
    if (step.action === "quit") {
      process.stdout.write("\r\n");
      process.exit(0);
    }
    if (step.action === "pass") send((step.flush ?? "") + c);
  }
});
stdin.on("end", () => process.exit(0));
