// The simulator as a lab router: started by test/lab/lab.sh inside a router's namespaces, it serves
// the RouterOS console over SSH on the management address with the lab's host key and authorised
// keys, keeps its configuration under the router's lab directory, fires the scheduler on the real
// clock, and drives the namespace's kernel, wireguard-go and bird through the Linux backing.
//
//   node --import tsx lab-main.ts --name tower-1 --listen 198.51.100.135 --host-key FILE \
//     --authorized-keys FILE --state-dir DIR --pid-file FILE
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { LinuxBacking } from "./linux-backing.ts";
import { SimRouter } from "./router.ts";
import { startRouterOsSsh } from "./ssh-server.ts";

const { values } = parseArgs({
  options: {
    name: { type: "string" },
    listen: { type: "string" },
    port: { type: "string", default: "22" },
    "host-key": { type: "string" },
    "authorized-keys": { type: "string" },
    "state-dir": { type: "string" },
    "pid-file": { type: "string" },
    user: { type: "string", default: "reconciler" },
  },
});
for (const k of ["name", "listen", "host-key", "authorized-keys", "state-dir", "pid-file"] as const)
  if (!values[k]) throw new Error(`lab-main: --${k} is required`);

const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
const publicKeys = readFileSync(values["authorized-keys"] as string, "utf8")
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => /^ssh-ed25519 [A-Za-z0-9+/=]+/.test(l));

const backing = new LinuxBacking({ log });
const router = new SimRouter({
  identity: values.name,
  stateDir: values["state-dir"],
  realTimer: true,
  backing,
});
const sim = await startRouterOsSsh({
  router,
  host: values.listen,
  port: Number(values.port),
  hostKey: readFileSync(values["host-key"] as string, "utf8"),
  users: [{ name: values.user as string, publicKeys }],
});
// bird does not say since when a neighbour is Full: watch the neighbours, so that `adjacency=`
// is the time the simulator has seen it Full (to within this period)
setInterval(() => backing.ospfNeighbors(router.engine.store), 2000).unref();
// the pid file last: lab.sh takes it to mean "listening"
const pidFile = values["pid-file"] as string;
writeFileSync(`${pidFile}.tmp`, `${process.pid}\n`);
renameSync(`${pidFile}.tmp`, pidFile);
log(`${values.name}: RouterOS simulator on ${sim.host}:${sim.port}`);
const stop = () => {
  void sim.close().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
