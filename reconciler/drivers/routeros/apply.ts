// The RouterOS v7 driver's apply half: commit-confirmed by a scheduler entry on the device.
//
// RouterOS has no candidate datastore, no dry run and no commit-confirm a script can use (safe
// mode belongs to an interactive terminal), so:
// - lock: a file `reconciler-lock.txt` (files are no part of `/export`) whose contents name the
//   run, host, pid and time. `/file add` refuses a name that exists: that is the test-and-set.
// - stage: the command list with its `@secret:ENV@` placeholders filled from ctx.env (only
//   variables the intent declares), checked against the device (each line one command; every
//   interface a line refers to exists there or is added before), and the undo script: the inverse
//   of each command, built from the state as read (values the terse export leaves out, being
//   defaults, and secrets are asked of the device with `get`), in reverse order, each step
//   idempotent (so that it also undoes a commit that stopped half way), uploaded as the
//   `/system script` `reconciler-undo-<run>` (in parts when long). A secret the undo needs (a
//   removed WireGuard interface's private key) waits in a file `reconciler-secret-<run>-<n>.txt`,
//   read by the undo with `[/file get ...]`: script sources are exported, files are not. A
//   removed item comes back with a new id, last in its menu. No on-device validation: RouterOS
//   has none; what stage can check before sending anything (one command per line, secrets set,
//   every interface a line refers to known to the device) refuses the candidate.
// - arm: the `/system scheduler` entry `reconciler-revert-<run>`, once (interval=0s) at the
//   device's clock plus the timeout; its event takes the run's decision (the file
//   `reconciler-decided-<run>.txt`, added once: whoever adds it first, confirm or the scheduler,
//   wins), removes itself, runs the undo script and removes it. rearm moves its start.
// - commit: the commands one line each, stopping at the first the device refuses.
// - confirm: takes the decision ("confirmed"), or finds it taken ("reverted": too late), then
//   removes the scheduler entry and the undo script.
// - rollback: takes the decision ("rolled-back") and runs the undo script now, unless the
//   scheduler already did.
// - health: `print terse` of OSPF neighbours, WireGuard peers (last-handshake against the device's
//   clock at commit), routes and BGP sessions; a menu the device does not have is "unreadable".
// A run that reverted by itself leaves its lock and decision behind (the next run reads why);
// the next lock() takes such a lock over. A command failed when the device says so in its output
// (RouterOS documents no exec status), or when the status is not 0.
import { hostname } from "node:os";
import {
  CandidateRejectedError,
  CommandError,
  CommitFailedError,
  LockHeldError,
} from "../../model/errors.ts";
import type { Candidate, LiveState } from "../../model/live.ts";
import type { DeviceIntent } from "../../schema/device.ts";
import type { CliSession, DeviceSession } from "../../transport/session.ts";
import type { ApplyContext, ApplyDriver, HealthProbe, Observation, Staged } from "../apply-contract.ts";
import { routerosLiveOf } from "./driver.ts";
import { type ItemRef, selectorText } from "./live-state.ts";
import { type ExportItem, parseExport, type Selector } from "./parse-export.ts";
import { findWhere, formatProperties, oneCommandProblem, propertyName, quoteValue } from "./quote.ts";
import { isSecretProperty } from "./vocabulary.ts";

export const LOCK_FILE = "reconciler-lock.txt";
export const undoScriptName = (runId: string) => `reconciler-undo-${runId}`;
export const revertSchedulerName = (runId: string) => `reconciler-revert-${runId}`;
export const decidedFileName = (runId: string) => `reconciler-decided-${runId}.txt`;
export const committedFileName = (runId: string) => `reconciler-committed-${runId}.txt`;
export const secretFileName = (runId: string, n: number) => `reconciler-secret-${runId}-${n}.txt`;
/** `[ find where name~"^reconciler-secret-<run>-" ]`: every secret file of the run. */
const secretFilesFind = (runId: string) =>
  `[ find where name~${quoteValue(`^reconciler-secret-${runId.replace(/\./g, "\\.")}-`)} ]`;

/** What the RouterOS CLI prints instead of running a command (its exec status is not reliable). */
const CLI_ERROR =
  /^\s*(bad command name|syntax error|expected |failure:|input does not match|no such item|invalid value|missing value|value of .* out of range|ambiguous value|not enough permissions|couldn't |action timed out)/im;

/** A staged RouterOS candidate: the commands as they will be sent (secrets filled in). */
export interface RouterosStaged extends Staged {
  /** Not enumerable: never serialized or logged with the handle. */
  readonly commands: readonly string[];
}

interface Sent {
  ok: boolean;
  out: string;
  /** The device's complaint, one line. */
  error: string;
}

async function send(session: CliSession, line: string, step: string): Promise<Sent> {
  const r = await session.line(line, { allowFailure: true, name: step, timeoutMs: 120_000 });
  const out = r.stdout.replace(/\r\n/g, "\n");
  const bad = out.split("\n").find((l) => CLI_ERROR.test(l));
  const ok = r.exitCode === 0 && bad === undefined;
  const error = ok ? "" : (bad ?? (r.stderr.trim() || `exit status ${r.exitCode}`)).trim();
  return { ok, out, error };
}

const redact = (text: string, secrets: readonly string[]) =>
  secrets.reduce((t, s) => (s ? t.split(s).join("<redacted>") : t), text);

function details(ctx: ApplyContext, step: string, output?: string) {
  return { device: ctx.device.name, command: step, ...(output !== undefined ? { output } : {}) };
}

async function must(session: CliSession, ctx: ApplyContext, line: string, step: string): Promise<Sent> {
  const r = await send(session, line, step);
  if (!r.ok) throw new CommandError(`${step} failed: ${r.error}`, details(ctx, step, r.out), 1);
  return r;
}

function checkRunId(runId: string): string {
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(runId)) throw new Error(`not a run id: ${JSON.stringify(runId)}`);
  return runId;
}

