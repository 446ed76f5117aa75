// The apply half run for real in dash against a fake box: a temporary root stands for / (the
// scripts' absolute paths are moved under it) and a fake `ogcli` keeps its store as one file
// (export = copy it out, restore = copy it in, update/create = append a line and log the call).
// Stage copies the whole store aside; commit runs the commands and stops at the first failure;
// rollback puts the store back byte for byte and has ogcli restore the saved export.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ApplyContext } from "../../../reconciler/drivers/apply-contract.ts";
import { generateKeysScript } from "../../../reconciler/drivers/kit/wg-keys.ts";
import { opengearApply } from "../../../reconciler/drivers/opengear/apply/apply.ts";
import { healthScript } from "../../../reconciler/drivers/opengear/apply/health.ts";
import { KEY_DIR } from "../../../reconciler/drivers/opengear/apply/layout.ts";
import { commandsScript } from "../../../reconciler/drivers/opengear/apply/scripts.ts";
import { liveStateFromArtifacts } from "../../../reconciler/drivers/opengear/read.ts";
import { buildReadScript, EXPORT_ARTIFACT } from "../../../reconciler/drivers/opengear/read-script.ts";
import { redactExport } from "../../../reconciler/drivers/opengear/redact.ts";
import type { PlannedCommand } from "../../../reconciler/model/live.ts";
import type { ResolvedDevice } from "../../../reconciler/model/repo.ts";
import type { CommandResult, DeviceSession } from "../../../reconciler/transport/session.ts";
import { dashSyntax } from "../kit/dash.ts";
import { fixture, oob1 } from "./helpers.ts";

const FAKE_OGCLI = `#!/bin/sh
db="$ROOT/etc/config/ngcs.db"
verb=$1; shift
case "$verb" in
  export) cp "$db" "$1" ;;
  restore) cp "$1" "$db"; echo "restore" >> "$ROOT/ogcli.log" ;;
  get) exit 0 ;;
  update|create|delete)
    body=$(cat)
    echo "$verb $*" >> "$ROOT/ogcli.log"
    case "$* $body" in *"$FAIL_ON"*) [ -n "$FAIL_ON" ] && { echo "Error: invalid value" >&2; exit 1; } ;; esac
    printf '# applied: %s %s\\n' "$verb" "$*" >> "$db" ;;
  *) echo "unknown verb $verb" >&2; exit 2 ;;
esac
`;

function fakeBox(env: Record<string, string> = {}) {
  const root = mkdtempSync(join(tmpdir(), "og-apply-"));
  mkdirSync(join(root, "etc/config"), { recursive: true });
  mkdirSync(join(root, "bin"));
  writeFileSync(join(root, "bin/ogcli"), FAKE_OGCLI);
  chmodSync(join(root, "bin/ogcli"), 0o755);
  const db = join(root, "etc/config/ngcs.db");
  writeFileSync(db, fixture("export-oob.txt"), { mode: 0o600 });
  const moveText = (text: string) =>
    text
      .replaceAll("/etc/config", `${root}/etc/config`)
      .replaceAll("PATH=/usr/local/sbin:", `PATH=${root}/bin:/usr/local/sbin:`);
  // Uploads travel base64-encoded inside the script: moved too, decoded and encoded again.
  const move = (script: string) =>
    moveText(
      script.replace(
        /<<'(rcl-end-[0-9a-f]+)'([^\n]*)\n([A-Za-z0-9+/=\n]*?)\n\1(?=\n)/g,
        (_m, end: string, tail: string, b64: string) => {
          const text = Buffer.from(b64.replace(/\n/g, ""), "base64").toString("utf8");
          const again = Buffer.from(moveText(text), "utf8")
            .toString("base64")
            .replace(/(.{76})/g, "$1\n")
            .replace(/\n$/, "");
          return `<<'${end}'${tail}\n${again}\n${end}`;
        },
      ),
    );
  const run = (script: string): CommandResult => {
    const r = spawnSync("dash", ["-s"], {
      input: move(script),
      encoding: "utf8",
      env: { PATH: `${root}/bin:/usr/bin:/bin`, ROOT: root, ...env },
    });
    // What the box prints names its own paths: moved back.
    const back = (s: string) => s.replaceAll(`${root}/etc/config`, "/etc/config");
    return { command: "sh", stdout: back(r.stdout), stderr: back(r.stderr), exitCode: r.status ?? 1 };
  };
  const session = {
    device: "oob-1",
    sh: async (script: string) => run(script),
    run: async () => {
      throw new Error("not used");
    },
    line: async () => {
      throw new Error("not used");
    },
  } as unknown as DeviceSession;
  return {
    root,
    db,
    session,
    run,
    log: () => (existsSync(join(root, "ogcli.log")) ? readFileSync(join(root, "ogcli.log"), "utf8") : ""),
  };
}

