// Typed errors for I/O with devices. Each carries the device, the command and its output (with
// secrets redacted), so an operator can act on the message alone.

export interface DeviceErrorDetails {
  device: string;
  command?: string;
  output?: string;
  cause?: unknown;
}

/** Values that must never be printed: private keys, passwords, PEM blocks. */
const SECRET_PATTERNS: RegExp[] = [
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----/g,
  /(PrivateKey\s*=\s*)\S+/g,
  /(private[-_]?key["']?\s*[:=]\s*["']?)[A-Za-z0-9+/=]{20,}/gi,
  /(password["']?\s*[:= ]\s*["']?)[^\s"']+/gi,
  /(preshared[-_]?key["']?\s*[:= ]\s*["']?)[A-Za-z0-9+/=]{20,}/gi,
];

export function redact(text: string, extraSecrets: readonly string[] = []): string {
  let out = text;
  for (const re of SECRET_PATTERNS) out = out.replace(re, (_m, keep?: string) => `${keep ?? ""}[redacted]`);
  for (const s of extraSecrets) if (s.length >= 4) out = out.split(s).join("[redacted]");
  return out;
}

export class DeviceError extends Error {
  readonly device: string;
  readonly command?: string;
  readonly output?: string;
  constructor(message: string, details: DeviceErrorDetails) {
    super(
      `${details.device}: ${redact(message)}`,
      details.cause !== undefined ? { cause: details.cause } : undefined,
    );
    this.name = new.target.name;
    this.device = details.device;
    if (details.command !== undefined) this.command = redact(details.command);
    if (details.output !== undefined) this.output = redact(details.output);
  }
}

/** TCP connect failed, timed out, or the connection dropped. */
export class ConnectionError extends DeviceError {}
/** The device refused our credentials. */
export class AuthError extends DeviceError {}
/** The host key is unknown or differs from the pinned one. */
export class HostKeyError extends DeviceError {
  constructor(
    message: string,
    details: DeviceErrorDetails,
    readonly expectedFingerprints: string[],
    readonly actualFingerprint: string,
  ) {
    super(message, details);
  }
}
/** A command exited non-zero or timed out. */
export class CommandError extends DeviceError {
  constructor(
    message: string,
    details: DeviceErrorDetails,
    readonly exitCode: number | null,
  ) {
    super(message, details);
  }
}
/** Another run holds the device's lock. */
export class LockHeldError extends DeviceError {}
/** The device's own validator rejected the candidate configuration. */
export class CandidateRejectedError extends DeviceError {}
/** Moving the candidate into place or reloading failed. */
export class CommitFailedError extends DeviceError {}
/** A health gate did not pass after commit. */
export class HealthFailedError extends DeviceError {}
/** What the device returned could not be understood. */
export class ParseError extends DeviceError {}

/** What reports and plans keep of an error: its kind, message, command and output (already redacted). */
export interface ErrorSummary {
  kind: string;
  message: string;
  command?: string;
  output?: string;
}

export function summarizeError(err: unknown): ErrorSummary {
  if (err instanceof DeviceError) {
    return {
      kind: err.name,
      message: err.message,
      ...(err.command !== undefined ? { command: err.command } : {}),
      ...(err.output !== undefined ? { output: err.output } : {}),
    };
  }
  return { kind: "InternalError", message: err instanceof Error ? redact(err.message) : redact(String(err)) };
}

/** A command printed more than the transport keeps (its channel was closed at the cap). */
export class OutputTooLargeError extends DeviceError {
  constructor(
    message: string,
    details: DeviceErrorDetails,
    /** The cap that was exceeded, in bytes. */
    readonly limitBytes: number,
  ) {
    super(message, details);
  }
}
