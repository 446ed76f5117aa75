// The effects of the actions, on the lab namespace: what OPNsense's scripts do on FreeBSD, done
// with Debian's tools. WireGuard follows wg-service-control.php (opnsense/core
// src/opnsense/scripts/wireguard/): create the interface wg<instance> when missing (wireguard-go
// here, `ifconfig wg create` there), `wg syncconf` from the rendered file, the tunnel addresses,
// the MTU, routes to the peers' tunnel addresses unless disableroutes (a /0 as two /1 halves,
// the instance's own subnets skipped), up; with -a, files and interfaces of instances no longer
// configured are removed. FRR: rc.d/frr start|stop|restart|reload becomes Debian's frrinit.sh and
// frr-reload.py on /etc/frr/frr.conf, which receives the rendered /usr/local/etc/frr/frr.conf.
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname } from "node:path";
import { execTool } from "../routeros/linux-exec.ts";
import { items, type WgServer, type WireguardModel, wireguardModel } from "./model.ts";
import { FRR_CONF, frrEnabled, renderFrr } from "./render-frr.ts";
import { renderWireguard, WG_CONF_DIR } from "./render-wg.ts";
import { at, text, type XmlElement } from "./xml.ts";

/** Where the files live; tests point these at a temporary directory. */
export interface Paths {
  config: string;
  wgDir: string;
  frrConf: string;
  /** Debian FRR's integrated config, which frr-reload.py applies. */
  debianFrrConf: string;
  /** What `filter reload` loaded, which pfctl prints (pf.ts; the simulator's own file). */
  pfState: string;
}

export const REAL_PATHS: Paths = {
  config: "/conf/config.xml",
  wgDir: WG_CONF_DIR,
  frrConf: FRR_CONF,
  debianFrrConf: "/etc/frr/frr.conf",
  pfState: "/usr/local/etc/pf.sim.json",
};

