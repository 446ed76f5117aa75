// The JSON the commands print with --json, as a published contract: each document carries
// schema_version (1 today; the plan, a saved file too, its own `version`), raised when a field is removed or changes meaning (adding a field
// does not raise it: consumers must ignore what they do not know, so objects stay open). Exported
// beside the input schemas as reconciler/schema/json/<command>-output.schema.json (export.ts),
// and the tests validate each command's real output against its file.
import { type TSchema, Type } from "@sinclair/typebox";
import { OUTPUT_SCHEMA_VERSION } from "./output-version.ts";

export { OUTPUT_SCHEMA_VERSION };

const Version = Type.Literal(OUTPUT_SCHEMA_VERSION, {
  description: "the version of this output's schema: a change that breaks a consumer raises it",
});
const Text = Type.String();
const Time = Type.String({ description: "an ISO 8601 time", format: "date-time" });
const Open = <T extends Parameters<typeof Type.Object>[0]>(properties: T, description: string) =>
  Type.Object(properties, { description });
const Doc = <T extends Parameters<typeof Type.Object>[0]>(
  title: string,
  description: string,
  properties: T,
) => Type.Object({ schema_version: Version, ...properties }, { title, description });

const Diagnostic = Open(
  {
    severity: Type.Union([Type.Literal("error"), Type.Literal("warning")]),
    file: Text,
    line: Type.Integer({ minimum: 0, description: "1-based; 0 for the file as a whole" }),
    column: Type.Integer({ minimum: 0 }),
    path: Type.String({ description: "the dotted path of the value, such as devices.router-a.port" }),
    message: Text,
    value: Type.Optional(Text),
    expected: Type.Optional(Text),
  },
  "a problem in the input, with where it is and what was expected",
);

export const ValidateOutput = Doc("reconciler validate --json", "every problem in inventory/ and desired/", {
  origin: Type.String({ description: "the working tree, or the revision read" }),
  valid: Type.Boolean({ description: "false when there is at least one error" }),
  diagnostics: Type.Array(Diagnostic),
});

const RunRecord = Open(
  {
    version: Type.Literal(1),
    runId: Text,
    command: Type.Union([Type.Literal("apply"), Type.Literal("rollback")]),
    startedAt: Time,
    endedAt: Time,
    revision: Type.Optional(Type.String({ description: "the git commit applied" })),
    origin: Text,
    by: Type.String({ description: "user@host" }),
    result: Type.Union(
      ["confirmed", "failed", "halted", "refused", "interrupted", "nothing"].map((r) => Type.Literal(r)),
    ),
    waves: Type.Array(Type.Array(Text), { description: "the devices of each wave, in order" }),
    devices: Type.Array(
      Open(
        {
          device: Text,
          result: Type.String({ description: "the device's outcome, or not-reached" }),
          failedStep: Type.Optional(Text),
          error: Type.Optional(Text),
          changes: Type.Integer({ minimum: 0 }),
          health: Type.Optional(
            Open(
              {
                ok: Type.Boolean(),
                checks: Type.Array(
                  Open({ name: Text, ok: Type.Boolean(), expected: Text, seen: Text }, "one health check"),
                ),
              },
              "the health gates' verdict",
            ),
          ),
          seconds: Type.Optional(Type.Number({ minimum: 0 })),
        },
        "one device's part in the run",
      ),
    ),
    restored: Type.Optional(
      Type.Array(Open({ device: Text, fromRun: Text }, "a device a rollback restored, and from which run")),
    ),
  },
  "the record of one run",
);

export const HistoryOutput = Doc(
  "reconciler history --json",
  "the runs recorded in the state store, newest first",
  {
    store: Type.String({ description: "the state store's directory" }),
    records: Type.Array(RunRecord),
    damaged: Type.Array(Text, { description: "run record files that could not be read, skipped" }),
  },
);

const Holder = Open(
  { runId: Text, host: Text, pid: Type.Integer(), time: Time, command: Text },
  "the run holding the lock",
);

