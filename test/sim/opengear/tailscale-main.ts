// Entry point of /usr/bin/tailscale on the simulated box: tailscale-main.ts --sim-dir DIR -- ARGS.
// State in DIR/tailscale.json (a test may add peers there), each call in DIR/journal.jsonl.
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { freshState, type TsState, tailscale } from "./tailscale.ts";

const argv = process.argv.slice(2);
const sep = argv.indexOf("--");
const simDir = argv[argv.indexOf("--sim-dir") + 1] as string;
const args = argv.slice(sep + 1);
const statePath = join(simDir, "tailscale.json");
const state: TsState = existsSync(statePath) ? JSON.parse(readFileSync(statePath, "utf8")) : freshState();
appendFileSync(
  join(simDir, "journal.jsonl"),
  `${JSON.stringify({ time: new Date().toISOString(), tailscale: args })}\n`,
);
const res = tailscale(args, state, hostname());
writeFileSync(statePath, `${JSON.stringify(res.state, null, 2)}\n`);
process.stdout.write(res.stdout);
process.stderr.write(res.stderr);
process.exitCode = res.code;
