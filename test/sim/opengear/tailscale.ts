// A `tailscale` command for the simulated box (Tailscale itself cannot run here): `up`, `down`
// and `status [--json]` in the formats of the Tailscale CLI (tailscale/tailscale cmd/tailscale/cli
// up.go, status.go; ipn/ipnstate Status), with its state in STATE (tailscale.json in the sim dir)
// and every invocation appended to the journal. Differences, on purpose: addresses are from the
// documentation ranges (203.0.113.0/24, 2001:db8:7a11::/48) instead of 100.64.0.0/10 and
// fd7a:115c:a1e0::/48; `up` without a key prints the login URL and exits 1 instead of waiting.
import { createHash } from "node:crypto";

export interface TsPrefs {
  hostname: string;
  advertiseRoutes: string[];
  acceptRoutes: boolean;
  advertiseTags: string[];
  loginServer: string;
  ssh: boolean;
  acceptDns: boolean;
}
export interface TsPeer {
  hostName: string;
  ip: string;
  online: boolean;
  publicKey?: string;
}
export interface TsState {
  loggedIn: boolean;
  running: boolean;
  prefs: TsPrefs;
  /** Peers a test puts there (the tailnet's other nodes). */
  peers: TsPeer[];
}

export const DEFAULT_PREFS: TsPrefs = {
  hostname: "",
  advertiseRoutes: [],
  acceptRoutes: false,
  advertiseTags: [],
  loginServer: "https://controlplane.tailscale.com",
  ssh: false,
  acceptDns: true,
};

export function freshState(): TsState {
  return { loggedIn: false, running: false, prefs: { ...DEFAULT_PREFS }, peers: [] };
}

export interface TsResult {
  stdout: string;
  stderr: string;
  code: number;
  state: TsState;
}

const VERSION = "1.76.6";
const FLAG_NAMES: { [k: string]: keyof TsPrefs | "authkey" | "reset" | "timeout" } = {
  "--authkey": "authkey",
  "--auth-key": "authkey",
  "--hostname": "hostname",
  "--advertise-routes": "advertiseRoutes",
  "--accept-routes": "acceptRoutes",
  "--advertise-tags": "advertiseTags",
  "--login-server": "loginServer",
  "--ssh": "ssh",
  "--accept-dns": "acceptDns",
  "--reset": "reset",
  "--timeout": "timeout",
};
const BOOL_FLAGS = new Set(["acceptRoutes", "ssh", "acceptDns", "reset"]);

/** The flag spelling of a non-default pref, for the "mention all non-default flags" error. */
function flagOf(k: keyof TsPrefs, p: TsPrefs): string {
  const name = Object.entries(FLAG_NAMES).find(([f, v]) => v === k && f !== "--auth-key")?.[0] as string;
  const v = p[k];
  if (typeof v === "boolean") return v ? name : `${name}=false`;
  return `${name}=${Array.isArray(v) ? v.join(",") : v}`;
}

function nonDefault(p: TsPrefs): (keyof TsPrefs)[] {
  return (Object.keys(DEFAULT_PREFS) as (keyof TsPrefs)[]).filter(
    (k) => JSON.stringify(p[k]) !== JSON.stringify(DEFAULT_PREFS[k]),
  );
}

function ips(host: string): [string, string] {
  const n = ((createHash("sha256").update(host).digest()[0] as number) % 253) + 1;
  return [`203.0.113.${n}`, `2001:db8:7a11::${n.toString(16)}`];
}

function up(args: string[], st: TsState, host: string): TsResult {
  const given: Partial<Record<string, string | boolean | string[]>> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const [f, inline] = a.includes("=")
      ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)]
      : [a, undefined];
    const k = FLAG_NAMES[f];
    if (!k) return { stdout: "", stderr: `flag provided but not defined: ${f}\n`, code: 2, state: st };
    if (BOOL_FLAGS.has(k)) given[k] = inline === undefined ? true : inline === "true";
    else {
      const v = inline ?? args[++i];
      if (v === undefined)
        return { stdout: "", stderr: `flag needs an argument: ${f}\n`, code: 2, state: st };
      given[k] = k === "advertiseRoutes" || k === "advertiseTags" ? v.split(",").filter(Boolean) : v;
    }
  }
  const next: TsPrefs = { ...DEFAULT_PREFS };
  for (const k of Object.keys(DEFAULT_PREFS) as (keyof TsPrefs)[])
    if (given[k] !== undefined) (next as unknown as Record<string, unknown>)[k] = given[k];
  // up.go: settings changed by a bare `up` must mention every non-default flag, unless --reset.
  if (st.loggedIn && !given.reset) {
    const missing = nonDefault(st.prefs).filter((k) => given[k] === undefined);
    if (missing.length > 0) {
      const all = [...nonDefault(next), ...missing].filter((k, i, a) => a.indexOf(k) === i);
      const merged = { ...next, ...Object.fromEntries(missing.map((k) => [k, st.prefs[k]])) } as TsPrefs;
      const cmd = ["tailscale up", ...all.map((k) => flagOf(k, merged))].join(" ");
      return {
        stdout: "",
        stderr: `Error: changing settings via 'tailscale up' requires mentioning all\nnon-default flags. To proceed, either re-run your command with --reset or\nuse the command shown below to explicitly mention the current value of\nall non-default settings:\n\n\t${cmd}\n\n`,
        code: 1,
        state: st,
      };
    }
  }
  if (!st.loggedIn && !given.authkey) {
    const id = createHash("sha256").update(host).digest("hex").slice(0, 12);
    return {
      stdout: "",
      stderr: `\nTo authenticate, visit:\n\n\thttps://login.tailscale.com/a/${id}\n\n`,
      code: 1,
      state: st,
    };
  }
  return { stdout: "", stderr: "", code: 0, state: { ...st, loggedIn: true, running: true, prefs: next } };
}