export const StatusOutput = Doc(
  "reconciler status --json",
  "the state store's run lock, the freeze, each device's last run; with --devices, each device's lock",
  {
    store: Type.String({ description: "the state store's directory" }),
    runLock: Type.Union([
      Open({ state: Type.Literal("free") }, "no run holds the lock"),
      Open(
        { state: Type.Literal("held"), holder: Holder, stale: Type.Boolean() },
        "held; stale: its process on this host is gone",
      ),
      Open({ state: Type.Literal("unreadable"), error: Text }, "the lock file cannot be read"),
    ]),
    freeze: Type.Union([
      Open(
        {
          version: Type.Literal(1),
          frozen: Type.Optional(
            Open({ since: Time, by: Text, runId: Text, reason: Text }, "present while frozen"),
          ),
          rolledBack: Type.Array(Open({ revision: Text, runId: Text, time: Time }, "a revision rolled back")),
        },
        "the freeze",
      ),
      Open({ error: Text }, "the freeze file cannot be read: the fleet counts as frozen"),
    ]),
    lastRuns: Type.Record(
      Text,
      Open(
        { runId: Text, result: Text, endedAt: Time, revision: Type.Optional(Text) },
        "a device's last run",
      ),
    ),
    damaged: Type.Array(Text),
    runsError: Type.Optional(Text),
    deviceLocks: Type.Optional(
      Type.Array(
        Open(
          {
            device: Text,
            lock: Type.Union([Type.Literal("free"), Type.Literal("held"), Type.Literal("unknown")]),
            holder: Type.Optional(Text),
            stale: Type.Optional(Text),
            error: Type.Optional(Text),
          },
          "a device's own lock (status --devices)",
        ),
      ),
    ),
  },
);

export const KeysOutput = Doc(
  "reconciler keys --json",
  "the WireGuard public keys the devices reported, and what changed in inventory/wireguard-keys.yaml",
  {
    devices: Type.Array(
      Type.Union([
        Open(
          {
            device: Text,
            ok: Type.Literal(true),
            interfaces: Type.Array(
              Open(
                {
                  interface: Text,
                  publicKey: Type.String({ pattern: "^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$" }),
                  change: Type.Union([
                    Type.Literal("unchanged"),
                    Type.Literal("recorded"),
                    Type.Literal("changed"),
                  ]),
                },
                "one interface's public key; changed: it differs from the key recorded before",
              ),
            ),
          },
          "a device that answered",
        ),
        Open({ device: Text, ok: Type.Literal(false), error: Text }, "a device that could not be asked"),
      ]),
    ),
    changed: Type.Integer({ minimum: 0, description: "how many keys were written" }),
    file: Type.String({ description: "the file the keys are recorded in, relative to the repository" }),
  },
);

export const TrustOutput = Doc(
  "reconciler trust --json",
  "the SSH host key a device presented, and how inventory/known_hosts changed",
  {
    device: Text,
    address: Type.String({ description: "host:port, as the device was reached" }),
    keyType: Type.String({ description: "the key's type, as the device named it" }),
    fingerprint: Type.String({ description: "SHA256:..., as ssh-keygen -l prints it" }),
    pattern: Type.String({ description: "the known_hosts pattern the key is pinned for" }),
    outcome: Type.Union([Type.Literal("unchanged"), Type.Literal("added"), Type.Literal("replaced")]),
    replaced: Type.Array(Open({ keyType: Text, fingerprint: Text }, "a key pinned before for this pattern"), {
      description: "outcome replaced: the keys that were pinned before (the device's key CHANGED)",
    }),
    file: Type.String({ description: "the known_hosts file, relative to the repository" }),
  },
);

export const UnfreezeOutput = Doc("reconciler unfreeze --json", "the freeze lifted, if there was one", {
  wasFrozen: Type.Boolean(),
  frozen: Type.Optional(
    Open({ since: Time, by: Text, runId: Text, reason: Text }, "the freeze that was lifted"),
  ),
  freezeFileError: Type.Optional(
    Type.String({ description: "the freeze file could not be read: it was replaced" }),
  ),
  stillRefused: Type.Array(Text, {
    description: "revisions rolled back, refused until the branch moves past them",
  }),
});

const Action = Type.Union([Type.Literal("create"), Type.Literal("update"), Type.Literal("delete")]);

/**
 * `plan --json` prints the Plan value itself, the document `plan --out` saves and `apply PLAN`
 * reads back: its `version` is the plan format's, checked by apply, and plays schema_version's part.
 */
