// The simulated Opengear's serial port access (test/sim/opengear/port-session.ts and
// port-login.awk): which login a connection used, what the box refuses, the far end's console,
// a wrong line speed, the escape.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  EscapeWatch,
  FarEnd,
  garble,
  lineMatches,
  openPortSession,
  PortAccessError,
  parsePortLogin,
} from "../sim/opengear/port-session.ts";
import { factoryStore } from "../sim/opengear/store.ts";
import type { Obj } from "../sim/opengear/values.ts";

const AWK = join(import.meta.dirname, "..", "sim", "opengear", "port-login.awk");
const loginOf = (log: string, ip: string, port: string) =>
  execFileSync("awk", ["-v", `opening=Connection from ${ip} port ${port} `, "-f", AWK], {
    input: log,
    encoding: "utf8",
  }).trim();

// Shaped as OpenSSH 9's debug log written with -E (no pids).
const LOG = [
  'Connection from 198.51.100.129 port 40000 on 198.51.100.136 port 22 rdomain ""',
  "debug1: userauth-request for user root:ports-1 service ssh-connection method none [preauth]",
  "debug1: userauth-request for user root:ports-1 service ssh-connection method publickey [preauth]",
  "Accepted publickey for root from 198.51.100.129 port 40000 ssh2: ED25519 SHA256:x",
  'Connection from 198.51.100.129 port 40002 on 198.51.100.136 port 22 rdomain ""',
  "debug1: userauth-request for user root service ssh-connection method none [preauth]",
  'Connection from 198.51.100.129 port 40000 on 198.51.100.136 port 22 rdomain ""',
  "debug1: userauth-request for user netops:Port-2 service ssh-connection method none [preauth]",
  "",
].join("\n");

describe("port-login.awk", () => {
  it("finds the login of the last connection from that address and port", () => {
    expect(loginOf(LOG, "198.51.100.129", "40000")).toBe("netops:Port-2");
    expect(loginOf(LOG, "198.51.100.129", "40002")).toBe("root");
  });
  it("finds nothing for a connection it has not seen (a plain session follows)", () => {
    expect(loginOf(LOG, "198.51.100.129", "4000")).toBe("");
    expect(loginOf(LOG, "198.51.100.12", "40000")).toBe("");
  });
});

describe("parsePortLogin", () => {
  it("splits user and port; a plain or odd login is not a port login", () => {
    expect(parsePortLogin("root:ports-1")).toEqual({ user: "root", port: "ports-1" });
    expect(parsePortLogin("root")).toBeUndefined();
    expect(parsePortLogin("root:ports-1;id")).toBeUndefined();
    expect(parsePortLogin("a:b:c")).toBeUndefined();
  });
});

function store() {
  const s = factoryStore("oob-1", 4);
  const ports = s.data.ports as Obj[];
  (ports[1] as Obj).label = "router-a";
  (ports[2] as Obj).mode = "disabled";
  const users = s.data.users as Obj[];
  users.push({ id: "users-2", username: "ops", enabled: true, groups: ["netgrp"] });
  users.push({ id: "users-3", username: "old", enabled: false, groups: ["admin"] });
  return s;
}
const refusal = (user: string, port: string) => {
  try {
    openPortSession(store(), { user, port });
  } catch (err) {
    if (err instanceof PortAccessError) return err.message;
    throw err;
  }
  return "opened";
};

describe("openPortSession", () => {
  it("opens a console server port by id or label for a user in a global group", () => {
    expect(openPortSession(store(), { user: "root", port: "ports-1" }).port.id).toBe("ports-1");
    const s = openPortSession(store(), { user: "root", port: "router-a" });
    expect(s.port.id).toBe("ports-2");
    expect(s.escape).toBe("~");
  });
  it("refuses what the box refuses", () => {
    expect(refusal("root", "ports-9")).toBe("Error: Unknown port ports-9");
    expect(refusal("root", "ports-3")).toBe("Error: Port ports-3 is not in Console Server mode");
    expect(refusal("nobody", "ports-1")).toBe("Error: Permission denied");
    expect(refusal("old", "ports-1")).toBe("Error: Permission denied");
    // netgrp is scoped and lists no port.
    expect(refusal("ops", "ports-1")).toBe("Error: Permission denied");
  });
  it("lets a scoped group reach the ports it lists", () => {
    const s = store();
    const netgrp = (s.data.groups as Obj[]).find((g) => g.groupname === "netgrp") as Obj;
    netgrp.ports = ["ports-2"];
    expect(openPortSession(s, { user: "ops", port: "ports-2" }).user).toBe("ops");
    expect(() => openPortSession(s, { user: "ops", port: "ports-1" })).toThrow(PortAccessError);
  });
});

const type = (far: FarEnd, text: string) => Array.from(text, (c) => far.feed(c)).join("");

describe("FarEnd", () => {
  it("is silent until Return, then shows its getty's banner and login prompt", () => {
    const far = new FarEnd("core-1");
    expect(type(far, "abc")).toBe("");
    expect(type(far, "\r")).toBe("\r\n\r\nDebian GNU/Linux 13 core-1 ttyS0\r\n\r\ncore-1 login: ");
  });
  it("echoes the user name, never the password, and refuses the login", () => {
    const far = new FarEnd("core-1");
    type(far, "\r");
    expect(type(far, "roox\x7ft\r")).toBe("roox\b \bt\r\nPassword: ");
    expect(type(far, "secret")).toBe("");
    expect(type(far, "\r")).toBe("\r\n\r\nLogin incorrect\r\ncore-1 login: ");
  });
  it("reads as garbage at another line speed", () => {
    const port = store().data.ports as Obj[];
    expect(lineMatches(port[0] as Obj)).toBe(true);
    expect(lineMatches({ ...(port[0] as Obj), baudrate: "115200" })).toBe(false);
    const noise = garble("core-1 login: ");
    expect(noise).toHaveLength(14);
    expect(noise).not.toContain("login");
  });
});

describe("EscapeWatch", () => {
  const run = (escapeChar: string, text: string) => {
    const w = new EscapeWatch(escapeChar);
    const out: string[] = [];
    for (const c of text) {
      const s = w.feed(c);
      if (s.action === "quit") return { out: out.join(""), quit: true };
      if (s.action === "pass") out.push((s.flush ?? "") + c);
    }
    return { out: out.join(""), quit: false };
  };
  it("quits on escape and '.' at the start of a line only", () => {
    expect(run("~", "~.")).toEqual({ out: "", quit: true });
    expect(run("~", "ab\r~.x")).toEqual({ out: "ab\r", quit: true });
    expect(run("~", "a~.")).toEqual({ out: "a~.", quit: false });
  });
  it("passes an escape not followed by '.' on, and honours another escape character", () => {
    expect(run("~", "~x")).toEqual({ out: "~x", quit: false });
    expect(run("&", "~.&.")).toEqual({ out: "~.&.", quit: false });
    expect(run("&", "&.")).toEqual({ out: "", quit: true });
  });
});
