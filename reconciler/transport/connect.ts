// Opening one ssh2 connection to a device: the host key is checked against the pins during key
// exchange (before any credential is sent), and every failure becomes a typed error naming the
// device and host:port. Also the key scan of `reconciler trust`, which never authenticates.
import type { Duplex } from "node:stream";
import ssh2, { type Client, type ServerHostKeyAlgorithm } from "ssh2";
import { AuthError, ConnectionError, DeviceError, HostKeyError, redact } from "../model/errors.ts";
import type { ResolvedDevice } from "../model/repo.ts";
import type { AuthPlan } from "./credentials.ts";
import {
  DEFAULT_HOST_KEY_ALGORITHMS,
  fingerprint,
  hostKeyAlgorithms,
  keyTypeOf,
  type PinnedKey,
  verifyHostKey,
} from "./host-keys.ts";

export interface ConnectionOptions {
  /** SSH-level keepalive interval (0 disables). */
  keepaliveIntervalMs: number;
  /** Unanswered keepalives before the connection is declared dead. */
  keepaliveCountMax: number;
  /** ssh2's debug output, for troubleshooting (never contains credentials). */
  debug?: (line: string) => void;
  /**
   * A stream already carrying bytes to the device (a channel forwarded by the jump host the
   * inventory's `via` names): the SSH handshake runs over it instead of a TCP connection of ours.
   */
  sock?: Duplex;
}

export const where = (d: Pick<ResolvedDevice, "host" | "port">) =>
  d.host.includes(":") ? `[${d.host}]:${d.port}` : `${d.host}:${d.port}`;

interface SshError extends Error {
  level?: string;
  code?: string;
  description?: string;
}

/** An ssh2 error raised before the session was ready, as a typed error. */
export function connectError(device: ResolvedDevice, err: SshError, auth?: AuthPlan): DeviceError {
  const secrets = auth?.secrets ?? [];
  const at = where(device);
  const timeoutS = device.connectTimeoutS;
  const details = { device: device.name, output: redact(err.message, secrets) };
  switch (err.level) {
    case "client-authentication":
      return new AuthError(
        `${at} refused login as ${device.user} with ${auth?.describe ?? "our credentials"}`,
        details,
      );
    case "agent":
      return new AuthError(`the SSH agent failed: ${redact(err.message, secrets)}`, details);
    case "client-timeout":
      return new ConnectionError(`no SSH session with ${at} within ${timeoutS} s (connect timeout)`, details);
    case "client-socket": {
      const what =
        err.code === "ECONNREFUSED"
          ? "connection refused"
          : err.code === "EHOSTUNREACH" || err.code === "ENETUNREACH"
            ? "host unreachable"
            : err.code === "ETIMEDOUT"
              ? "connection timed out"
              : err.code === "ECONNRESET"
                ? "connection reset"
                : (err.code ?? err.message);
      return new ConnectionError(`cannot connect to ${at}: ${what}`, details);
    }
    case "client-dns":
      return new ConnectionError(`cannot resolve ${device.host}`, details);
    default:
      return new ConnectionError(`SSH handshake with ${at} failed: ${redact(err.message, secrets)}`, details);
  }
}

/** Connects, verifies the host key against `pins`, authenticates; resolves once commands can run. */
export function openConnection(
  device: ResolvedDevice,
  pins: readonly PinnedKey[],
  auth: AuthPlan,
  opts: ConnectionOptions,
): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    let refused: HostKeyError | undefined;
    let settled = false;
    const fail = (err: DeviceError) => {
      if (settled) return;
      settled = true;
      client.destroy();
      reject(refused ?? err);
    };
    client.on("ready", () => {
      if (settled) return void client.end();
      settled = true;
      resolve(client);
    });
    client.on("error", (err: SshError) => fail(connectError(device, err, auth)));
    client.on("close", () =>
      fail(
        new ConnectionError(`${where(device)} closed the connection before the SSH session was ready`, {
          device: device.name,
        }),
      ),
    );
    try {
      client.connect({
        host: device.host,
        port: device.port,
        username: device.user,
        readyTimeout: device.connectTimeoutS * 1000,
        keepaliveInterval: opts.keepaliveIntervalMs,
        keepaliveCountMax: opts.keepaliveCountMax,
        algorithms: { serverHostKey: hostKeyAlgorithms(pins) as ServerHostKeyAlgorithm[] },
        // Called with the raw key blob during key exchange, again at every re-key.
        hostVerifier: (key: Buffer) => {
          const verdict = verifyHostKey(pins, key);
          if (verdict.kind === "pinned") return true;
          refused = hostKeyRefusal(device, verdict);
          return false;
        },
        authHandler: auth.methods,
        ...(opts.sock ? { sock: opts.sock } : {}),
        ...(opts.debug ? { debug: opts.debug } : {}),
      });
    } catch (err) {
      fail(
        new ConnectionError(`cannot start an SSH connection to ${where(device)}: ${(err as Error).message}`, {
          device: device.name,
        }),
      );
    }
  });
}