function writeRootOnly(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, content, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** template.reload: the files written; none (no server item) makes configd reply ERR. */
export function renderWireguardFiles(root: XmlElement, paths: Paths): string[] {
  const files = renderWireguard(wireguardModel(root));
  for (const f of files) writeRootOnly(f.path.replace(WG_CONF_DIR, paths.wgDir), f.content);
  return files.map((f) => f.path);
}

export function renderFrrFiles(root: XmlElement, paths: Paths): string[] {
  writeRootOnly(paths.frrConf, renderFrr(root));
  return [FRR_CONF];
}

const ip = (...args: string[]) => execTool("ip", args);

function linkExists(dev: string): boolean {
  return ip("link", "show", "dev", dev).ok;
}

/** The network of a CIDR address (gen_subnet), IPv4 only; IPv6 kept as given. */
function subnetOf(cidr: string): string {
  const [addr, len] = cidr.split("/");
  if (!addr || !len || addr.includes(":")) return cidr;
  const n = addr.split(".").reduce((a, o) => a * 256 + Number(o), 0);
  const bits = Number(len);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const net = (n & mask) >>> 0;
  return `${[24, 16, 8, 0].map((s) => (net >>> s) & 255).join(".")}/${len}`;
}

function wgStart(s: WgServer, m: WireguardModel, paths: Paths): string[] {
  const dev = `wg${s.instance}`;
  const errors: string[] = [];
  const check = (r: { ok: boolean; err: string }, what: string) => {
    if (!r.ok) errors.push(`${what}: ${r.err.trim()}`);
  };
  if (!linkExists(dev)) check(execTool("wireguard-go", [dev]), `wireguard-go ${dev}`);
  check(execTool("wg", ["syncconf", dev, `${paths.wgDir}/${dev}.conf`]), `wg syncconf ${dev}`);
  // Addresses follow the model: an instance whose tunnel addresses changed is scrubbed first.
  const have = ip("-o", "addr", "show", "dev", dev)
    .out.split("\n")
    .map((l) => /\binet6? (\S+)/.exec(l)?.[1])
    .filter((a): a is string => !!a && !a.startsWith("fe80:"));
  for (const a of have) if (!s.tunneladdress.includes(a)) ip("addr", "del", a, "dev", dev);
  for (const a of s.tunneladdress)
    if (!have.includes(a)) check(ip("addr", "add", a, "dev", dev), `address ${a}`);
  if (s.mtu) check(ip("link", "set", "dev", dev, "mtu", s.mtu), `mtu ${s.mtu}`);
  if (!s.disableroutes) {
    const skip = new Set(s.tunneladdress.map(subnetOf));
    const routes = new Set<string>();
    for (const c of m.clients) {
      if (!c.enabled || !s.peers.includes(c.uuid)) continue;
      for (const a of c.tunneladdress) {
        const net = subnetOf(a);
        if (net.endsWith("/0")) {
          for (const half of net.includes(":") ? ["::/1", "8000::/1"] : ["0.0.0.0/1", "128.0.0.0/1"])
            routes.add(half);
        } else if (!skip.has(net)) routes.add(net);
      }
    }
    for (const r of routes) ip("route", "replace", r, "dev", dev);
  } else if (s.gateway) {
    ip("route", "replace", s.gateway, "dev", dev);
  }
  check(ip("link", "set", "dev", dev, "up"), `link up ${dev}`);
  return errors;
}

function wgStop(dev: string): void {
  if (linkExists(dev)) ip("link", "del", "dev", dev);
}

/**
 * wg-service-control.php ACTION [-a] [uuid]. Returns the script's exit status, 0: its commands
 * run through mwexecf(), which logs a failure and goes on (OPNSENSE_SIM_DEBUG=1 prints them).
 */
export function wireguardControl(
  root: XmlElement,
  paths: Paths,
  action: "start" | "stop" | "restart" | "configure",
  all: boolean,
  id: string,
): number {
  if (!all && !id) return 0; // the usage text: configd still replies OK
  const m = wireguardModel(root);
  const devs: string[] = [];
  if (m.enabled) {
    for (const s of m.servers) {
      if (!s.enabled || (id && s.uuid !== id)) continue;
      const dev = `wg${s.instance}`;
      devs.push(dev);
      if (action === "stop") wgStop(dev);
      else {
        if (action === "restart") wgStop(dev);
        // mwexecf() only logs a failed command: the script still exits 0.
        const errors = wgStart(s, m, paths);
        if (errors.length > 0 && process.env.OPNSENSE_SIM_DEBUG)
          process.stderr.write(`${errors.join("\n")}\n`);
      }
    }
  }
  if (all && !id) {
    // Old or disabled instances: their files and interfaces go.
    const files = existsSync(paths.wgDir) ? readdirSync(paths.wgDir) : [];
    for (const f of files.filter((x) => /^wg\d+\./.test(x))) {
      const dev = f.split(".")[0] as string;
      if (devs.includes(dev)) continue;
      unlinkSync(`${paths.wgDir}/${f}`);
      wgStop(dev);
    }
  }
  return 0;
}

const FRR_DAEMONS_ORDER = ["zebra", "ospfd", "bgpd", "ospf6d", "staticd"];

/** rc.d/frr ACTION: 0 on success; FRR is touched only while the plugin is enabled (frr_enable). */
export function frrControl(
  root: XmlElement,
  paths: Paths,
  action: "start" | "stop" | "restart" | "reload",
): number {
  if (action === "stop") return execTool("/usr/lib/frr/frrinit.sh", ["stop"]).ok ? 0 : 1;
  // setup.sh (watchfrr_setup, and the first step of the reload action) regenerates the templates.
  renderFrrFiles(root, paths);
  if (!frrEnabled(root)) return 1; // "Cannot 'start' frr. Set frr_enable to YES ..."
  writeFileSync(paths.debianFrrConf, readFileSync(paths.frrConf, "utf8"), { mode: 0o640 });
  try {
    chownSync(paths.debianFrrConf, frrUid(), frrGid());
  } catch {
    // unit tests run without an frr user: the file stays root's
  }
  if (action === "restart") return execTool("/usr/lib/frr/frrinit.sh", ["restart"]).ok ? 0 : 1;
  const running = existsSync("/run/frr/zebra.pid");
  if (!running) return execTool("/usr/lib/frr/frrinit.sh", ["start"]).ok ? 0 : 1;
  return execTool("/usr/lib/frr/frr-reload.py", ["--reload", paths.debianFrrConf]).ok ? 0 : 1;
}

function idOf(field: 2 | 3): number {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith("frr:"));
  return Number(line?.split(":")[field] ?? 0);
}
const frrUid = () => idOf(2);
const frrGid = () => idOf(3);

