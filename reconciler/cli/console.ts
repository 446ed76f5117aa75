// `reconciler console DEVICE [PORT]`: an interactive session on a serial console, through the
// console server the desired state says it hangs off. The wiring lives with the console server:
// its `serial_ports` entry names the device in `connected_to` (the port's label is only a label).
// DEVICE may also be the console server itself, with PORT its port number. The SSH login that
// selects a port is the console server's platform's own (its descriptor's `consoleLogin`, e.g.
// Opengear's `user:ports-N`); the host key is pinned from inventory/known_hosts as for any
// connection. resolveConsole is pure (tested); the session is a thin pipe: stdin to the port,
// the port to stdout, the terminal in raw mode while it lasts.
import { resolve as resolvePath } from "node:path";
import type { ClientChannel } from "ssh2";
import { DESCRIPTORS } from "../drivers/descriptors.ts";
import { PATHS } from "../load/load.ts";
import { WorkingTreeReader } from "../load/reader.ts";
import { hasErrors } from "../model/diagnostic.ts";
import { DeviceError } from "../model/errors.ts";
import type { DesiredRepo, ResolvedDevice } from "../model/repo.ts";
import { formatDiagnostic } from "../report/diagnostics.ts";
import { safeLine, safeMessage } from "../report/terminal-safe.ts";
import { openConnection } from "../transport/connect.ts";
import { authFor } from "../transport/credentials.ts";
import { pinnedKeysFor } from "../transport/host-keys.ts";
import { parseKnownHosts } from "../transport/known-hosts-file.ts";
import { CliError, EXIT } from "./exit-codes.ts";
import { loadFromOptions } from "./open-repo.ts";

/** What a platform offers for console access, if anything (see drivers/opengear/console.ts). */
type ConsoleLogin = (user: string, port: number) => string;

export interface ConsoleTarget {
  /** The console server to connect to, with the login that selects the port. */
  server: ResolvedDevice;
  login: string;
  port: number;
  label: string;
  /** The device whose console it is, when the desired state says. */
  device?: string;
}

export class ConsoleResolveError extends Error {}

/** Every serial port of every console server, with what it is wired to. */
function consolePorts(repo: DesiredRepo) {
  return Object.entries(repo.expanded).flatMap(([server, intent]) =>
    (intent.serial_ports ?? []).map((p) => ({
      server,
      port: p.port,
      label: p.label,
      connectedTo: p.connected_to,
    })),
  );
}

const matchesPort = (want: string, p: { port: number; label: string }) =>
  want === String(p.port) || want === `ports-${p.port}` || want.toLowerCase() === p.label.toLowerCase();

/**
 * Which console server and port reach DEVICE's console. DEVICE is a device wired to a console
 * port (PORT then chooses among several of its consoles), or a console server (PORT required:
 * its port number, ports-N or label). Errors name what is known.
 */
export function resolveConsole(
  repo: DesiredRepo,
  deviceName: string,
  port: string | undefined,
  logins: (platform: string) => ConsoleLogin | undefined,
): ConsoleTarget {
  if (!repo.devices[deviceName]) throw new ConsoleResolveError(`unknown device: ${deviceName}`);
  const ports = consolePorts(repo);
  const own = ports.filter((p) => p.server === deviceName);
  const wired = ports.filter((p) => p.connectedTo === deviceName);
  let chosen: (typeof ports)[number] | undefined;
  if (wired.length > 0) {
    const candidates = port === undefined ? wired : wired.filter((p) => matchesPort(port, p));
    if (candidates.length === 0)
      throw new ConsoleResolveError(
        `${deviceName} has no console port ${port}; its consoles: ${wired.map((p) => `${p.server} port ${p.port} (${p.label})`).join(", ")}`,
      );
    if (candidates.length > 1)
      throw new ConsoleResolveError(
        `${deviceName} has ${candidates.length} consoles: ${candidates.map((p) => `${p.server} port ${p.port} (${p.label})`).join(", ")}; name one as PORT`,
      );
    chosen = candidates[0];
  } else if (own.length > 0) {
    if (port === undefined)
      throw new ConsoleResolveError(
        `${deviceName} is a console server: name a port (${own.map((p) => `${p.port} ${p.label}`).join(", ")})`,
      );
    chosen = own.find((p) => matchesPort(port, p));
    if (!chosen)
      throw new ConsoleResolveError(
        `${deviceName} has no serial port ${port} in its desired state (${own.map((p) => `${p.port} ${p.label}`).join(", ")})`,
      );
  } else
    throw new ConsoleResolveError(
      `no console port is wired to ${deviceName}: no console server's serial_ports entry says connected_to: ${deviceName}`,
    );
  if (!chosen) throw new ConsoleResolveError(`no console for ${deviceName}`);
  const server = repo.devices[chosen.server];
  if (!server) throw new ConsoleResolveError(`the console server ${chosen.server} is not in the inventory`);
  const login = logins(server.platform);
  if (!login)
    throw new ConsoleResolveError(`${server.name} (${server.platform}) offers no console access by SSH`);
  return {
    server,
    login: login(server.user, chosen.port),
    port: chosen.port,
    label: chosen.label,
    ...(chosen.connectedTo ? { device: chosen.connectedTo } : {}),
  };
}