export const PlanOutput = Type.Object(
  {
    version: Type.Literal(1, { description: "the plan format's version: apply refuses another" }),
    createdAt: Time,
    origin: Type.String({ description: "where the desired state came from: the working tree or a revision" }),
    revision: Type.Optional(Type.String({ description: "the git commit the desired state was read at" })),
    shard: Type.Optional(
      Open(
        {
          shard: Type.String({ description: "K/N: this plan covers shard K of N (plan --shard)" }),
          devices: Type.Array(Text, { description: "the shard's devices, before --limit" }),
        },
        "one shard of the fleet; merge-plans joins the N shards' plans into one without it",
      ),
    ),
    devices: Type.Array(
      Open(
        {
          device: Text,
          platform: Text,
          status: Type.Union([Type.Literal("unchanged"), Type.Literal("changes"), Type.Literal("error")]),
          fingerprint: Type.Optional(
            Type.String({ description: "of the live state the plan was computed against" }),
          ),
          changes: Type.Array(
            Open(
              {
                device: Text,
                path: Type.String({
                  description: "where in the desired-state model, e.g. wireguard[wg-b].mtu",
                }),
                action: Action,
                before: Type.Optional(Type.Unknown()),
                after: Type.Optional(Type.Unknown()),
              },
              "one semantic change",
            ),
          ),
          files: Type.Array(
            Open(
              {
                path: Text,
                action: Action,
                before: Type.Union([Text, Type.Null()]),
                after: Type.Union([Text, Type.Null()]),
                diff: Type.String({ description: "unified diff of before to after" }),
              },
              "a file as it will be written (file-shaped platforms)",
            ),
          ),
          commands: Type.Optional(
            Type.Array(
              Open(
                { line: Text, description: Text },
                "a command as it will be sent (command-shaped platforms)",
              ),
            ),
          ),
          candidateFingerprint: Type.Optional(Text),
          unmanaged: Type.Array(
            Open({ path: Text, value: Type.Unknown() }, "on the device, not described by git"),
          ),
          notices: Type.Optional(Type.Array(Text)),
          publicKeys: Type.Optional(Type.Record(Text, Text)),
          error: Type.Optional(
            Open(
              { kind: Text, message: Text, command: Type.Optional(Text), output: Type.Optional(Text) },
              "why the device could not be planned",
            ),
          ),
        },
        "one device's plan",
      ),
    ),
    impact: Type.Optional(
      Type.Union([
        Type.String({ description: "why the plan has no routing impact (the base could not be read)" }),
        Open(
          {
            base: Open({ revision: Text, why: Text }, "the revision compared with, and why that one"),
            changes: Type.Array(Type.Unknown(), {
              description:
                "per router and prefix: kind (moved, unreachable, reachable, withdrawn), before, after",
            }),
            newSinglePoints: Open(
              { links: Type.Array(Text), devices: Type.Array(Text) },
              "links and devices whose loss alone would split the network, and did not before",
            ),
            totals: Type.Record(Text, Type.Integer()),
            links: Type.Array(Type.Unknown(), { description: "the routing links: kept, added or removed" }),
            notModelled: Type.Array(Text),
          },
          "the routing impact against an earlier revision (docs/impact.md)",
        ),
      ]),
    ),
  },
  {
    title: "reconciler plan --json",
    description: "the plan: per device, the changes and the exact text to be sent",
  },
);

export const UnlockOutput = Doc("reconciler unlock --json", "a lock freed, or why not", {
  lock: Type.Union([Type.Literal("device"), Type.Literal("repository")], {
    description: "a device's lock (unlock DEVICE) or the repository's run lock (--repo-lock)",
  }),
  device: Type.Optional(Text),
  run: Type.String({ description: "the run whose lock was to be freed" }),
  outcome: Type.Union(
    ["released", "not-locked", "refused", "held-by-another-run", "error"].map((o) => Type.Literal(o)),
    { description: "refused: that run still runs on this host; error: the device could not be asked" },
  ),
  holder: Type.Optional(Type.String({ description: "the run holding the lock, when it is not freed" })),
  error: Type.Optional(Text),
});

/** File name -> schema, for export.ts. */
export const OUTPUT_SCHEMAS: Record<string, TSchema> = {
  "validate-output.schema.json": ValidateOutput,
  "history-output.schema.json": HistoryOutput,
  "status-output.schema.json": StatusOutput,
  "keys-output.schema.json": KeysOutput,
  "trust-output.schema.json": TrustOutput,
  "unfreeze-output.schema.json": UnfreezeOutput,
  "plan-output.schema.json": PlanOutput,
  "unlock-output.schema.json": UnlockOutput,
};