const device = {
  name: "oob-1",
  platform: "opengear",
  host: "192.0.2.1",
  port: 22,
  user: "root",
} as ResolvedDevice;
const ctx = (runId: string): ApplyContext => ({
  runId,
  device,
  intent: oob1(),
  env: { OOB_SNMP_AUTH: "auth-secret-1", OOB_SNMP_PRIV: "priv-secret-2" },
});
const snapshotOf = (text: string) =>
  liveStateFromArtifacts("oob-1", { [EXPORT_ARTIFACT]: redactExport(text) });

const COMMANDS: PlannedCommand[] = [
  { line: `ogcli update port "ports-1" << 'END'\nlabel="a"\nEND`, description: "port 1" },
  { line: `ogcli update port "ports-2" << 'END'\nlabel="b"\nEND`, description: "port 2" },
  {
    line: `ogcli update services/snmpd << 'END'\nauth_password="@secret:OOB_SNMP_AUTH@"\nEND`,
    description: "snmp",
  },
];

describe("the device scripts parse in dash", () => {
  it("read, health, keys, commands", () => {
    expect(dashSyntax(buildReadScript("00112233445566778899"))).toBe("ok");
    expect(
      dashSyntax(
        healthScript(
          "r1",
          [
            { kind: "serial-port", port: "ports-1" },
            { kind: "cellular-failover" },
            { kind: "wireguard-tunnel", interface: "wg-mgmt", publicKey: "k", probe: "198.51.100.129" },
            { kind: "management-path", address: "snmp:161" },
            { kind: "management-path", address: "tailscale:self" },
          ],
          "00112233445566778899",
        ),
      ),
    ).toBe("ok");
    expect(dashSyntax(generateKeysScript(KEY_DIR, ["wg-mgmt"]))).toBe("ok");
    expect(dashSyntax(commandsScript(COMMANDS))).toBe("ok");
  });
});