const fileFind = (name: string) => findWhere([["name", name]]);

/** A file's contents, or undefined when there is none. */
async function readFile(session: CliSession, name: string, step: string): Promise<string | undefined> {
  const r = await send(
    session,
    `:if ([:len [/file find where name=${quoteValue(name)}]] > 0) do={ :put ("@@file " . [/file get ${fileFind(name)} contents]) } else={ :put "@@nofile" }`,
    step,
  );
  if (!r.ok)
    throw new CommandError(
      `${step}: reading ${name} failed: ${r.error}`,
      { device: session.device, command: step },
      1,
    );
  const at = r.out.indexOf("@@file ");
  if (at < 0) return undefined;
  return r.out.slice(at + 7).replace(/\n$/, "");
}

async function exists(session: CliSession, path: string, name: string, step: string): Promise<boolean> {
  const r = await send(session, `:put [:len [${path} find where name=${quoteValue(name)}]]`, step);
  return r.ok && r.out.trim() !== "0";
}

interface Holder {
  contents: string;
  run?: string;
  describe: string;
}

function holderOf(contents: string): Holder {
  const get = (k: string) => new RegExp(`(?:^| )${k}=(\\S+)`).exec(contents)?.[1];
  const run = get("run");
  const host = get("host");
  const pid = get("pid");
  const time = get("time");
  return {
    contents,
    ...(run ? { run } : {}),
    describe: run
      ? `run ${run}${host ? ` on ${host}` : ""}${pid ? ` (pid ${pid})` : ""}${time ? ` since ${time}` : ""}`
      : `an unknown holder (${JSON.stringify(contents.slice(0, 120))})`,
  };
}

/** Removes the lock only when it still holds exactly these contents (compare and delete). */
const removeLockLine = (contents: string) =>
  `/file remove [ find where name=${quoteValue(LOCK_FILE)} and contents=${quoteValue(contents)} ]`;

/** Removes what a run left on the device: scheduler entry, undo script, decision, commit mark. */
async function cleanup(
  session: CliSession,
  runId: string,
  step: string,
  keepDecision = false,
): Promise<void> {
  const lines = [
    `/system scheduler remove ${findWhere([["name", revertSchedulerName(runId)]])}`,
    `/system script remove ${findWhere([["name", undoScriptName(runId)]])}`,
    `/file remove ${fileFind(committedFileName(runId))}`,
    `/file remove ${secretFilesFind(runId)}`,
  ];
  for (const l of lines) await send(session, l, step);
  if (keepDecision) return;
  // The decision goes last, and only once no scheduler entry of the run is left to fire: without
  // it, an entry left behind would revert a confirmed change.
  if (await exists(session, "/system scheduler", revertSchedulerName(runId), step))
    throw new CommandError(
      `${step}: the scheduler entry ${revertSchedulerName(runId)} could not be removed (it still fires, but finds the run decided and does nothing)`,
      { device: session.device, command: step },
      1,
    );
  await send(session, `/file remove ${fileFind(decidedFileName(runId))}`, step);
}

/** Takes the run's decision; returns the decision already taken when another came first. */
async function decide(
  session: CliSession,
  runId: string,
  what: string,
  step: string,
): Promise<string | undefined> {
  const r = await send(
    session,
    `/file add name=${quoteValue(decidedFileName(runId))} contents=${quoteValue(what)}`,
    step,
  );
  if (r.ok) return undefined;
  return (await readFile(session, decidedFileName(runId), step)) ?? `unknown (${r.error})`;
}

// ------------------------------------------------------------------ secrets

/** The environment variables the intent declares (every `*_env` field). */
export function declaredEnv(intent: DeviceIntent): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown) => {
    if (Array.isArray(v)) for (const x of v) walk(x);
    else if (v && typeof v === "object")
      for (const [k, x] of Object.entries(v)) {
        if (k.endsWith("_env") && typeof x === "string") out.add(x);
        else walk(x);
      }
  };
  walk(intent);
  return out;
}

/**
 * The line with every `@secret:ENV@` that stands as a whole value outside quotes replaced by the
 * quoted secret; a placeholder inside a quoted value (a description) is text and stays.
 */
