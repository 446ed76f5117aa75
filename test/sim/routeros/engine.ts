// The console engine: runs RouterOS command lines against the state store. Pure apart from the
// clock it is given: no network, no timers (the scheduler and the SSH server sit around it).

import type { Backing } from "./backing.ts";
import {
  badCommandName,
  expectedEndOfCommand,
  missingValues,
  noMatchingValue,
  noSuchItem,
  RosError,
} from "./errors.ts";
import { exportConfig, type Identity } from "./export.ts";
import { evaluate } from "./expr.ts";
import { type Command, type Item, literal, type Pos, parseScript, type Value } from "./lexer.ts";
import { visibleItems } from "./operational.ts";
import { asValue, effective, printItems, printSingleton } from "./print.ts";
import { checkItem, deriveValues } from "./rules.ts";
import { MENU_BY_PATH, MENUS, type Menu, PATH_NODES, prop } from "./schema.ts";
import { scripting } from "./scripting.ts";
import { formatId, parseId, Store, type StoredItem } from "./store.ts";
import { formatTime, normalize } from "./values.ts";
import { compileWhere } from "./where.ts";

export type RVal = string | string[] | Record<string, string>[] | undefined;

export interface Ctx {
  path: string;
  locals: Map<string, RVal>;
  out: string[];
  user: string;
}

export interface RunResult {
  output: string;
  ok: boolean;
  /** RouterOS's message when a command failed (the rest of the input was not run). */
  error?: string;
}

export interface EngineOptions {
  version?: string;
  softwareId?: string;
  model?: string;
  serial?: string;
  ethernets?: number;
  now?: () => Date;
  store?: Store;
  /** The real system behind the configuration (the lab); operational menus are empty without it. */
  backing?: Backing;
}

const LIST_COMMANDS = ["add", "set", "remove", "print", "export", "find", "get", "enable", "disable"];
const SINGLETON_COMMANDS = ["set", "print", "export", "get"];

export function toStr(v: RVal): string {
  if (v === undefined) return "";
  if (typeof v === "string") return v;
  return (v as (string | Record<string, string>)[])
    .map((x) =>
      typeof x === "string"
        ? x
        : Object.entries(x)
            .map(([k, val]) => `${k}=${val}`)
            .join(";"),
    )
    .join(";");
}

const join = (path: string, word: string) => (path ? `${path} ${word}` : word);

export class Engine {
  readonly store: Store;
  readonly identity: Identity;
  now: () => Date;
  readonly log: string[] = [];
  readonly backing?: Backing;
  /** Called after any command that may have changed the configuration. */
  onChange?: () => void;
  /** `/system reboot` (the router reboots once the current command line is done). */
  onReboot?: () => void;
  /** Called when a scheduler item is added, changed or removed. */
  onSchedulerChange?: () => void;

  constructor(opts: EngineOptions = {}) {
    this.store = opts.store ?? Store.fresh({ ethernets: opts.ethernets ?? 2 });
    this.identity = {
      version: opts.version ?? "7.16",
      softwareId: opts.softwareId ?? "",
      model: opts.model,
      serial: opts.serial,
    };
    this.now = opts.now ?? (() => new Date());
    this.backing = opts.backing;
    const booted = this.now().getTime();
    const resource = this.store.resource;
    resource.version = `${this.identity.version} (stable)`;
    resource["board-name"] = opts.model ?? "CHR";
    resource["architecture-name"] = opts.model ? "arm64" : "x86_64";
    resource.platform = "MikroTik";
    Object.defineProperty(resource, "uptime", {
      enumerable: true,
      configurable: true,
      get: () => formatTime(Math.floor((this.now().getTime() - booted) / 1000)),
    });
    // help.mikrotik.com "Clock": the device's time and date (UTC here, no time zone set).
    const clock = this.store.clock;
    clock["time-zone-name"] = "UTC";
    Object.defineProperty(clock, "time", {
      enumerable: true,
      configurable: true,
      get: () => this.now().toISOString().slice(11, 19),
    });
    Object.defineProperty(clock, "date", {
      enumerable: true,
      configurable: true,
      get: () => this.now().toISOString().slice(0, 10),
    });
  }

  /** Runs a script (one line, several lines or `;`-separated commands); stops at the first error. */
  run(script: string, session: { path: string; user?: string } = { path: "" }): RunResult {
    const ctx: Ctx = { path: session.path, locals: new Map(), out: [], user: session.user ?? "admin" };
    try {
      this.execAll(parseScript(script), ctx, true);
      session.path = ctx.path;
      return { output: ctx.out.join(""), ok: true };
    } catch (e) {
      if (!(e instanceof RosError)) throw e;
      ctx.out.push(`${e.message}\n`);
      return { output: ctx.out.join(""), ok: false, error: e.message };
    } finally {
      this.onChange?.();
    }
  }