/** rc.d/frr status: one line per daemon, FreeBSD rc's wording. */
export function frrStatus(): string {
  return FRR_DAEMONS_ORDER.map((d) => {
    const pidFile = `/run/frr/${d}.pid`;
    const pid = existsSync(pidFile) ? readFileSync(pidFile, "utf8").trim() : "";
    const alive = pid !== "" && existsSync(`/proc/${pid}`);
    return alive ? `${d} is running as pid ${pid}.` : `${d} is not running.`;
  }).join("\n");
}

/**
 * `interface loopback configure` (and `interface reconfigure <ident>`): the loopback model
 * (//OPNsense/Interfaces/loopbacks/loopback, `deviceId` N: device loN) made real as Linux
 * port-less bridges (the lab's kernel has no dummy driver), and the static IPv4/IPv6 address of
 * each interface assignment (//interfaces/<ident>: `if`, `ipaddr`+`subnet`, `ipaddrv6`+`subnetv6`)
 * put on its loopback device, as the box configures an assigned loopback. Loopback devices the model no longer has are destroyed.
 * Returns the failures (the real script logs them and answers OK).
 */
export function loopbackControl(root: XmlElement, only?: string): string[] {
  const errors: string[] = [];
  const wanted = new Set(
    items(root, "OPNsense/Interfaces/loopbacks", "loopback")
      .map(({ e }) => text(e, "deviceId"))
      .filter((id) => /^[0-9]{1,4}$/.test(id))
      .map((id) => `lo${id}`),
  );
  if (only === undefined) {
    const present = ip("-o", "link", "show")
      .out.split("\n")
      .map((l) => /^\d+: ([^:@]+)/.exec(l)?.[1] ?? "")
      .filter((d) => /^lo[0-9]+$/.test(d));
    for (const dev of present) if (!wanted.has(dev)) ip("link", "del", "dev", dev);
    for (const dev of wanted) {
      if (!linkExists(dev)) {
        // FreeBSD's lo(4) clone; this lab's kernel has no dummy driver: a bridge without ports
        // holds an address the same way (as the RouterOS simulator's loopback bridge does).
        const r = ip("link", "add", "dev", dev, "type", "bridge");
        if (!r.ok) errors.push(`create ${dev}: ${r.err.trim()}`);
      }
      ip("link", "set", "dev", dev, "up");
    }
  }
  for (const a of at(root, "interfaces")?.children ?? []) {
    if (only !== undefined && a.name !== only) continue;
    const dev = text(a, "if");
    if (!wanted.has(dev) || !linkExists(dev)) continue;
    for (const [addr, len] of [
      [text(a, "ipaddr"), text(a, "subnet")],
      [text(a, "ipaddrv6"), text(a, "subnetv6")],
    ] as const) {
      if (!addr || !/^\d{1,3}$/.test(len)) continue;
      const r = ip("addr", "replace", `${addr}/${len}`, "dev", dev);
      if (!r.ok) errors.push(`address ${addr}/${len} on ${dev}: ${r.err.trim()}`);
    }
  }
  return errors;
}