export function fillSecrets(
  line: string,
  lookup: (name: string) => string,
): { line: string; secrets: string[] } {
  const secrets: string[] = [];
  let out = "";
  let inQuote = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (inQuote) {
      out += c;
      if (c === "\\") {
        out += line[i + 1] ?? "";
        i++;
      } else if (c === '"') inQuote = false;
      continue;
    }
    if (c === '"') {
      inQuote = true;
      out += c;
      continue;
    }
    const m = /^@secret:([A-Z_][A-Z0-9_]{0,127})@(?=\s|$)/.exec(line.slice(i));
    if (m && line[i - 1] === "=") {
      const value = lookup(m[1] as string);
      secrets.push(value);
      out += quoteValue(value);
      i += m[0].length - 1;
      continue;
    }
    out += c;
  }
  return { line: out, secrets };
}

// ------------------------------------------------------------------ the undo script

/** The properties that identify an item RouterOS-wise, per menu (else its name, else all). */
const IDENTITY: Record<string, string[]> = {
  "/ip address": ["address", "interface"],
  "/ipv6 address": ["address", "interface"],
  "/interface wireguard peers": ["interface", "public-key"],
  "/ip route": ["dst-address"],
  "/ipv6 route": ["dst-address"],
  "/routing ospf interface-template": ["area", "interfaces"],
};

const isPlaceholder = (v: string) => /^@secret:[A-Z_][A-Z0-9_]*@$/.test(v);

/** An address as RouterOS keeps it: with its prefix length (exports print a /32 or /128 bare). */
function withLength(path: string, key: string, value: string): string {
  if (key !== "address" || value.includes("/") || (path !== "/ip address" && path !== "/ipv6 address"))
    return value;
  return `${value}/${path === "/ipv6 address" ? 128 : 32}`;
}

function identityOf(path: string, props: Record<string, string>): [string, string][] {
  const keys = IDENTITY[path] ?? (props.name !== undefined ? ["name"] : undefined);
  const entries = Object.entries(props).filter(([k, v]) => !isSecretProperty(k) && !isPlaceholder(v));
  if (!keys) return entries;
  const picked = keys
    .filter((k) => props[k] !== undefined)
    .map((k) => [k, withLength(path, k, props[k] as string)] as [string, string]);
  return picked.length > 0 ? picked : entries;
}

/** Whether a snapshot item is the one a selector picks. */
function selects(sel: Selector | undefined, item: ExportItem): boolean {
  if (!sel) return !item.selector && item.command === "set";
  if (item.selector && selectorText(item.selector) === selectorText(sel)) return true;
  const value = (k: string) =>
    item.properties[k] ?? (item.selector?.kind === "find" ? item.selector.where[k] : undefined);
  if (sel.kind === "find") {
    const where = Object.entries(sel.where);
    return (
      where.length > 0 && where.every(([k, v]) => (k.startsWith("!") ? !value(k.slice(1)) : value(k) === v))
    );
  }
  if (sel.kind === "name") return item.properties.name === sel.name;
  return false;
}

/** Properties as a command writes them; a third element `true`: the value is an expression, as is. */
type Prop = [string, string] | [string, string, true];

function propsText(props: Prop[]): string {
  return props
    .map(([k, v, raw]) => {
      try {
        if (raw) return `${propertyName(k)}=${v}`;
        return formatProperties([[k, v]]);
      } catch {
        throw new Error(`cannot write the property ${JSON.stringify(k)} back`);
      }
    })
    .join(" ");
}

/** A value as `get` returns it, spelled as a command takes it. */
function fromGet(v: string): string {
  if (v === "true") return "yes";
  if (v === "false") return "no";
  return v.includes(";") ? v.split(";").join(",") : v;
}

interface UndoStep {
  line: string;
  /** A removal's inverse: consecutive re-adds in one menu keep their original order. */
  readd?: string;
}