  export(opts: Parameters<typeof exportConfig>[3] = {}): string {
    return exportConfig(this.store, this.now(), this.identity, { version: this.identity.version, ...opts });
  }

  execAll(cmds: Command[], ctx: Ctx, top = false): RVal {
    let last: RVal;
    for (const c of cmds) last = this.exec(c, ctx, top);
    return last;
  }

  evalValue(v: Value, ctx: Ctx): RVal {
    if (v.kind === "string") {
      if (v.parts.length === 1 && typeof v.parts[0] !== "string")
        return this.variable((v.parts[0] as { variable: string }).variable, ctx);
      return v.parts.map((p) => (typeof p === "string" ? p : toStr(this.variable(p.variable, ctx)))).join("");
    }
    if (v.kind === "substitution") return this.execAll(v.commands, { ...ctx, out: ctx.out });
    if (v.kind === "expression") return evaluate(v.tokens, (x) => this.evalValue(x, ctx));
    return v.source;
  }

  variable(name: string, ctx: Ctx): RVal {
    return ctx.locals.has(name) ? ctx.locals.get(name) : this.store.data.globals[name];
  }

  str(v: Value, ctx: Ctx): string {
    return toStr(this.evalValue(v, ctx));
  }

  exec(cmd: Command, ctx: Ctx, top = false): RVal {
    const items = cmd.items;
    const first = items[0] as Item;
    if (first.key === undefined && first.value.kind === "block") {
      return this.execAll(first.value.commands, { ...ctx });
    }
    const w0 =
      first.key === undefined && first.value.kind === "string" && !first.value.quoted
        ? literal(first.value)
        : undefined;
    if (w0?.startsWith(":")) return scripting(this, w0.slice(1), first.pos, items.slice(1), ctx);
    let path = ctx.path;
    let i = 0;
    let command: string | undefined;
    let commandPos: Pos = first.pos;
    walk: while (i < items.length) {
      const it = items[i] as Item;
      if (it.key !== undefined || it.value.kind !== "string" || it.value.quoted) break;
      const w = literal(it.value);
      if (w === undefined) break;
      if (w.startsWith("/") || w.includes("/")) {
        if (w.startsWith("/")) path = "";
        const segs = w.split("/");
        let offset = 0;
        for (let s = 0; s < segs.length; s++) {
          const seg = segs[s] as string;
          const pos = { line: it.pos.line, column: it.pos.column + offset };
          offset += seg.length + 1;
          if (seg === "") continue;
          if (seg === "..") path = path.split(" ").slice(0, -1).join(" ");
          else if (PATH_NODES.has(join(path, seg))) path = join(path, seg);
          else if (s === segs.length - 1 && this.isCommand(path, seg)) {
            command = seg;
            commandPos = pos;
            i++;
            break walk;
          } else throw badCommandName(seg, pos);
        }
        i++;
        continue;
      }
      if (w === "..") path = path.split(" ").slice(0, -1).join(" ");
      else if (PATH_NODES.has(join(path, w))) path = join(path, w);
      else if (this.isCommand(path, w)) {
        command = w;
        commandPos = it.pos;
        i++;
        break;
      } else throw badCommandName(w, it.pos);
      i++;
    }
    if (command === undefined) {
      if (i < items.length) throw new RosError("expected command name", (items[i] as Item).pos);
      ctx.path = path;
      return undefined;
    }
    return this.dispatch(path, command, commandPos, items.slice(i), ctx, top);
  }

  private isCommand(path: string, w: string): boolean {
    const menu = MENU_BY_PATH.get(path);
    if (path === "") return w === "export" || w === "import";
    if (path === "system" && w === "reboot") return !!this.onReboot;
    if (!menu) return w === "export";
    if (menu.singleton) return menu.view ? w === "print" || w === "get" : SINGLETON_COMMANDS.includes(w);
    if (menu.view) return w === "print" || w === "find" || w === "get" || w === "export";
    if (path === "system script" && w === "run") return true;
    return LIST_COMMANDS.includes(w);
  }

