// Entry point of /bin/config on a simulated legacy Opengear (lab-setup.sh, dialect "legacy"):
//   config-main.ts --sim-dir DIR -- ARGS...
// Same store as ogcli (/etc/config/ngcs.db here; /etc/config/config.xml on a real legacy box).
import { appendFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { legacyConfig } from "./legacy.ts";
import { openStore, STORE_PATH, saveStore } from "./store.ts";

const argv = process.argv.slice(2);
const sep = argv.indexOf("--");
const own = sep < 0 ? [] : argv.slice(0, sep);
const args = sep < 0 ? argv : argv.slice(sep + 1);
const simDir = own[own.indexOf("--sim-dir") + 1];
const storePath = own.includes("--store") ? (own[own.indexOf("--store") + 1] as string) : STORE_PATH;

if (simDir)
  appendFileSync(
    join(simDir, "journal.jsonl"),
    `${JSON.stringify({ time: new Date().toISOString(), config: args })}\n`,
  );
const store = openStore(storePath, hostname());
const before = JSON.stringify(store);
const res = legacyConfig(args, store);
if (JSON.stringify(res.store) !== before) saveStore(storePath, res.store);
process.stdout.write(res.stdout);
process.stderr.write(res.stderr);
process.exitCode = res.code;