/** Builds the inverse of each command (see the module comment); asks the device what the export omits. */
async function buildUndo(
  session: CliSession,
  ctx: ApplyContext,
  commands: readonly string[],
  snapshot: LiveState,
  secrets: string[],
  secretFiles: string[],
): Promise<string[]> {
  // A secret the undo needs (a removed interface's private key, a changed preshared key) waits in
  // a file of its own (files are in no export, script sources are): the undo reads it there.
  const secretValue = (value: string): string => {
    secrets.push(value);
    secretFiles.push(value);
    return `[/file get ${fileFind(secretFileName(ctx.runId, secretFiles.length))} contents]`;
  };
  const inv = routerosLiveOf(snapshot).inventory;
  const items = inv.items;
  // The planner selects items by their refs' selectors: the item behind each, exactly.
  const selKey = (path: string, find: string) => {
    const sel = parseExport(`${path} remove ${find}`).items[0]?.selector;
    return `${path} ${sel ? selectorText(sel) : find}`;
  };
  const byFind = new Map<string, ExportItem>();
  const refs: ItemRef[] = [
    ...inv.interfaces.values(),
    ...inv.peers.values(),
    ...inv.addresses.values(),
    ...inv.ospfInstances.values(),
    ...inv.ospfAreas.values(),
    ...inv.ospfTemplates,
    ...inv.bgpConnections.values(),
    ...inv.routes.values(),
    ...inv.filterRules,
  ];
  for (const ref of refs) {
    const same = JSON.stringify(ref.properties);
    const item = items.find((i) => i.path === ref.path && JSON.stringify(i.properties) === same);
    byFind.set(
      selKey(ref.path, ref.find),
      item ?? { path: ref.path, command: "add", properties: ref.properties, flags: [], line: 0 },
    );
  }
  const itemsOf = (path: string, sel: Selector | undefined, command?: string): ExportItem[] => {
    const exact = sel ? byFind.get(`${path} ${selectorText(sel)}`) : undefined;
    if (exact) return [exact];
    return items.filter((i) => i.path === path && (!command || i.command === command) && selects(sel, i));
  };
  const ask = async (expr: string): Promise<string | undefined> => {
    const r = await send(session, `:put ("@@v " . [${expr}])`, "stage");
    if (!r.ok) return undefined;
    const at = r.out.indexOf("@@v ");
    return at < 0 ? undefined : r.out.slice(at + 4).replace(/\n$/, "");
  };
  const steps: UndoStep[] = [];
  for (const line of commands) {
    const parsed = parseExport(line);
    const item = parsed.items[0];
    const refuse = (why: string) =>
      new CandidateRejectedError(`stage: no undo for ${JSON.stringify(line.slice(0, 200))}: ${why}`, {
        device: ctx.device.name,
        command: "stage",
      });
    if (!item || parsed.items.length !== 1 || parsed.diagnostics.some((d) => d.severity === "error"))
      throw refuse("not a command the driver can invert");
    const path = item.path;
    if (item.command === "add") {
      steps.push({ line: `${path} remove ${findWhere(identityOf(path, item.properties))}` });
    } else if (item.command === "set") {
      const sel = item.selector;
      const find = sel ? selectorText(sel) : "";
      const before = itemsOf(path, sel)[0];
      const old: Prop[] = [];
      for (const [k, v] of Object.entries(item.properties)) {
        let was = before && !isSecretProperty(k) ? before.properties[k] : undefined;
        if (was === undefined) {
          const got = await ask(`${path} get ${find ? `${find} ` : ""}${k}`);
          if (got === undefined) throw refuse(`the device does not say what ${k} is now`);
          if (isSecretProperty(k) && got !== "") {
            old.push([k, secretValue(got), true]);
            continue;
          }
          was = isSecretProperty(k) ? got : fromGet(got);
        }
        if (was !== v) old.push([k, was]);
      }
      // A selector by a property the set changes finds the item by its new value afterwards.
      let undoFind = find;
      if (sel?.kind === "find")
        undoFind = findWhere(
          Object.entries(sel.where).map(([k, v]) => [k, item.properties[k] ?? v] as [string, string]),
        );
      else if (sel?.kind === "name" && item.properties.name !== undefined)
        undoFind = quoteValue(item.properties.name);
      if (old.length > 0)
        steps.push({ line: `${path} set ${undoFind ? `${undoFind} ` : ""}${propsText(old)}` });
    } else if (item.command === "remove") {
      const gone = itemsOf(path, item.selector, "add");
      if (gone.length === 0) throw refuse("the item it removes is not in the state as read");
      for (const g of gone) {
        const props: Prop[] = [];
        for (const [k, v] of Object.entries(g.properties)) {
          if (isSecretProperty(k) && v !== "") {
            const got = await ask(`${path} get ${selectorText(item.selector)} ${k}`);
            if (got === undefined) throw refuse(`its ${k} could not be read back`);
            props.push([k, secretValue(got), true]);
          } else props.push([k, v]);
        }
        const again = [`${path} add`, propsText(props), ...g.flags.map((f) => quoteValue(f))]
          .filter((s) => s !== "")
          .join(" ");
        steps.push({
          line: `:if ([:len [${path} find where ${identityOf(path, g.properties)
            .map(([k, v]) => `${k}=${quoteValue(v)}`)
            .join(" and ")}]] = 0) do={ ${again} }`,
          readd: path,
        });
      }
    } else throw refuse(`RouterOS's ${item.command} has no inverse here`);
  }
  // Reverse order, except that consecutive re-adds in one menu keep theirs (an ordered list such
  // as the firewall's is written back as it was).
  const out: string[] = [];
  for (let i = steps.length - 1; i >= 0; ) {
    const s = steps[i] as UndoStep;
    if (!s.readd) {
      out.push(s.line);
      i--;
      continue;
    }
    let j = i;
    while (j > 0 && steps[j - 1]?.readd === s.readd) j--;
    for (let k = j; k <= i; k++) out.push((steps[k] as UndoStep).line);
    i = j - 1;
  }
  return out;
}

/** The undo script: each step runs whatever the one before did; a failed step is logged and said. */
function undoSource(runId: string, steps: readonly string[]): string {
  const lines = steps.map(
    (s, n) =>
      `:do { ${s} } on-error={ :log warning ${quoteValue(`reconciler undo ${runId}: step ${n + 1} failed`)}; :put "@@undo-failed ${n + 1}" }`,
  );
  return [`# reconciler: undo of run ${runId}`, ...lines, ""].join("\n");
}

/**
 * The most script source one command line carries, quoted: a longer script goes up in parts, each
 * line under the 4096 characters the driver's other lines keep to (quote.ts).
 */
export const UNDO_PART_CHARS = 3800;

/**
 * The lines that put a script on the device: `add` with its first part, then a `set` per further
 * part appending it (`source=([get ... source] . "part")`), parts cut at line ends so that no
 * escape is split (a single longer line goes alone).
 */