  private dispatch(path: string, command: string, pos: Pos, args: Item[], outer: Ctx, top: boolean): RVal {
    // the arguments' [ substitutions ] run in the command's menu: `set [ find … ]`
    const ctx: Ctx = { ...outer, path };
    if (command === "export") return this.cmdExport(path, args, ctx);
    if (command === "import") return this.cmdImport(args, ctx);
    if (command === "reboot") {
      for (const a of args) throw expectedEndOfCommand(a.pos);
      this.onReboot?.();
      return undefined;
    }
    const menu = MENU_BY_PATH.get(path) as Menu;
    switch (command) {
      case "add":
        return this.cmdAdd(menu, args, ctx);
      case "set":
        return this.cmdSet(menu, args, ctx);
      case "remove":
        return this.cmdRemove(menu, args, ctx);
      case "enable":
      case "disable":
        return this.cmdEnable(menu, args, ctx, command === "disable");
      case "print":
        return this.cmdPrint(menu, args, ctx, top);
      case "find":
        return this.find(menu, args, ctx);
      case "get":
        return this.cmdGet(menu, args, ctx);
      case "run":
        return this.runScript(args, ctx);
      default:
        throw badCommandName(command, pos);
    }
  }

  // ---------------------------------------------------------------- arguments and items

  /** key=value arguments (with the `.as=` shorthand) and flag words; other words are refused. */
  private namedArgs(
    menu: Menu,
    args: Item[],
    ctx: Ctx,
    opts: { positional?: number; extra?: string[] } = {},
  ): { named: Map<string, string>; positional: Item[]; extra: Map<string, Item>; unset: string[] } {
    const named = new Map<string, string>();
    const positional: Item[] = [];
    const extra = new Map<string, Item>();
    const unset: string[] = [];
    let lastPrefix: string | undefined;
    for (const it of args) {
      if (it.key === undefined) {
        const w = it.value.kind === "string" && !it.value.quoted ? literal(it.value) : undefined;
        const p = w !== undefined ? prop(menu, w) : undefined;
        if (p?.type === "flag") {
          named.set(p.name, "yes");
          continue;
        }
        if (w?.startsWith("!") && prop(menu, w.slice(1)) && !prop(menu, w.slice(1))?.readOnly) {
          unset.push(w.slice(1));
          continue;
        }
        if (positional.length < (opts.positional ?? 0)) {
          positional.push(it);
          continue;
        }
        throw expectedEndOfCommand(it.pos);
      }
      let key = it.key;
      if (key.startsWith(".")) {
        if (!lastPrefix) throw expectedEndOfCommand(it.pos);
        key = lastPrefix + key;
      } else if (key.includes(".")) lastPrefix = key.slice(0, key.indexOf("."));
      if (opts.extra?.includes(key)) {
        extra.set(key, it);
        continue;
      }
      const p = prop(menu, key);
      if (!p || p.readOnly) throw expectedEndOfCommand(it.pos);
      named.set(key, normalize(p, this.str(it.value, ctx)));
    }
    return { named, positional, extra, unset };
  }

  /** Items named by numbers (print order), *HEX ids, names, or a `[ find … ]` list. */
  resolve(menu: Menu, v: RVal): StoredItem[] {
    // set/remove act on the configuration items themselves; get may also name a view's row
    const list = menu.view ? this.items(menu) : this.store.list(menu.path);
    const refs = Array.isArray(v)
      ? (v as string[])
      : toStr(v)
          .split(",")
          .filter((x) => x !== "");
    const out: StoredItem[] = [];
    for (const ref of refs) {
      const id = parseId(ref);
      let item: StoredItem | undefined;
      if (id !== undefined) item = list.find((i) => i.id === id);
      else if (/^\d+$/.test(ref)) item = list[Number(ref)];
      else if (menu.nameProp) item = list.find((i) => i.values[menu.nameProp as string] === ref);
      if (!item) throw noSuchItem();
      if (!out.includes(item)) out.push(item);
    }
    return out;
  }

  // ---------------------------------------------------------------- commands

  private cmdAdd(menu: Menu, args: Item[], ctx: Ctx): RVal {
    if (menu.path === "file") return this.fileAdd(args, ctx);
    const extras = menu.path === "ip firewall filter" ? ["place-before"] : [];
    const { named, extra } = this.namedArgs(menu, args, ctx, { extra: extras });
    const values: Record<string, string> = Object.fromEntries(named);
    deriveValues(this, menu, values, named, ctx, true);
    checkItem(this, menu, values, undefined);
    let before: number | undefined;
    const pb = extra.get("place-before");
    if (pb) before = this.resolve(menu, this.evalValue(pb.value, ctx))[0]?.id;
    const item = this.store.add(menu.path, values, false, before);
    if (menu.path === "system scheduler") this.onSchedulerChange?.();
    return formatId(item.id);
  }

