// SNMP made real in the lab namespace: after every change, Debian's net-snmp agent follows
// `services/snmpd` and `system/admin_info` (a real box runs net-snmp too; the effect is the same:
// the agent answers with the stored v3 user and the stored location and contact, or is stopped).
// Its files live beside the store (/etc/config/snmp, the router's private /etc/config): the
// configuration, the persistent directory where the v3 user is created at start, the pid file.
// The configuration is pure (snmpdFiles); applySnmpd restarts the agent with it.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Store } from "./store.ts";
import type { Obj } from "./values.ts";
import type { Run } from "./wireguard.ts";
import { realRun } from "./wireguard.ts";

export const SNMP_DIR = "/etc/config/snmp";

/** net-snmp's word for the stored security level. */
const LEVEL: Record<string, string> = { noAuthNoPriv: "noauth", authNoPriv: "auth", authPriv: "priv" };

/** A value written between double quotes in net-snmp's configuration: no quote, no newline. */
const quotable = (v: string) => !/["\\\n\r]/.test(v);
const word = (v: string) => /^[A-Za-z0-9_.@-]{1,64}$/.test(v);

export interface SnmpdFiles {
  /** snmpd.conf */
  conf: string;
  /** The persistent directory's snmpd.conf: the v3 user, created by the agent at start. */
  persistent: string;
}

/** The agent's files for the stored settings, or undefined when SNMP is off. */
export function snmpdFiles(store: Store, dir = SNMP_DIR): SnmpdFiles | undefined {
  const s = (store.data.snmpd ?? {}) as Obj;
  if (s.enabled !== true) return undefined;
  const info = (store.data.admin_info ?? {}) as Obj;
  const port = typeof s.port === "number" ? s.port : 161;
  const transport = s.protocol === "TCP" ? "tcp" : "udp";
  const conf = [
    "# Written by the simulated Opengear from services/snmpd and system/admin_info.",
    `agentAddress ${transport}:${port}`,
  ];
  for (const [key, field] of [
    ["sysLocation", "location"],
    ["sysContact", "contact"],
  ] as const) {
    const v = String(info[field] ?? "");
    if (v !== "" && quotable(v)) conf.push(`${key} ${v}`);
  }
  const persistent: string[] = [];
  const name = String(s.security_name ?? "");
  if (word(name)) {
    const level = LEVEL[String(s.security_level ?? "authPriv")] ?? "priv";
    const auth = String(s.auth_password ?? "");
    const priv = String(s.priv_password ?? "");
    const authPart =
      level !== "noauth" && quotable(auth) && auth !== ""
        ? ` ${String(s.auth_protocol ?? "SHA")} "${auth}"`
        : "";
    const privPart =
      level === "priv" && authPart !== "" && quotable(priv) && priv !== ""
        ? ` ${String(s.priv_protocol ?? "AES")} "${priv}"`
        : "";
    persistent.push(`createUser ${name}${authPart}${privPart}`);
    conf.push(`rouser ${name} ${level}`);
  }
  const community = String(s.rocommunity ?? "");
  if (s.enable_legacy_versions === true && word(community)) conf.push(`rocommunity ${community}`);
  return { conf: `${conf.join("\n")}\n`, persistent: `${persistent.join("\n")}\n` };
}

const alive = (pidFile: string): string | undefined => {
  const pid = existsSync(pidFile) ? readFileSync(pidFile, "utf8").trim() : "";
  return /^[0-9]+$/.test(pid) && existsSync(`/proc/${pid}`) ? pid : undefined;
};

function stop(pidFile: string, run: Run): void {
  const pid = alive(pidFile);
  if (pid) run("kill", [pid]);
  for (let i = 0; i < 50 && pid && existsSync(`/proc/${pid}`); i++)
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  rmSync(pidFile, { force: true });
}

const readOr = (path: string) => (existsSync(path) ? readFileSync(path, "utf8") : undefined);

/**
 * Make the agent follow the store: started, restarted when its files change, stopped when SNMP
 * is off. Returns the errors (printed by ogcli as warnings).
 */
export function applySnmpd(store: Store, run: Run = realRun, dir = SNMP_DIR): string[] {
  const pidFile = join(dir, "snmpd.pid");
  const conf = join(dir, "snmpd.conf");
  const users = join(dir, "users.conf");
  const files = snmpdFiles(store, dir);
  if (!files) {
    stop(pidFile, run);
    return [];
  }
  if (alive(pidFile) && readOr(conf) === files.conf && readOr(users) === files.persistent) return [];
  stop(pidFile, run);
  mkdirSync(join(dir, "persist"), { recursive: true, mode: 0o700 });
  writeFileSync(conf, files.conf, { mode: 0o600 });
  writeFileSync(users, files.persistent, { mode: 0o600 });
  // A fresh persistent file each start: the agent turns createUser into its own usmUser line
  // with keys localized to its engine, so a changed password takes effect only this way.
  writeFileSync(join(dir, "persist", "snmpd.conf"), files.persistent, { mode: 0o600 });
  // Only these files: the configuration, then the persistent one (where createUser must be).
  const r = run("env", [
    `SNMPCONFPATH=${dir}:${join(dir, "persist")}`,
    `SNMP_PERSISTENT_DIR=${join(dir, "persist")}`,
    "snmpd",
    ...["-p", pidFile, "-Lf", join(dir, "snmpd.log")],
  ]);
  return r.ok ? [] : [`snmpd: ${r.err.trim() || "did not start"}`];
}
