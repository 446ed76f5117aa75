// inventory/inventory.yaml: which devices exist and how to reach them. Never credential values:
// only where the reconciler finds them (the SSH agent, or the name of an environment variable).
import { type Static, Type } from "@sinclair/typebox";
import {
  DeviceName,
  Dict,
  EnvVarName,
  Hostname,
  Identifier,
  InterfaceName,
  Labels,
  List,
  Obj,
  Port,
  Variables,
  WireguardPublicKey,
} from "./primitives.ts";

export const PLATFORMS = ["debian", "routeros", "opnsense", "opengear"] as const;
export const Platform = Type.Union(
  PLATFORMS.map((p) => Type.Literal(p)),
  { description: `one of ${PLATFORMS.join(", ")}` },
);

export const Credentials = Obj(
  {
    agent: Type.Optional(Type.Boolean({ description: "true to use the SSH agent (SSH_AUTH_SOCK)" })),
    key_file_env: Type.Optional(EnvVarName),
    password_env: Type.Optional(EnvVarName),
  },
  "how credentials are found: exactly one of agent, key_file_env, password_env",
);

export const Privilege = Obj(
  {
    sudo: Type.Optional(Type.Boolean({ description: "true to run privileged commands through sudo -n" })),
  },
  "privilege escalation",
);

const ConnectionFields = {
  port: Type.Optional(Port),
  user: Type.Optional(Identifier),
  credentials: Type.Optional(Credentials),
  privilege: Type.Optional(Privilege),
  connect_timeout_s: Type.Optional(Type.Integer({ description: "1..300 seconds", minimum: 1, maximum: 300 })),
};

export const Device = Obj(
  {
    platform: Platform,
    host: Hostname,
    ...ConnectionFields,
    groups: Type.Optional(List(Identifier, 64)),
    labels: Type.Optional(Labels),
    vars: Type.Optional(Variables),
    via: Type.Optional(DeviceName),
  },
  "a device",
);

export const Group = Obj(
  {
    ...ConnectionFields,
    labels: Type.Optional(Labels),
    vars: Type.Optional(Variables),
  },
  "a group: connection defaults, labels and variables its devices inherit",
);

export const Inventory = Obj(
  {
    defaults: Type.Optional(Obj(ConnectionFields, "connection defaults for every device")),
    groups: Type.Optional(Dict(Identifier, Group)),
    devices: Dict(DeviceName, Device),
  },
  "the inventory",
);

export type Platform = Static<typeof Platform>;
export type InventoryDevice = Static<typeof Device>;
export type InventoryFile = Static<typeof Inventory>;
export type CredentialsSpec = Static<typeof Credentials>;

/** inventory/wireguard-keys.yaml: the public key of each WireGuard interface, as reported by the device. */
export const WireguardKeys = Obj(
  { keys: Dict(DeviceName, Dict(InterfaceName, WireguardPublicKey)) },
  "WireGuard public keys per device and interface",
);
export type WireguardKeysFile = Static<typeof WireguardKeys>;
