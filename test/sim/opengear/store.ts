// The simulated box's configuration store: one JSON file. On a real Operations Manager the
// configuration lives in /etc/config/ngcs.db (the file Opengear's ogcli-restore-rollback copies
// aside and back); the simulator keeps its JSON at that same path so that a whole-store snapshot
// taken the way Opengear's own wrapper does (`cp /etc/config/ngcs.db …`) restores everything.
// Written atomically (temporary file + rename): a reader never sees half a store.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Obj } from "./values.ts";

export interface Store {
  version: 1;
  /** Entity key → singleton object or list of items. */
  data: { [key: string]: Obj | Obj[] };
  /** Next id number per list entity (ids are never reused, as the API's ids). */
  next: { [key: string]: number };
  /** The legacy `config` dialect's keys that have no place in the ogcli model, and its apply state. */
  legacy: { keys: { [key: string]: string }; unapplied: boolean };
}

export const STORE_PATH = "/etc/config/ngcs.db";

function port(n: number): Obj {
  // Factory settings of a serial port (API example ports-2: consoleServer, 9600 8N1, pinout X2).
  return {
    id: `ports-${n}`,
    label: `Port-${n}`,
    mode: "consoleServer",
    baudrate: "9600",
    databits: "8",
    parity: "none",
    stopbits: "1",
    pinout: "X2",
    escape_char: "~",
    logging_level: "disabled",
    terminal_emulation: "",
    kernel_debug: false,
    ip_alias: [],
  };
}

/** A factory-fresh box: NAME, N serial ports, net1/net2/wwan0, root and the default groups. */
export function factoryStore(hostname: string, ports = 16): Store {
  return {
    version: 1,
    data: {
      hostname: { hostname },
      admin_info: { hostname, contact: "", location: "" },
      ports: Array.from({ length: ports }, (_, i) => port(i + 1)),
      physifs: [
        {
          id: "system_net_physifs-1",
          name: "net1",
          media: "ethernet",
          description: "NET1",
          enabled: true,
          mtu: 1500,
        },
        {
          id: "system_net_physifs-2",
          name: "net2",
          media: "ethernet",
          description: "NET2",
          enabled: true,
          mtu: 1500,
        },
        {
          id: "system_net_physifs-3",
          name: "wwan0",
          media: "cellular",
          description: "Cellular",
          enabled: false,
          mtu: 1500,
          cellular_settings: { apn: "", sim: "1" },
        },
      ],
      conns: [
        {
          id: "system_net_conns-1",
          name: "default-conn-1",
          description: "IPv4 DHCP network connection",
          physif: "net1",
          mode: "dhcp",
        },
      ],
      failover_settings: {
        enabled: false,
        probe_physif: "net1",
        probe_address: "",
        probe_address_2: "",
        failover_physif: "wwan0",
      },
      snmpd: {
        enabled: false,
        port: 161,
        protocol: "UDP",
        enable_legacy_versions: false,
        enable_secure_snmp: true,
        rocommunity: "",
        rwcommunity: "",
        security_level: "authPriv",
        security_name: "",
        engine_id: "",
        auth_use_plaintext: false,
        priv_use_plaintext: false,
        auth_protocol: "SHA",
        auth_password: "",
        priv_protocol: "AES",
        priv_password: "",
      },
      users: [
        {
          id: "users-1",
          username: "root",
          description: "System wide SuperUser account",
          enabled: true,
          groups: ["admin"],
          hashed_password: "",
          no_password: false,
          ssh_password_enabled: true,
        },
      ],
      groups: [
        {
          id: "groups-1",
          groupname: "admin",
          description: "Administrator",
          enabled: true,
          mode: "global",
          role: "Administrator",
          ports: [],
        },
        {
          id: "groups-2",
          groupname: "netgrp",
          description: "Group for new users",
          enabled: true,
          mode: "scoped",
          role: "ConsoleUser",
          ports: [],
        },
      ],
      wireguards: [],
      // ssh/authorized_keys: user id → [{id, key}] (authorized-keys.ts)
      authorized_keys: {},
    },
    next: { ports: ports + 1, physifs: 4, conns: 2, users: 2, groups: 3, wireguards: 1, authorized_keys: 1 },
    legacy: { keys: {}, unapplied: false },
  };
}

export function loadStore(path: string): Store {
  return JSON.parse(readFileSync(path, "utf8")) as Store;
}

export function saveStore(path: string, store: Store): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(store, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

/** The store at PATH, created factory-fresh (hostname NAME) when missing. */
export function openStore(path: string, hostname: string): Store {
  if (!existsSync(path)) saveStore(path, factoryStore(hostname));
  return loadStore(path);
}

export function cloneStore(s: Store): Store {
  return structuredClone(s);
}