  private cmdSet(menu: Menu, args: Item[], ctx: Ctx): RVal {
    const { named, positional, unset, extra } = this.namedArgs(menu, args, ctx, {
      positional: menu.singleton ? 0 : 1,
      extra: menu.singleton ? [] : ["numbers"],
    });
    let targets: StoredItem[];
    if (menu.singleton) targets = this.store.list(menu.path);
    else {
      const which = positional[0] ?? extra.get("numbers");
      if (!which) throw missingValues(["numbers"]);
      targets = this.resolve(menu, this.evalValue(which.value, ctx));
    }
    for (const t of targets) {
      const values = { ...t.values, ...Object.fromEntries(named) };
      for (const u of unset) delete values[u];
      deriveValues(this, menu, values, named, ctx, false);
      checkItem(this, menu, values, t);
      t.values = values;
    }
    if (menu.path === "system scheduler") this.onSchedulerChange?.();
    return undefined;
  }

  private cmdRemove(menu: Menu, args: Item[], ctx: Ctx): RVal {
    if (args.length === 0) throw missingValues(["numbers"]);
    const targets: StoredItem[] = [];
    for (const a of args) {
      if (a.key !== undefined) throw expectedEndOfCommand(a.pos);
      targets.push(...this.resolve(menu, this.evalValue(a.value, ctx)));
    }
    for (const t of targets) {
      if (t.builtin) throw new RosError("failure: can not remove built-in item");
    }
    for (const t of targets) this.store.remove(menu.path, t.id);
    if (menu.path === "system scheduler") this.onSchedulerChange?.();
    return undefined;
  }

  private cmdEnable(menu: Menu, args: Item[], ctx: Ctx, disable: boolean): RVal {
    if (!prop(menu, "disabled"))
      throw badCommandName(disable ? "disable" : "enable", args[0]?.pos ?? { line: 1, column: 1 });
    for (const a of args) {
      for (const t of this.resolve(menu, this.evalValue(a.value, ctx)))
        t.values.disabled = disable ? "yes" : "no";
    }
    return undefined;
  }

  /** The items matching `find`'s conditions, in order, as ids. */
  private find(menu: Menu, args: Item[], ctx: Ctx): string[] {
    const conds =
      args[0]?.key === undefined && args[0] && literal(args[0].value) === "where" ? args.slice(1) : args;
    const pred = compileWhere(menu, conds, (v) => this.str(v, ctx));
    return this.items(menu)
      .filter((i) => pred(this.matchable(menu, i)))
      .map((i) => formatId(i.id));
  }

  private matchable(menu: Menu, item: StoredItem): Record<string, string> {
    const { dynamic = "no", active, established } = item.values;
    return {
      ".id": formatId(item.id),
      dynamic,
      invalid: "no",
      ...(active ? { active } : {}),
      ...(established ? { established } : {}),
      ...effective(menu, item),
    };
  }

  /** The items print, find and get see: configuration items, or a view's rows (operational.ts). */
  items(menu: Menu): StoredItem[] {
    return menu.view || menu.path === "ip route" || menu.path === "interface wireguard peers"
      ? visibleItems(menu, this.store, this.backing)
      : this.store.list(menu.path);
  }

  private cmdPrint(menu: Menu, args: Item[], ctx: Ctx, top: boolean): RVal {
    let mode: "table" | "detail" | "terse" | "as-value" = "table";
    let showIds = false;
    let countOnly = false;
    let proplist: string[] | undefined;
    let where: Item[] = [];
    for (let k = 0; k < args.length; k++) {
      const a = args[k] as Item;
      const w = a.key === undefined ? literal(a.value) : undefined;
      if (a.key === "proplist") proplist = this.str(a.value, ctx).split(",");
      else if (a.key === "interval" || a.key === "file") continue;
      else if (w === "where") {
        where = args.slice(k + 1);
        break;
      } else if (w === "detail" || w === "terse" || w === "as-value") mode = w;
      else if (w === "show-ids") showIds = true;
      else if (w === "count-only") countOnly = true;
      else if (w === "without-paging" || w === "brief" || w === "value-list") continue;
      else throw expectedEndOfCommand(a.pos);
    }
    if (menu.singleton) {
      const item = this.store.list(menu.path)[0] as StoredItem;
      if (mode === "as-value") return [effective(menu, item)];
      ctx.out.push(printSingleton(menu, item));
      return undefined;
    }
    const pred = compileWhere(menu, where, (v) => this.str(v, ctx));
    const items = this.items(menu).filter((i) => pred(this.matchable(menu, i)));
    if (countOnly) {
      ctx.out.push(`${items.length}\n`);
      return String(items.length);
    }
    if (mode === "as-value") return asValue(menu, items, proplist);
    void top;
    ctx.out.push(printItems(menu, items, { mode, showIds, proplist }));
    return undefined;
  }

