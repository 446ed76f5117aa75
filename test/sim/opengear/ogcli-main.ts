// Entry point of /usr/bin/ogcli inside a simulated Opengear (see lab-setup.sh):
//   ogcli-main.ts --sim-dir DIR -- ARGS...
// The store is /etc/config/ngcs.db (the router's private /etc/config); DIR holds the test's
// faults.json and the journal. A lock directory serialises concurrent ogcli runs.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { ogcli } from "./ogcli.ts";
import { applySnmpd } from "./snmpd.ts";
import { openStore, STORE_PATH, saveStore } from "./store.ts";
import type { Obj } from "./values.ts";
import { applyWireguard } from "./wireguard.ts";

const argv = process.argv.slice(2);
const sep = argv.indexOf("--");
const own = sep < 0 ? [] : argv.slice(0, sep);
const args = sep < 0 ? argv : argv.slice(sep + 1);
const simDir = own[own.indexOf("--sim-dir") + 1];
const storePath = own.includes("--store") ? (own[own.indexOf("--store") + 1] as string) : STORE_PATH;

// The lock: a directory holding the owner's pid; one whose owner is gone (killed) is taken over.
const lock = `${storePath}.lock`;
const deadline = Date.now() + 20_000;
const ownerAlive = (): boolean => {
  try {
    process.kill(Number(readFileSync(`${lock}/pid`, "utf8")), 0);
    return true;
  } catch {
    return false;
  }
};
for (;;) {
  try {
    mkdirSync(lock);
    writeFileSync(`${lock}/pid`, String(process.pid));
    break;
  } catch {
    if (!ownerAlive()) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) {
      process.stderr.write("Error: the configuration is locked\n");
      process.exit(1);
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
}
try {
  const store = openStore(storePath, hostname());
  const before = JSON.stringify(store);
  const res = ogcli(args, store, {
    stdin: () => readFileSync(0, "utf8"),
    readFile: (p) => readFileSync(p, "utf8"),
    writeFile: (p, t) => writeFileSync(p, t, { mode: 0o600 }),
    sim: simDir ? { dir: simDir } : undefined,
  });
  let stderr = res.stderr;
  const changed = JSON.stringify(res.store) !== before;
  if (changed) saveStore(storePath, res.store);
  // After a write, import or restore the services follow the store, changed or not: a store copied
  // back behind ogcli's back (the rollback of opengear/ogcli-restore-rollback) takes effect at the
  // next restore, as on the box.
  const verb = args.find((a, i) => !a.startsWith("-") && args[i - 1] !== "--secrets");
  if (
    changed ||
    ["update", "create", "delete", "replace", "merge", "import", "restore"].includes(verb ?? "")
  ) {
    // The box's hostname follows system/hostname (the router's own UTS namespace).
    const name = String((res.store.data.hostname as Obj).hostname);
    if (name !== hostname()) spawnSync("hostname", [name]);
    for (const e of applyWireguard(res.store.data.wireguards as Obj[])) stderr += `Warning: ${e}\n`;
    for (const e of applySnmpd(res.store)) stderr += `Warning: ${e}\n`;
  }
  process.stdout.write(res.stdout);
  process.stderr.write(stderr);
  process.exitCode = res.code;
} finally {
  rmSync(lock, { recursive: true, force: true });
}