describe("a run on a fake box", () => {
  it("read is one script that leaves the export redacted", () => {
    const box = fakeBox();
    const r = box.run(buildReadScript("00112233445566778899"));
    expect(r.exitCode).toBe(0);
    expect(r.stdout).not.toContain("Sup3r-s3cret-auth");
    expect(r.stdout).toContain('auth_password="@redacted@"');
  });

  it("stage copies the whole store aside, commit runs the commands, rollback restores it byte for byte", async () => {
    const box = fakeBox();
    const before = readFileSync(box.db, "utf8");
    const staged = await opengearApply.stage(
      box.session,
      ctx("r1"),
      { kind: "commands", commands: COMMANDS },
      snapshotOf(before),
    );
    expect(staged.secrets).toEqual(["auth-secret-1"]);
    const run = join(box.root, "etc/config/reconciler/runs/r1");
    expect(readFileSync(join(run, "snapshot/0"), "utf8")).toBe(before);
    expect(readFileSync(join(run, "snapshot/export"), "utf8")).toBe(before);
    await opengearApply.commit(box.session, ctx("r1"), staged, 60);
    expect(box.log()).toBe("update port ports-1\nupdate port ports-2\nupdate services/snmpd\n");
    expect(readFileSync(box.db, "utf8")).not.toBe(before);
    await opengearApply.rollback(box.session, ctx("r1"), staged);
    expect(readFileSync(box.db, "utf8")).toBe(before);
    expect(box.log()).toContain("restore");
    // The candidate held the secret: gone.
    expect(existsSync(join(run, "candidate"))).toBe(false);
  });

  it("commit stops at the first command that fails", async () => {
    const box = fakeBox({ FAIL_ON: "ports-2" });
    const before = readFileSync(box.db, "utf8");
    const staged = await opengearApply.stage(
      box.session,
      ctx("r2"),
      { kind: "commands", commands: COMMANDS },
      snapshotOf(before),
    );
    await expect(opengearApply.commit(box.session, ctx("r2"), staged, 60)).rejects.toThrow(
      /command 2 of 3 failed/,
    );
    expect(box.log()).toBe("update port ports-1\nupdate port ports-2\n");
    await opengearApply.rollback(box.session, ctx("r2"), staged);
    expect(readFileSync(box.db, "utf8")).toBe(before);
  });

  it("stage refuses a store changed since the read, and leaves nothing behind", async () => {
    const box = fakeBox();
    const read = readFileSync(box.db, "utf8");
    writeFileSync(box.db, `${read}ogcli update system/hostname << 'END'\nhostname="changed"\nEND\n`);
    await expect(
      opengearApply.stage(box.session, ctx("r3"), { kind: "commands", commands: COMMANDS }, snapshotOf(read)),
    ).rejects.toThrow(/store changed since it was read/);
    expect(existsSync(join(box.root, "etc/config/reconciler/runs/r3"))).toBe(false);
  });

  it("a WireGuard key token is filled on the box from the key it generated, or the stage refuses", async () => {
    const box = fakeBox();
    const before = readFileSync(box.db, "utf8");
    const wg: PlannedCommand[] = [
      {
        line: `ogcli create wireguard << 'END'\nname="wg-mgmt"\nprivate_key="@device-key:wg-mgmt@"\nEND`,
        description: "wg",
      },
    ];
    await expect(
      opengearApply.stage(box.session, ctx("r4"), { kind: "commands", commands: wg }, snapshotOf(before)),
    ).rejects.toThrow(/no private key for wg-mgmt/);
    mkdirSync(join(box.root, "etc/config/reconciler/keys"), { recursive: true });
    writeFileSync(
      join(box.root, "etc/config/reconciler/keys/wg-mgmt.key"),
      "cHJpdmF0ZWtleXByaXZhdGVrZXlwcml2YXRla2V5eHg=\n",
    );
    await opengearApply.stage(box.session, ctx("r5"), { kind: "commands", commands: wg }, snapshotOf(before));
    const filled = readFileSync(
      join(box.root, "etc/config/reconciler/runs/r5/candidate/commands.sh"),
      "utf8",
    );
    expect(filled).toContain('private_key="cHJpdmF0ZWtleXByaXZhdGVrZXlwcml2YXRla2V5eHg="');
  });

  it("a confirmed run is a restore point: restoring it puts the store of before back", async () => {
    const box = fakeBox();
    const before = readFileSync(box.db, "utf8");
    const staged = await opengearApply.stage(
      box.session,
      ctx("r6"),
      { kind: "commands", commands: COMMANDS },
      snapshotOf(before),
    );
    await opengearApply.commit(box.session, ctx("r6"), staged, 60);
    // As arm leaves it (the timer itself is the kit's, tested there).
    box.run(': > "$ROOT"/etc/conf""ig/reconciler/runs/r6/armed');
    await opengearApply.confirm(box.session, ctx("r6"), staged);
    const after = readFileSync(box.db, "utf8");
    expect(after).not.toBe(before);
    const points = (await opengearApply.restorePoints?.(box.session, ctx("r7"))) ?? [];
    expect(points.map((p) => p.runId)).toEqual(["r6"]);
    const point = points[0];
    if (!point) throw new Error("no point");
    const again = await opengearApply.stageRestore?.(box.session, ctx("r7"), point, snapshotOf(after));
    if (!again) throw new Error("no stageRestore");
    await opengearApply.commit(box.session, ctx("r7"), again, 60);
    expect(readFileSync(box.db, "utf8")).toBe(before);
  });
});