/** The console login of a platform, from its descriptor (any platform may offer one). */
export function descriptorLogin(platform: string): ConsoleLogin | undefined {
  const d = DESCRIPTORS[platform as keyof typeof DESCRIPTORS] as { consoleLogin?: unknown } | undefined;
  return typeof d?.consoleLogin === "function" ? (d.consoleLogin as ConsoleLogin) : undefined;
}

export interface ConsoleOptions {
  repo?: string;
}

/**
 * Pipes the terminal to the shell channel until either side ends; raw mode on a TTY. A session
 * the console server ended with a failure (a refused port, for one) is a failed command.
 */
function pipeTerminal(channel: ClientChannel): Promise<number> {
  const stdin = process.stdin;
  const raw = stdin.isTTY === true;
  let status: number | undefined;
  channel.on("exit", (code: number | null) => {
    status = code ?? undefined;
  });
  return new Promise((done) => {
    if (raw) stdin.setRawMode(true);
    const resize = () => channel.setWindow(process.stdout.rows ?? 24, process.stdout.columns ?? 80, 0, 0);
    process.stdout.on("resize", resize);
    stdin.pipe(channel);
    channel.pipe(process.stdout);
    channel.stderr.pipe(process.stderr);
    channel.on("close", () => {
      stdin.unpipe(channel);
      if (raw) stdin.setRawMode(false);
      stdin.pause();
      process.stdout.off("resize", resize);
      done(status === undefined || status === 0 ? EXIT.ok : EXIT.error);
    });
  });
}

export async function consoleCommand(
  deviceName: string,
  port: string | undefined,
  opts: ConsoleOptions,
  out: NodeJS.WritableStream,
  color = false,
): Promise<number> {
  const root = resolvePath(opts.repo ?? process.cwd());
  const loaded = await loadFromOptions({ repo: root });
  if (!loaded.repo || hasErrors(loaded.diagnostics)) {
    for (const d of loaded.diagnostics) out.write(`${formatDiagnostic(d, color)}\n`);
    return EXIT.error;
  }
  let target: ConsoleTarget;
  try {
    target = resolveConsole(loaded.repo, deviceName, port, descriptorLogin);
  } catch (err) {
    if (err instanceof ConsoleResolveError) throw new CliError(safeLine(err.message), EXIT.usage);
    throw err;
  }
  const text = (await new WorkingTreeReader(root).read(PATHS.knownHosts)) ?? "";
  const { server } = target;
  const pins = pinnedKeysFor(parseKnownHosts(PATHS.knownHosts, text).entries, server.host, server.port);
  const asPort: ResolvedDevice = { ...server, user: target.login };
  out.write(
    `${safeLine(target.device ?? deviceName)}: console on ${safeLine(server.name)} port ${target.port} (${safeLine(target.label)}) as ${safeLine(target.login)}\n`,
  );
  try {
    const auth = await authFor(asPort, process.env);
    const client = await openConnection(asPort, pins, auth, {
      keepaliveIntervalMs: 15_000,
      keepaliveCountMax: 3,
    });
    try {
      const channel = await new Promise<ClientChannel>((ok, ko) =>
        client.shell(
          {
            term: process.env.TERM ?? "vt100",
            rows: process.stdout.rows ?? 24,
            cols: process.stdout.columns ?? 80,
          },
          (err, ch) => (err ? ko(err) : ok(ch)),
        ),
      );
      return await pipeTerminal(channel);
    } finally {
      client.end();
    }
  } catch (err) {
    if (err instanceof DeviceError) throw new CliError(safeMessage(err.message, "    | "), EXIT.error);
    throw err;
  }
}
