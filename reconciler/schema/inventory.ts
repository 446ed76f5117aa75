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
  IpPrefix,
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

/** How `apply` orders a rollout (rollout/waves.ts); command-line flags override each field. */
export const Rollout = Obj(
  {
    canary: Type.Optional(
      List(
        Type.String({
          description: "a device name glob such as tower-* or a label selector such as site=pop-1",
          pattern: "^([a-z0-9*?-]+|[a-z][a-z0-9_-]*=[A-Za-z0-9_.*?-]+)$",
          maxLength: 128,
          minLength: 1,
        }),
        256,
      ),
    ),
    batch: Type.Optional(
      Type.Union(
        [
          Type.Integer({ minimum: 1, maximum: 100000 }),
          Type.String({ pattern: "^([1-9][0-9]?|100)%$", maxLength: 4 }),
        ],
        { description: "at most this many devices per wave: a count, or a percentage such as 25%" },
      ),
    ),
    max_fail_percentage: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 100,
        description: "the share of a wave's devices that may fail without halting the rollout, 0..100",
      }),
    ),
    soak: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 86400, description: "seconds to wait between waves, 0..86400" }),
    ),
  },
  "the rollout order: canaries first, then waves of batch devices",
);

/** Where the state store's git history is shared (state/git-store.ts). */
export const StateSection = Obj(
  {
    remote: Type.String({
      description:
        "a remote of this repository (e.g. origin) or a git URL: the state store is fetched from and pushed to it",
      pattern: "^[A-Za-z0-9@:/._~+-]+$",
      maxLength: 512,
      minLength: 1,
    }),
    branch: Type.String({
      description: "the branch of that remote holding the state store, e.g. reconciler-state",
      pattern: "^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$",
      maxLength: 100,
    }),
  },
  "the state store's shared history: CI runners that live one run share one journal through it",
);

/** The reconciler itself, as the devices see it (rollout/lockout.ts). */
export const ReconcilerSection = Obj(
  {
    sources: Type.Optional(List(IpPrefix, 64)),
  },
  "the reconciler as the devices see it: sources = the addresses or prefixes it connects from (a firewall rule dropping SSH from them is a lockout)",
);

export const Inventory = Obj(
  {
    rollout: Type.Optional(Rollout),
    state: Type.Optional(StateSection),
    reconciler: Type.Optional(ReconcilerSection),
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
export type RolloutSection = Static<typeof Rollout>;
export type StateSectionSpec = Static<typeof StateSection>;

/** inventory/wireguard-keys.yaml: the public key of each WireGuard interface, as reported by the device. */
export const WireguardKeys = Obj(
  { keys: Dict(DeviceName, Dict(InterfaceName, WireguardPublicKey)) },
  "WireGuard public keys per device and interface",
);
export type WireguardKeysFile = Static<typeof WireguardKeys>;
