// A simulated tower-1 reached through the reconciler's own SSH transport: the key pair, its file,
// the simulator, the inventory entry and the pinned host key that every RouterOS test against the
// simulator needs, once.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ResolvedDevice } from "../../../reconciler/model/repo.ts";
import { parseKnownHosts } from "../../../reconciler/transport/known-hosts-file.ts";
import { SshTransport } from "../../../reconciler/transport/ssh.ts";
import { sshKeyPair } from "./ssh-keys.ts";
import { type RouterOsSsh, type RouterOsSshOptions, startRouterOsSsh } from "./ssh-server.ts";

export interface SimTower {
  sim: RouterOsSsh;
  device: ResolvedDevice;
  /** A new transport to the simulator (the caller closes it). */
  transport(): SshTransport;
  close(): Promise<void>;
}

/** `user` is the login (e.g. "reconciler+ct511w4098h"); the simulator's user is "reconciler". */
export async function startSimTower(opts: RouterOsSshOptions & { user?: string } = {}): Promise<SimTower> {
  const { user, ...simOpts } = opts;
  const key = sshKeyPair();
  const dir = mkdtempSync(join(tmpdir(), "ros-sim-tower-"));
  const keyFile = join(dir, "id_ed25519");
  writeFileSync(keyFile, key.private, { mode: 0o600 });
  const sim = await startRouterOsSsh({
    identity: "tower-1",
    ...simOpts,
    users: [{ name: "reconciler", publicKeys: [key.public] }],
  });
  const device: ResolvedDevice = {
    name: "tower-1",
    platform: "routeros",
    host: sim.host,
    port: sim.port,
    user: user ?? "reconciler",
    credentials: { agent: false, keyFileEnv: "RECONCILER_SSH_KEY" },
    sudo: false,
    connectTimeoutS: 5,
    groups: [],
    labels: {},
    vars: {},
  };
  const pins = parseKnownHosts("known_hosts", `${sim.knownHostsLine}\n`).entries;
  return {
    sim,
    device,
    transport: () => new SshTransport({ "tower-1": device }, pins, { env: { RECONCILER_SSH_KEY: keyFile } }),
    async close() {
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * An export without the restore points confirmed runs leave in `/system script` (the reconciler's
 * bookkeeping for an emergency rollback): continuation lines joined per item, each
 * `reconciler-restore-*` script left out, the section left out when nothing else is in it.
 */
export function withoutRestorePoints(exported: string): string {
  const items: string[] = [];
  for (const line of exported.split("\n")) {
    const last = items.length - 1;
    if (last >= 0 && (items[last] as string).endsWith("\\"))
      items[last] = `${(items[last] as string).slice(0, -1)}${line.replace(/^ {4}/, "")}`;
    else items.push(line);
  }
  const out: string[] = [];
  let section = "";
  for (const item of items) {
    if (item.startsWith("/")) section = item;
    if (
      section === "/system script" &&
      item.startsWith("add ") &&
      /(?:^| )name=reconciler-restore-/.test(item)
    )
      continue;
    out.push(item);
  }
  return out
    .filter(
      (l, i) =>
        !(
          l === "/system script" &&
          (out[i + 1] === undefined || out[i + 1]?.startsWith("/") || out[i + 1] === "")
        ),
    )
    .join("\n");
}