export function uploadLines(name: string, source: string): string[] {
  const parts: string[] = [];
  let part = "";
  for (const line of source.split(/(?<=\n)/)) {
    if (part !== "" && quoteValue(part + line).length > UNDO_PART_CHARS) {
      parts.push(part);
      part = "";
    }
    part += line;
  }
  if (part !== "" || parts.length === 0) parts.push(part);
  const find = findWhere([["name", name]]);
  return parts.map((p, n) =>
    n === 0
      ? `/system script add name=${quoteValue(name)} source=${quoteValue(p)}`
      : `/system script set ${find} source=([/system script get ${find} source] . ${quoteValue(p).startsWith('"') ? quoteValue(p) : `"${quoteValue(p)}"`})`,
  );
}

// ------------------------------------------------------------------ validation against the device

const REFERS: Record<string, string> = {
  "/ip address": "interface",
  "/ipv6 address": "interface",
  "/interface wireguard peers": "interface",
  "/interface vlan": "interface",
};
const INTERFACE_MENUS = new Set(["/interface bridge", "/interface vlan", "/interface wireguard"]);

async function interfaceNames(session: CliSession, ctx: ApplyContext): Promise<Set<string>> {
  const r = await must(session, ctx, "/interface print terse", "stage");
  const names = new Set<string>();
  for (const l of r.out.split("\n")) {
    const m = /(?:^|\s)name=(\S+)/.exec(l);
    if (m) names.add(m[1] as string);
  }
  return names;
}

/** Why the device would refuse the commands (what can be known before sending any), or undefined. */
function refusal(commands: readonly string[], known: Set<string>): string | undefined {
  for (const [n, line] of commands.entries()) {
    const problem = oneCommandProblem(line, 256 * 1024);
    if (problem) return `line ${n + 1} is not one command: ${problem}`;
    const item = parseExport(line).items[0];
    if (!item) continue;
    const ref = REFERS[item.path];
    const target = ref ? item.properties[ref] : undefined;
    if (item.command === "add" && target !== undefined && !known.has(target))
      return `line ${n + 1} (${line.slice(0, 200)}): the device has no interface ${JSON.stringify(target)}`;
    if (item.command === "add" && INTERFACE_MENUS.has(item.path) && item.properties.name)
      known.add(item.properties.name);
  }
  return undefined;
}

// ------------------------------------------------------------------ health

/** `print terse` rows: the flags (whatever stands between the number and the first key=) and the values. */
export function terseRows(out: string): { flags: string; props: Record<string, string> }[] {
  const rows: { flags: string; props: Record<string, string> }[] = [];
  for (const l of out.split("\n")) {
    const m = /^\s*\d+\s+(.*)$/.exec(l);
    if (!m) continue;
    const rest = m[1] as string;
    const first = rest.search(/(?:^|\s)[a-z][a-z0-9.-]*=/);
    if (first < 0) continue;
    const props: Record<string, string> = {};
    for (const kv of rest.slice(first).matchAll(/(?:^|\s)([a-z][a-z0-9.-]*)=(\S*)/g))
      props[kv[1] as string] ??= kv[2] as string;
    rows.push({ flags: rest.slice(0, first).replace(/\s+/g, ""), props });
  }
  return rows;
}

