// The simulated router over SSH (ssh2's server side): password or public-key login, the login
// name's `+flags` suffix accepted and ignored (`admin+ct511w4098h`, as netmiko and Oxidized log
// in: PLATFORMS.md "MikroTik RouterOS v7"), exec channels (the command line runs, its output
// comes back with CRLF line ends, then the exit status and the close) and a minimal interactive
// shell (`[admin@Name] > ` prompt, one line at a time).
import { timingSafeEqual } from "node:crypto";
import type { AddressInfo } from "node:net";
import ssh2 from "ssh2";
import type { RunResult } from "./engine.ts";
import { SimRouter, type SimRouterOptions } from "./router.ts";
import { sshKeyPair } from "./ssh-keys.ts";

const { Server, utils } = ssh2;

export interface SimUser {
  name: string;
  password?: string;
  /** OpenSSH public key lines ("ssh-ed25519 AAAA… comment"). */
  publicKeys?: string[];
}

export interface RouterOsSshOptions extends SimRouterOptions {
  /** An existing router to serve (else one is made from the other options). */
  router?: SimRouter;
  users?: SimUser[];
  host?: string;
  port?: number;
  /**
   * The exit status of an exec whose command failed. RouterOS is not documented to report one;
   * 0 by default (the error is in the output), 1 when a test prefers it.
   */
  errorExitStatus?: number;
  /** The host key (OpenSSH private key text); a fresh one when not given. */
  hostKey?: string;
}

export interface RouterOsSsh {
  host: string;
  port: number;
  router: SimRouter;
  /** The host key's public half: "ssh-ed25519 AAAA…". */
  hostPublicKey: string;
  /** `[host]:port type base64`, a known_hosts line. */
  knownHostsLine: string;
  /** Commands run over exec channels, in order. */
  commands: string[];
  /** TCP connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

/** `admin+ct511w4098h` → `admin` (terminal options after `+`). */
export function loginName(user: string): string {
  const m = /^(.*)\+[A-Za-z0-9]*$/.exec(user);
  return m?.[1] ?? user;
}

const crlf = (s: string) => s.replace(/\r?\n/g, "\r\n");

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The public half of an OpenSSH private key, as "type base64". */
function fromPrivate(text: string): { private: string; public: string } {
  const k = utils.parseKey(text);
  if (k instanceof Error) throw new Error(`host key: ${k.message}`);
  const key = Array.isArray(k) ? k[0] : k;
  return { private: text, public: `${key.type} ${key.getPublicSSH().toString("base64")}` };
}

export async function startRouterOsSsh(opts: RouterOsSshOptions = {}): Promise<RouterOsSsh> {
  const router = opts.router ?? new SimRouter({ realTimer: true, ...opts });
  const users = opts.users ?? [{ name: "admin", password: "" }];
  const keyPair = opts.hostKey ? fromPrivate(opts.hostKey) : sshKeyPair();
  const commands: string[] = [];
  let connections = 0;
  const allowed = new Map(
    users.map((u) => [
      u.name,
      (u.publicKeys ?? []).map((line) => {
        const k = utils.parseKey(line);
        if (k instanceof Error) throw k;
        return Array.isArray(k) ? k[0] : k;
      }),
    ]),
  );

  const clients = new Set<{ end(): unknown }>();
  // a reboot drops every connection, as on a real router
  router.rebootListeners.push(() => {
    for (const c of clients) c.end();
    clients.clear();
  });
  const server = new Server({ hostKeys: [keyPair.private] }, (client) => {
    connections++;
    clients.add(client);
    client.on("close", () => clients.delete(client));
    let user = "admin";
    client.on("authentication", (ctx) => {
      const name = loginName(ctx.username);
      const u = users.find((x) => x.name === name);
      if (!u) return ctx.reject();
      if (ctx.method === "password" && u.password !== undefined && same(ctx.password, u.password)) {
        user = name;
        return ctx.accept();
      }
      if (ctx.method === "publickey") {
        const key = (allowed.get(name) ?? []).find(
          (k) => k.type === ctx.key.algo && k.getPublicSSH().equals(ctx.key.data),
        );
        if (key && !ctx.signature) return ctx.accept();
        if (key && ctx.signature && ctx.blob && key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true) {
          user = name;
          return ctx.accept();
        }
      }
      if (ctx.method === "none" && u.password === "" && !(u.publicKeys ?? []).length) {
        user = name;
        return ctx.accept();
      }
      return ctx.reject(u.publicKeys?.length ? ["publickey", "password"] : ["password", "publickey"]);
    });
    client.on("ready", () => {
      client.on("session", (acceptSession) => {
        const session = acceptSession();
        session.on("pty", (accept) => accept?.());
        session.on("env", (accept) => accept?.());
        session.on("exec", (accept, _reject, info) => {
          const ch = accept();
          commands.push(info.command);
          const rebootsBefore = router.reboots;
          let r: RunResult;
          try {
            r = router.run(info.command, { path: "", user });
          } catch (e) {
            // a simulator bug, not a RouterOS answer: say so plainly rather than hang the client
            r = { output: `simulator error: ${(e as Error).message}\n`, ok: false, error: String(e) };
          }
          if (router.reboots !== rebootsBefore) return; // the connection is gone
          ch.write(crlf(r.output));
          ch.exit(r.ok ? 0 : (opts.errorExitStatus ?? 0));
          ch.end();
        });
        session.on("shell", (accept) => {
          const ch = accept();
          const state = { path: "", user };
          const prompt = () => {
            const name = router.engine.store.list("system identity")[0]?.values.name ?? "MikroTik";
            ch.write(`[${user}@${name}] ${state.path ? `/${state.path.replace(/ /g, "/")}` : ""}> `);
          };
          let buf = "";
          prompt();
          ch.on("data", (d: Buffer) => {
            buf += d.toString("utf8");
            for (let nl = buf.search(/[\r\n]/); nl >= 0; nl = buf.search(/[\r\n]/)) {
              const line = buf.slice(0, nl);
              buf = buf.slice(nl + 1).replace(/^\n/, "");
              ch.write(`${line}\r\n`);
              if (line.trim() === "/quit" || line.trim() === "quit") {
                ch.write("interrupted\r\n");
                ch.exit(0);
                ch.end();
                return;
              }
              if (line.trim()) {
                commands.push(line);
                ch.write(crlf(router.run(line, state).output));
              }
              prompt();
            }
          });
        });
      });
    });
    client.on("error", () => {});
  });

  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const hostPublicKey = keyPair.public.trim().split(" ").slice(0, 2).join(" ");
  return {
    host,
    port,
    router,
    hostPublicKey,
    knownHostsLine: `[${host}]:${port} ${hostPublicKey}`,
    commands,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        router.stop();
        server.close(() => resolve());
      }),
  };
}