function hostKeyRefusal(device: ResolvedDevice, verdict: ReturnType<typeof verifyHostKey>): HostKeyError {
  const at = where(device);
  if (verdict.kind === "unknown") {
    return new HostKeyError(
      `no pinned host key for ${device.name} (${at}); presented ${verdict.keyType} ${verdict.fingerprint}; ` +
        `review it with \`reconciler trust ${device.name}\``,
      { device: device.name },
      [],
      verdict.fingerprint,
    );
  }
  if (verdict.kind === "changed") {
    return new HostKeyError(
      `HOST KEY CHANGED for ${device.name} (${at}): pinned ${verdict.expected.join(", ")}; ` +
        `presented ${verdict.keyType} ${verdict.fingerprint}. Refusing to connect: someone may be ` +
        `intercepting the connection, or the device was reinstalled (then confirm the new key out of band ` +
        `and pin it with \`reconciler trust ${device.name}\`)`,
      { device: device.name },
      verdict.expected.map((e) => e.split(" ")[1] ?? e),
      verdict.fingerprint,
    );
  }
  throw new Error("a pinned key is not a refusal");
}

export interface ScannedKey {
  keyType: string;
  /** base64 of the key blob, as known_hosts writes it */
  key: string;
  fingerprint: string;
}

/**
 * The host key a device presents, proven by the key exchange's signature; then hangs up. No
 * credential is ever sent (the authentication list is empty and the connection ends as soon as
 * the handshake completes). Key types in `prefer` are asked for first.
 */
export function scanHostKey(
  device: ResolvedDevice,
  prefer: readonly PinnedKey[] = [],
  debug?: (line: string) => void,
  /** A stream already carrying bytes to the device (ConnectionOptions.sock). */
  sock?: Duplex,
): Promise<ScannedKey> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    let presented: Buffer | undefined;
    let settled = false;
    const finish = (result: ScannedKey | DeviceError) => {
      if (settled) return;
      settled = true;
      client.destroy();
      if (result instanceof DeviceError) reject(result);
      else resolve(result);
    };
    // 'handshake' fires once the key exchange is complete, i.e. after ssh2 verified the server's
    // signature with the presented key: the device holds its private half.
    client.on("handshake", () => {
      const key = presented;
      if (!key) return finish(new ConnectionError("no host key was presented", { device: device.name }));
      finish({
        keyType: keyTypeOf(key) ?? "unknown",
        key: key.toString("base64"),
        fingerprint: fingerprint(key),
      });
    });
    client.on("error", (err: SshError) => finish(connectError(device, err)));
    client.on("close", () =>
      finish(
        new ConnectionError(`${where(device)} closed the connection during the key exchange`, {
          device: device.name,
        }),
      ),
    );
    client.on("ready", () =>
      finish(new ConnectionError("unexpectedly authenticated", { device: device.name })),
    );
    client.connect({
      host: device.host,
      port: device.port,
      username: device.user || "trust",
      readyTimeout: device.connectTimeoutS * 1000,
      algorithms: {
        serverHostKey: (prefer.length > 0
          ? hostKeyAlgorithms(prefer)
          : DEFAULT_HOST_KEY_ALGORITHMS) as ServerHostKeyAlgorithm[],
      },
      hostVerifier: (key: Buffer) => {
        presented = Buffer.from(key);
        return true;
      },
      authHandler: [],
      ...(sock ? { sock } : {}),
      ...(debug ? { debug } : {}),
    });
  });
}