/** "1m20s", "2d3h", "00:01:20" as seconds, or undefined. */
function durationS(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const hms = /^(\d+):(\d\d):(\d\d)$/.exec(text);
  if (hms) return Number(hms[1]) * 3600 + Number(hms[2]) * 60 + Number(hms[3]);
  const units: Record<string, number> = { w: 604800, d: 86400, h: 3600, m: 60, s: 1, ms: 0.001 };
  let total = 0;
  let seen = false;
  for (const m of text.matchAll(/(\d+)(ms|w|d|h|m|s)/g)) {
    total += Number(m[1]) * (units[m[2] as string] ?? 0);
    seen = true;
  }
  return seen ? Math.floor(total) : undefined;
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/**
 * The device's clock, and how it spells dates (ISO from 7.10, `mon/dd/yyyy` before): the
 * scheduler's start-date is written the same way.
 */
interface DeviceTime {
  at: Date;
  /** The date of `t` (same clock) as this device writes it. */
  date(t: Date): string;
}

async function deviceTime(session: CliSession): Promise<DeviceTime | undefined> {
  const r = await send(
    session,
    `:put ("@@clock " . [/system clock get date] . " " . [/system clock get time])`,
    "clock",
  );
  if (!r.ok) return undefined;
  const iso = /@@clock (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)/.exec(r.out);
  if (iso) return { at: new Date(`${iso[1]}T${iso[2]}Z`), date: (t) => t.toISOString().slice(0, 10) };
  const old = /@@clock ([a-z]{3})\/(\d\d)\/(\d{4}) (\d\d:\d\d:\d\d)/.exec(r.out);
  const month = old ? MONTHS.indexOf(old[1] as string) : -1;
  if (!old || month < 0) return undefined;
  return {
    at: new Date(`${old[3]}-${String(month + 1).padStart(2, "0")}-${old[2]}T${old[4]}Z`),
    date: (t) =>
      `${MONTHS[t.getUTCMonth()]}/${String(t.getUTCDate()).padStart(2, "0")}/${t.getUTCFullYear()}`,
  };
}

async function deviceClock(session: CliSession): Promise<Date | undefined> {
  return (await deviceTime(session))?.at;
}

/** `start-date=… start-time=…` timeoutS from the device's now. */
async function startAt(
  session: CliSession,
  ctx: ApplyContext,
  step: string,
  timeoutS: number,
): Promise<string> {
  const t = await deviceTime(session);
  if (!t) throw new CommandError(`${step}: the device's clock could not be read`, details(ctx, step), 1);
  const at = new Date(t.at.getTime() + Math.max(1, Math.ceil(timeoutS)) * 1000);
  return `start-date=${t.date(at)} start-time=${at.toISOString().slice(11, 19)}`;
}

async function health(
  session: DeviceSession,
  ctx: ApplyContext,
  probes: readonly HealthProbe[],
): Promise<Observation[]> {
  const kinds = new Set(probes.map((p) => p.kind));
  const out: Observation[] = [];
  const unreadable = (about: HealthProbe["kind"], what: string, why: string) =>
    out.push({ kind: "unreadable", about, what, why });
  if (kinds.has("ospf-adjacency")) {
    const cmd = "/routing ospf neighbor print terse";
    const r = await send(session, cmd, "health");
    if (!r.ok) unreadable("ospf-adjacency", cmd, r.error);
    else {
      const seen = new Map<string, Set<string>>();
      for (const { props } of terseRows(r.out)) {
        const iface = props.interface ?? "";
        const instance = props.instance ?? "";
        out.push({
          kind: "ospf-neighbor",
          interface: iface,
          routerId: props["router-id"] ?? "",
          state: props.state ?? "",
          instance,
        });
        seen.set(iface, (seen.get(iface) ?? new Set()).add(instance));
      }
      for (const [iface, inst] of seen)
        out.push({ kind: "ospf-interface", interface: iface, instances: [...inst] });
    }
  }
  if (kinds.has("bgp-session")) {
    const cmd = "/routing bgp session print terse";
    const r = await send(session, cmd, "health");
    if (!r.ok) unreadable("bgp-session", cmd, r.error);
    else
      for (const { flags, props } of terseRows(r.out))
        out.push({
          kind: "bgp-session",
          neighbor: (props["remote.address"] ?? "").replace(/\/\d+$/, ""),
          state: flags.includes("E") ? "Established" : (props.state ?? "not established"),
        });
  }
  if (kinds.has("wireguard-tunnel")) {
    const cmd = "/interface wireguard peers print terse";
    const r = await send(session, cmd, "health");
    const now = await deviceClock(session);
    const committed = await readFile(session, committedFileName(ctx.runId), "health").catch(() => undefined);
    const at = committed ? Date.parse(committed.replace(" ", "T").concat("Z")) : Number.NaN;
    if (!r.ok) unreadable("wireguard-tunnel", cmd, r.error);
    else if (!now) unreadable("wireguard-tunnel", "/system clock", "the device's clock could not be read");
    else
      for (const { props } of terseRows(r.out)) {
        const ago = durationS(props["last-handshake"]);
        out.push({
          kind: "wireguard-peer",
          interface: props.interface ?? "",
          publicKey: props["public-key"] ?? "",
          latestHandshake: ago === undefined ? 0 : Math.floor(now.getTime() / 1000) - ago,
          ...(Number.isFinite(at) ? { committedAt: Math.floor(at / 1000) } : {}),
          // RouterOS counts bytes since the peer was made, not since the commit: not a proof.
          receivedSinceCommit: 0,
        });
      }
  }
  if (kinds.has("route")) {
    let failed = false;
    const families = new Set(
      probes.flatMap((p) => (p.kind === "route" ? [p.prefix.includes(":") ? 6 : 4] : [])),
    );
    for (const cmd of [...families]
      .sort()
      .map((f) => (f === 6 ? "/ipv6 route print terse" : "/ip route print terse"))) {
      const r = await send(session, cmd, "health");
      if (!r.ok) {
        unreadable("route", cmd, r.error);
        failed = true;
        continue;
      }
      for (const { flags, props } of terseRows(r.out)) {
        if (!props["dst-address"] || !flags.includes("A")) continue;
        // v7: o ospf, b bgp, s static, c connect, B blackhole; v6 spells static and connect S, C.
        const protocol = /o/.test(flags)
          ? "ospf"
          : /b/.test(flags)
            ? "bgp"
            : /[sS]/.test(flags)
              ? "static"
              : /[cC]/.test(flags)
                ? "connect"
                : "other";
        out.push({
          kind: "route",
          prefix: props["dst-address"],
          protocol,
          fromDaemon: protocol === "ospf" || protocol === "bgp",
        });
      }
    }
    if (!failed) out.push({ kind: "route-source", protocols: "ospf|bgp" });
  }
  for (const k of ["serial-port", "cellular-failover", "management-path"] as const)
    if (kinds.has(k)) unreadable(k, k, "not something the RouterOS driver checks");
  return out;
}

// ------------------------------------------------------------------ the driver

function me(): string {
  return `host=${hostname().replace(/\s/g, "_")} pid=${process.pid}`;
}

async function lockHolder(session: CliSession, step: string): Promise<Holder | undefined> {
  const c = await readFile(session, LOCK_FILE, step);
  return c === undefined ? undefined : holderOf(c);
}

export const routerosApply: ApplyDriver = {
  capabilities: { nativeCommitConfirm: false, onDeviceValidation: false },

  async lock(session, ctx) {
    const runId = checkRunId(ctx.runId);
    const contents = `run=${runId} ${me()} time=${new Date().toISOString()}`;
    const take = () =>
      send(session, `/file add name=${quoteValue(LOCK_FILE)} contents=${quoteValue(contents)}`, "lock");
    let r = await take();
    if (r.ok) return;
    const h = await lockHolder(session, "lock");
    if (!h) {
      r = await take(); // freed in between
      if (r.ok) return;
      throw new LockHeldError(`lock failed: ${r.error}`, details(ctx, "lock", r.out));
    }
    if (h.run === runId) return;
    if (h.run) {
      const decided = await readFile(session, decidedFileName(h.run), "lock");
      const pending = await exists(session, "/system scheduler", revertSchedulerName(h.run), "lock");
      if (decided === "reverted" && !pending) {
        // That run is over: its change was not confirmed and the device reverted it by itself.
        await send(session, removeLockLine(h.contents), "lock");
        await cleanup(session, h.run, "lock");
        r = await take();
        if (r.ok) return;
        const other = await lockHolder(session, "lock");
        throw new LockHeldError(
          `the device was locked by ${h.describe}, which had reverted by itself; another run took the lock first: ${other?.describe ?? r.error}`,
          details(ctx, "lock"),
        );
      }
      const advice = pending
        ? "; that run's change is not confirmed yet: the device reverts it by itself when its scheduler entry fires"
        : `; if that run is dead, free it with \`reconciler unlock ${ctx.device.name} --run ${h.run}\``;
      throw new LockHeldError(`the device is locked by ${h.describe}${advice}`, details(ctx, "lock"));
    }
    throw new LockHeldError(`the device is locked by ${h.describe}`, details(ctx, "lock"));
  },

  async unlock(session, ctx) {
    const h = await lockHolder(session, "unlock");
    if (!h || h.run !== ctx.runId) return; // not ours: left alone
    await must(session, ctx, removeLockLine(h.contents), "unlock");
  },

  async releaseLock(session, device, runId) {
    checkRunId(runId);
    const d = { device: device.name, command: "unlock" };
    const h = await lockHolder(session, "unlock");
    if (!h) return "not-locked";
    if (h.run !== runId)
      throw new LockHeldError(`the lock is held by another run: ${h.describe}; nothing was changed`, d);
    if (await exists(session, "/system scheduler", revertSchedulerName(runId), "unlock"))
      throw new LockHeldError(
        `run ${runId} is armed: its change is not confirmed and the device will revert it by itself; nothing was changed`,
        d,
      );
    const r = await send(session, removeLockLine(h.contents), "unlock");
    if (!r.ok) throw new CommandError(`unlock failed: ${r.error}`, d, 1);
    await cleanup(session, runId, "unlock");
    return "released";
  },

  async lockState(session, _device) {
    const h = await lockHolder(session, "lock state");
    if (!h) return undefined;
    if (!h.run) return { describe: h.describe };
    const decided = await readFile(session, decidedFileName(h.run), "lock state");
    if (decided === "reverted")
      return { describe: h.describe, stale: "its change was reverted by the device itself" };
    const host = /(?:^| )host=(\S+)/.exec(h.contents)?.[1];
    const pid = Number(/(?:^| )pid=(\d+)/.exec(h.contents)?.[1]);
    if (host === hostname().replace(/\s/g, "_") && pid > 0) {
      try {
        process.kill(pid, 0);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EPERM")
          return { describe: h.describe, stale: `its process ${pid} on this host is gone` };
      }
    }
    return { describe: h.describe };
  },

  async stage(session, ctx, candidate: Candidate, snapshot: LiveState): Promise<Staged> {
    const runId = checkRunId(ctx.runId);
    if (candidate.kind !== "commands") throw new Error("RouterOS applies commands, not files");
    const reject = (why: string) =>
      new CandidateRejectedError(`candidate refused before anything was sent: ${why}`, details(ctx, "stage"));
    const declared = declaredEnv(ctx.intent);
    const secrets: string[] = [];
    const commands: string[] = [];
    for (const c of candidate.commands) {
      const filled = fillSecrets(c.line, (name) => {
        if (!declared.has(name))
          throw reject(
            `${c.line.slice(0, 120)} names the secret ${name}, which the desired state does not declare`,
          );
        const v = ctx.env[name];
        if (v === undefined || v === "") throw reject(`the secret ${name} is not set in the environment`);
        return v;
      });
      secrets.push(...filled.secrets);
      commands.push(filled.line);
    }
    const why = refusal(commands, await interfaceNames(session, ctx));
    if (why) throw reject(redact(why, secrets));
    const secretFiles: string[] = [];
    const undo = await buildUndo(session, ctx, commands, snapshot, secrets, secretFiles);
    await send(session, `/file remove ${secretFilesFind(runId)}`, "stage");
    for (const [n, value] of secretFiles.entries()) {
      const r = await send(
        session,
        `/file add name=${quoteValue(secretFileName(runId, n + 1))} contents=${quoteValue(value)}`,
        "stage",
      );
      if (!r.ok)
        throw new CommandError(
          `stage: keeping a secret for the undo failed: ${redact(r.error, secrets)}`,
          details(ctx, "stage"),
          1,
        );
    }
    const name = undoScriptName(runId);
    await send(session, `/system script remove ${findWhere([["name", name]])}`, "stage");
    for (const [n, line] of uploadLines(name, undoSource(runId, undo)).entries()) {
      const r = await send(session, line, "stage");
      if (!r.ok)
        throw new CommandError(
          `stage: uploading the undo script failed (part ${n + 1}): ${redact(r.error, secrets)}`,
          details(ctx, "stage"),
          1,
        );
    }
    const staged: Staged = { runId, where: `/system script ${name}`, secrets };
    Object.defineProperty(staged, "commands", { value: commands, enumerable: false });
    return staged;
  },

  async arm(session, ctx, _staged, timeoutS) {
    const runId = checkRunId(ctx.runId);
    const when = await startAt(session, ctx, "arm", timeoutS);
    const event = [
      `/file add name=${quoteValue(decidedFileName(runId))} contents=reverted`,
      `/system scheduler remove ${findWhere([["name", revertSchedulerName(runId)]])}`,
      `/system script run ${quoteValue(undoScriptName(runId))}`,
      `/system script remove ${findWhere([["name", undoScriptName(runId)]])}`,
      `/file remove ${secretFilesFind(runId)}`,
      `:log warning ${quoteValue(`reconciler: run ${runId} was not confirmed in time: reverted`)}`,
    ].join("\n");
    await must(
      session,
      ctx,
      `/system scheduler add name=${quoteValue(revertSchedulerName(runId))} ${when} interval=0s on-event=${quoteValue(event)}`,
      "arm",
    );
  },

  async rearm(session, ctx, staged, timeoutS) {
    const runId = checkRunId(ctx.runId);
    const name = revertSchedulerName(runId);
    const when = await startAt(session, ctx, "rearm", timeoutS);
    await must(session, ctx, `/system scheduler set ${findWhere([["name", name]])} ${when}`, "rearm");
    const decided = await readFile(session, decidedFileName(runId), "rearm");
    if (decided === "reverted" || !(await exists(session, "/system scheduler", name, "rearm")))
      throw new CommitFailedError(
        "too late: the device already reverted this run by itself",
        details(ctx, "rearm", redact(decided ?? "", staged.secrets)),
      );
  },

  async abandon(session, ctx) {
    await cleanup(session, checkRunId(ctx.runId), "abandon");
  },

  async commit(session, ctx, staged) {
    const runId = checkRunId(ctx.runId);
    const commands = (staged as Partial<RouterosStaged>).commands;
    if (!commands) throw new Error("commit: this handle was not staged by the RouterOS driver");
    const now = await deviceClock(session);
    if (now)
      await send(
        session,
        `/file add name=${quoteValue(committedFileName(runId))} contents=${quoteValue(now.toISOString().slice(0, 19).replace("T", " "))}`,
        "commit",
      );
    for (const [n, line] of commands.entries()) {
      const r = await send(session, line, "commit");
      if (!r.ok)
        throw new CommitFailedError(
          `commit stopped at line ${n + 1} of ${commands.length}, ${redact(line, staged.secrets).slice(0, 300)}: ${redact(r.error, staged.secrets)}`,
          details(ctx, "commit", redact(r.out, staged.secrets)),
        );
    }
  },

  health,

  async confirm(session, ctx, staged) {
    const runId = checkRunId(ctx.runId);
    const taken = await decide(session, runId, "confirmed", "confirm");
    if (taken !== undefined && taken !== "confirmed") {
      if (taken === "reverted") {
        await cleanup(session, runId, "confirm", true);
        throw new CommitFailedError(
          "too late to confirm: the device already reverted this run by itself",
          details(ctx, "confirm"),
        );
      }
      throw new CommitFailedError(`confirm: this run was already ${taken}`, details(ctx, "confirm"));
    }
    await cleanup(session, runId, "confirm");
    void staged;
  },

  async rollback(session, ctx, staged) {
    const runId = checkRunId(ctx.runId);
    const taken = await decide(session, runId, "rolled-back", "rollback");
    if (taken === "reverted") {
      await cleanup(session, runId, "rollback");
      return; // the scheduler did it
    }
    if (taken === "confirmed")
      throw new CommitFailedError("rollback: this run was already confirmed", details(ctx, "rollback"));
    // Taken by us (or by an earlier rollback of ours): nothing else will run the undo now.
    await send(
      session,
      `/system scheduler remove ${findWhere([["name", revertSchedulerName(runId)]])}`,
      "rollback",
    );
    const r = await send(session, `/system script run ${quoteValue(undoScriptName(runId))}`, "rollback");
    const failedSteps = [...r.out.matchAll(/@@undo-failed (\d+)/g)].map((m) => m[1]);
    await cleanup(session, runId, "rollback");
    if (!r.ok || failedSteps.length > 0)
      throw new CommitFailedError(
        `rollback: the undo script ${r.ok ? `failed at step(s) ${failedSteps.join(", ")}` : `did not run: ${r.error}`}`,
        details(ctx, "rollback", redact(r.out, staged.secrets)),
      );
  },
};
