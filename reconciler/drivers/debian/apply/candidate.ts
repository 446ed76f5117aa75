// Pure: the managed files of one run and their candidate bytes. The rendered files, plus the
// files the reconciler wrote earlier (they carry MANAGED_MARK) that git no longer renders (null:
// the commit removes them), plus bird's secret include files. Secrets are substituted here, on
// the way to the device's stdin, and nowhere else: FRR's @secret:ENV@ placeholders and bird's
// secret files. A variable that is not set rejects the candidate, naming the variable only.
import type { LiveState, Rendered } from "../../../model/live.ts";
import type { DeviceIntent } from "../../../schema/device.ts";
import {
  BIRD_CONF,
  FRR_CONF,
  IFUPDOWN_CONF,
  MANAGED_MARK,
  SYSCTL_CONF,
  wireguardConfName,
} from "../paths.ts";
import { birdSecretFiles, wireguardPskPath } from "../secrets.ts";
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

const FRR_PLACEHOLDER = /@secret:([A-Z_][A-Z0-9_]*)@/g;

function defaultsFor(path: string): { mode: string; owner: string } {
  if (wireguardConfName(path)) return { mode: "600", owner: "root:root" };
  if (path === BIRD_CONF) return { mode: "640", owner: "root:bird" };
  if (path.startsWith("/etc/bird/secrets/")) return { mode: "640", owner: "root:bird" };
  if (path.startsWith("/etc/wireguard/keys/")) return { mode: "600", owner: "root:root" };
  if (path === FRR_CONF) return { mode: "640", owner: "frr:frr" };
  return { mode: "644", owner: "root:root" };
}

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

export function candidatePlan(
  rendered: Rendered,
  snapshot: LiveState,
  intent: DeviceIntent,
  env: Readonly<Record<string, string | undefined>>,
): CandidatePlan {
  const used = new Set<string>();
  const secretOf = (name: string): string => {
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
          ? text.replace(FRR_PLACEHOLDER, (_m, n: string) => secretOf(n))
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