function statusJson(st: TsState, host: string): string {
  const [v4, v6] = ips(host);
  const name = st.prefs.hostname || host;
  const backend = !st.loggedIn ? "NeedsLogin" : st.running ? "Running" : "Stopped";
  const suffix = "example-tailnet.ts.net";
  const peer = (p: TsPeer, i: number) => [
    `nodekey:${createHash("sha256").update(p.hostName).digest("hex")}`,
    {
      ID: `n${100 + i}CNTRL`,
      PublicKey: `nodekey:${createHash("sha256").update(p.hostName).digest("hex")}`,
      HostName: p.hostName,
      DNSName: `${p.hostName}.${suffix}.`,
      OS: "linux",
      UserID: 1,
      TailscaleIPs: [p.ip],
      AllowedIPs: [`${p.ip}/32`],
      Online: p.online,
      Active: p.online,
      ExitNode: false,
      ExitNodeOption: false,
      LastHandshake: p.online ? new Date().toISOString() : "0001-01-01T00:00:00Z",
      InNetworkMap: true,
      InMagicSock: true,
      InEngine: true,
    },
  ];
  const status = {
    Version: VERSION,
    TUN: true,
    BackendState: backend,
    HaveNodeKey: st.loggedIn,
    AuthURL: "",
    TailscaleIPs: st.loggedIn ? [v4, v6] : null,
    Self: {
      ID: "n1CNTRL",
      PublicKey: `nodekey:${createHash("sha256").update(name).digest("hex")}`,
      HostName: name,
      DNSName: st.loggedIn ? `${name}.${suffix}.` : "",
      OS: "linux",
      UserID: 1,
      TailscaleIPs: st.loggedIn ? [v4, v6] : null,
      PrimaryRoutes: st.running ? st.prefs.advertiseRoutes : undefined,
      Online: st.running,
      Active: false,
      ExitNode: false,
      ExitNodeOption: false,
      InNetworkMap: true,
      InMagicSock: false,
      InEngine: false,
    },
    Health: st.running ? [] : ["Tailscale is stopped."],
    MagicDNSSuffix: suffix,
    CurrentTailnet: st.loggedIn
      ? { Name: "netops@example.net", MagicDNSSuffix: suffix, MagicDNSEnabled: true }
      : null,
    CertDomains: null,
    Peer: st.running ? Object.fromEntries(st.peers.map(peer)) : null,
    User: st.loggedIn ? { "1": { ID: 1, LoginName: "netops@example.net", DisplayName: "netops" } } : null,
    ClientVersion: null,
  };
  return `${JSON.stringify(status, null, 2)}\n`;
}

export function tailscale(argv: string[], st: TsState, host: string): TsResult {
  const [cmd, ...args] = argv;
  switch (cmd) {
    case "up":
      return up(args, st, host);
    case "down":
      return { stdout: "", stderr: "", code: 0, state: { ...st, running: false } };
    case "status":
      if (args.includes("--json")) return { stdout: statusJson(st, host), stderr: "", code: 0, state: st };
      if (!st.running) return { stdout: "Tailscale is stopped.\n", stderr: "", code: 1, state: st };
      return {
        stdout: `${ips(host)[0]}  ${st.prefs.hostname || host}  netops@  linux  -\n${st.peers
          .map((p) => `${p.ip}  ${p.hostName}  netops@  linux  ${p.online ? "active; direct" : "offline"}\n`)
          .join("")}`,
        stderr: "",
        code: 0,
        state: st,
      };
    case "version":
      return { stdout: `${VERSION}\n`, stderr: "", code: 0, state: st };
    default:
      return { stdout: "", stderr: `tailscale: unknown subcommand "${cmd ?? ""}"\n`, code: 2, state: st };
  }
}
