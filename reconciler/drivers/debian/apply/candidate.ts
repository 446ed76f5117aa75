// Pure: the managed files of one run and their candidate bytes. The rendered files, plus the
// files the reconciler wrote earlier (they carry MANAGED_MARK) that git no longer renders (null:
// the commit removes them), plus bird's secret include files. Secrets are substituted here, on
// the way to the device's stdin, and nowhere else, and only the variables the intent declares
// in a `*_env` field: in frr.conf only where the renderer put them, which it marks with this
// run's random token (text in the desired state cannot know it), and in bird's secret files.
// A variable that is not set rejects the candidate, naming the variable only.
import type { FilesCandidate, LiveState } from "../../../model/live.ts";
import type { DeviceIntent } from "../../../schema/device.ts";
import {
  BIRD_CONF,
  FRR_CONF,
  IFUPDOWN_CONF,
  MANAGED_MARK,
  SYSCTL_CONF,
  wireguardConfName,
} from "../paths.ts";
import { renderFrrConf } from "../render-frr.ts";
import {
  birdSecretFiles,
  declaredSecrets,
  frrSecretPlaceholder,
  parseWireguardPskPath,
  wireguardPskPath,
} from "../secrets.ts";
import { assertManagedPath } from "./layout.ts";

export class MissingSecretError extends Error {
  constructor(readonly variable: string) {
    super(`the environment variable ${variable} is not set (it holds a secret the configuration needs)`);
  }
}

export interface ManagedFile {
  /** Index in the run directory: candidate/<i>/<basename>, snapshot/<i>. */
  index: number;
  path: string;
  /** Exact bytes to write, secrets substituted; null = the commit removes the file. */
  content: string | null;
  /** What Staged.files shows: the rendered text (placeholders, no secrets). */
  shown: string | null;
  /** A secret file: never shown, never logged. */
  secret: boolean;
  /** Mode and owner for a file created by the commit (an existing file keeps its own). */
  mode: string;
  owner: string;
}

export interface CandidatePlan {
  files: ManagedFile[];
  /** The secret values used, so that outputs can be redacted with them. */
  secretValues: string[];
}

/** The per-run mark of a secret in frr.conf: `@<token>:NAME@`, the token 24 random hex digits. */
const tokenMark = (token: string) => (env: string) => `@${token}:${env}@`;

/** Mode and owner of a file the commit creates (an existing file keeps its own). */
export function defaultsFor(path: string): { mode: string; owner: string } {
  if (wireguardConfName(path)) return { mode: "600", owner: "root:root" };
  if (path === BIRD_CONF) return { mode: "640", owner: "root:bird" };
  if (path.startsWith("/etc/bird/secrets/")) return { mode: "640", owner: "root:bird" };
  if (path.startsWith("/etc/wireguard/keys/")) return { mode: "600", owner: "root:root" };
  if (path === FRR_CONF) return { mode: "640", owner: "frr:frr" };
  return { mode: "644", owner: "root:root" };
}

/** A file holding a secret written from the environment (bird's includes, WireGuard PSKs). */
export const isSecretPath = (path: string) =>
  /^\/etc\/bird\/secrets\/[A-Za-z0-9_.=+-]+$/.test(path) || parseWireguardPskPath(path) !== undefined;

/** The paths this driver may write or remove: the ones paths.ts names. */
export function isManagedPath(path: string): boolean {
  return (
    path === BIRD_CONF ||
    path === FRR_CONF ||
    path === SYSCTL_CONF ||
    path === IFUPDOWN_CONF ||
    wireguardConfName(path) !== undefined
  );
}

/**
 * frr.conf with the secrets in: rendered again with the run's token marking where secrets go
 * (checked to be the very text the plan showed), and only those marks replaced.
 */
function frrWithSecrets(
  shown: string,
  intent: DeviceIntent,
  device: string,
  token: string,
  secretOf: (env: string) => string,
): string {
  if (!/^[0-9a-f]{24,64}$/.test(token)) throw new Error("a secret token must be 24-64 hex digits");
  const marked = renderFrrConf(intent, device, tokenMark(token));
  const pattern = new RegExp(`@${token}:([A-Z_][A-Z0-9_]*)@`, "g");
  if (marked.replace(pattern, (_m, n: string) => frrSecretPlaceholder(n)) !== shown)
    throw new Error("frr.conf rendered at stage time differs from the planned one");
  return marked.replace(pattern, (_m, n: string) => secretOf(n));
}

export function candidatePlan(
  rendered: FilesCandidate,
  snapshot: LiveState,
  intent: DeviceIntent,
  env: Readonly<Record<string, string | undefined>>,
  run: { device: string; token: string },
): CandidatePlan {
  const used = new Set<string>();
  const declared = declaredSecrets(intent);
  const secretOf = (name: string): string => {
    if (!declared.has(name)) throw new Error(`internal: ${name} is not a secret the intent declares`);
    const v = env[name];
    if (v === undefined || v === "") throw new MissingSecretError(name);
    used.add(v);
    return v;
  };
  const entries = new Map<string, { content: string | null; shown: string | null; secret: boolean }>();
  for (const [path, text] of Object.entries(rendered.files)) {
    if (!isManagedPath(path)) throw new Error(`render produced a path the driver does not manage: ${path}`);
    const content =
      text === null
        ? null
        : path === FRR_CONF
          ? frrWithSecrets(text, intent, run.device, run.token, secretOf)
          : text;
    entries.set(path, { content, shown: text, secret: false });
  }
  // Files we wrote earlier that git no longer renders: removed by the commit.
  for (const [path, text] of Object.entries(snapshot.artifacts)) {
    if (!path.startsWith("/") || entries.has(path) || !isManagedPath(path)) continue;
    if (typeof text === "string" && text.includes(MANAGED_MARK))
      entries.set(path, { content: null, shown: null, secret: false });
  }
  if (rendered.files[BIRD_CONF]) {
    for (const [path, text] of Object.entries(birdSecretFiles(intent, secretOf)))
      entries.set(path, { content: text, shown: "(secret, written from the environment)", secret: true });
  }
  // WireGuard preshared keys, loaded by the wg-quick file's PostUp from a root-only file.
  for (const w of intent.wireguard ?? [])
    for (const p of w.peers)
      if (p.preshared_key_env && rendered.files[`/etc/wireguard/${w.name}.conf`])
        entries.set(wireguardPskPath(p.preshared_key_env), {
          content: `${secretOf(p.preshared_key_env)}\n`,
          shown: "(secret, written from the environment)",
          secret: true,
        });
  const files: ManagedFile[] = [...entries.keys()].sort().map((path, index) => {
    const e = entries.get(path) as { content: string | null; shown: string | null; secret: boolean };
    return { index, path: assertManagedPath(path), ...e, ...defaultsFor(path) };
  });
  return { files, secretValues: [...used] };
}