  private cmdGet(menu: Menu, args: Item[], ctx: Ctx): RVal {
    let item: StoredItem;
    let rest = args;
    if (menu.singleton) item = this.store.list(menu.path)[0] as StoredItem;
    else {
      if (!args[0]) throw missingValues(["number"]);
      const found = this.resolve(menu, this.evalValue(args[0].value, ctx));
      if (found.length !== 1) throw noSuchItem();
      item = found[0] as StoredItem;
      rest = args.slice(1);
    }
    const values = this.matchable(menu, item);
    if (!rest[0]) return [values];
    const name = this.str(rest[0].value, ctx);
    if (!(name in values) && !prop(menu, name)) throw noMatchingValue("value-name");
    return values[name] ?? "";
  }

  private runScript(args: Item[], ctx: Ctx): RVal {
    const menu = MENU_BY_PATH.get("system script") as Menu;
    if (!args[0]) throw missingValues(["number"]);
    const script = this.resolve(menu, this.evalValue(args[0].value, ctx))[0] as StoredItem;
    script.values["run-count"] = String(Number(script.values["run-count"] ?? 0) + 1);
    return this.execAll(parseScript(script.values.source ?? ""), { ...ctx, path: "", locals: new Map() });
  }

  private cmdExport(path: string, args: Item[], ctx: Ctx): RVal {
    const opts: {
      terse?: boolean;
      verbose?: boolean;
      showSensitive?: boolean;
      under?: string;
      version?: string;
    } = {
      version: this.identity.version,
    };
    let file: string | undefined;
    for (const a of args) {
      const w = a.key === undefined ? literal(a.value) : undefined;
      if (a.key === "file") file = this.str(a.value, ctx);
      else if (w === "terse") opts.terse = true;
      else if (w === "verbose") opts.verbose = true;
      else if (w === "show-sensitive") opts.showSensitive = true;
      else if (w === "compact" || w === "hide-sensitive") continue;
      else throw expectedEndOfCommand(a.pos);
    }
    if (path) opts.under = path;
    const text = this.export(opts);
    if (file === undefined) {
      ctx.out.push(text);
      return undefined;
    }
    // written to a file, an export has CRLF line ends (the reference .rsc files)
    const name = /\.[A-Za-z0-9]+$/.test(file) ? file : `${file}.rsc`;
    this.writeFile(name, text.replace(/\n/g, "\r\n"));
    return undefined;
  }

  private cmdImport(args: Item[], ctx: Ctx): RVal {
    let name: string | undefined;
    for (const a of args) {
      if (a.key === "file-name" || (a.key === undefined && name === undefined)) name = this.str(a.value, ctx);
      else if (a.key === "verbose" || a.key === "dry-run") continue;
      else throw expectedEndOfCommand(a.pos);
    }
    if (name === undefined) throw missingValues(["file-name"]);
    const file = this.store.list("file").find((f) => f.values.name === name);
    if (!file) throw new RosError("failure: no such file");
    // no transaction: each line is applied as it runs; the first error stops the import
    this.execAll(parseScript(file.values.contents ?? ""), { ...ctx, path: "", locals: new Map() });
    ctx.out.push("\nScript file loaded and executed successfully\n");
    return undefined;
  }

  // ---------------------------------------------------------------- files

  writeFile(name: string, contents: string): void {
    const menu = MENU_BY_PATH.get("file") as Menu;
    const values = {
      name,
      type: name.endsWith(".rsc") ? "script" : "file",
      size: String(Buffer.byteLength(contents)),
      "creation-time": this.now().toISOString().replace("T", " ").slice(0, 19),
      contents,
    };
    const existing = this.store.list(menu.path).find((f) => f.values.name === name);
    if (existing) existing.values = values;
    else this.store.add(menu.path, values);
  }

  readFile(name: string): string | undefined {
    return this.store.list("file").find((f) => f.values.name === name)?.values.contents;
  }

  private fileAdd(args: Item[], ctx: Ctx): RVal {
    const menu = MENU_BY_PATH.get("file") as Menu;
    const { named } = this.namedArgs(menu, args, ctx);
    const name = named.get("name");
    if (!name) throw missingValues(["name"]);
    if (this.readFile(name) !== undefined) throw new RosError("failure: item with such name already exists");
    this.writeFile(name, named.get("contents") ?? "");
    return undefined;
  }
}

export { MENUS };
