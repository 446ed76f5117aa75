// The legacy dialect (ACM/IM/CM7100 firmware): /bin/config over the same store.
//   config -g KEY [-g KEY...]   print `KEY value` for KEY and every key under it
//   config -s KEY=VALUE         set (written at once; not yet applied)
//   config -d KEY               delete
//   config -a                   apply everything; config -r CONFIGURATOR: apply one (serialconfig,
//                               systemsettings, ...)
// Keys that mean something in the ogcli model are read from and written to it (the hostname, the
// serial ports' label/speed/charsize/parity/stop/mode: the names and values the Zenoss Opengear
// ZenPack parses); the others live in the store's legacy map. Sources in the README.
import { OgError } from "./errors.ts";
import { BAUD_RATES } from "./schema.ts";
import type { Store } from "./store.ts";
import type { Obj } from "./values.ts";

export interface LegacyResult {
  stdout: string;
  stderr: string;
  code: number;
  store: Store;
}

const MODES: [string, string][] = [
  ["portmanager", "consoleServer"],
  ["console", "localConsole"],
  ["disabled", "disabled"],
];
const PARITY: [string, string][] = [
  ["None", "none"],
  ["Odd", "odd"],
  ["Even", "even"],
  ["Mark", "mark"],
  ["Space", "space"],
];
const to = (t: [string, string][], legacy: string) => t.find(([l]) => l === legacy)?.[1];
const from = (t: [string, string][], og: string) => t.find(([, o]) => o === og)?.[0] ?? og;

// Per-port keys the legacy box has that the ogcli model does not, with their defaults.
const PORT_EXTRAS: [string, string][] = [
  ["flowcontrol", "None"],
  ["protocol", "RS232"],
  ["loglevel", "0"],
  ["terminal", "vt220"],
  ["ssh", "off"],
  ["telnet", "off"],
  ["rfc2217", "off"],
  ["rawtcp", "off"],
];

/** Every key the box shows, in order. */
function allKeys(store: Store): [string, string][] {
  const out: [string, string][] = [["config.system.name", String((store.data.hostname as Obj).hostname)]];
  const ports = store.data.ports as Obj[];
  ports.forEach((p, i) => {
    const k = `config.ports.port${i + 1}`;
    out.push(
      [`${k}.label`, String(p.label)],
      [`${k}.mode`, from(MODES, String(p.mode))],
      [`${k}.speed`, String(p.baudrate)],
      [`${k}.charsize`, String(p.databits)],
      [`${k}.parity`, from(PARITY, String(p.parity))],
      [`${k}.stop`, String(p.stopbits)],
    );
    for (const [x, def] of PORT_EXTRAS) out.push([`${k}.${x}`, store.legacy.keys[`${k}.${x}`] ?? def]);
  });
  const shown = new Set(out.map(([k]) => k));
  for (const [k, v] of Object.entries(store.legacy.keys).sort()) if (!shown.has(k)) out.push([k, v]);
  return out;
}

/** Set KEY=VALUE: on the model where it maps, else in the legacy map. */
function setKey(store: Store, key: string, value: string): void {
  if (key === "config.system.name") {
    if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,62}$/.test(value)) throw new OgError(`Invalid value for ${key}`);
    (store.data.hostname as Obj).hostname = value;
    if (store.data.admin_info) (store.data.admin_info as Obj).hostname = value;
    return;
  }
  const m = /^config\.ports\.port(\d+)\.([a-z0-9]+)$/.exec(key);
  const port = m ? (store.data.ports as Obj[])[Number(m[1]) - 1] : undefined;
  if (m && port) {
    const field = m[2] as string;
    const bad = () => new OgError(`Invalid value for ${key}`);
    switch (field) {
      case "label":
        port.label = value;
        return;
      case "mode": {
        const v = to(MODES, value);
        if (!v) throw bad();
        port.mode = v;
        return;
      }
      case "speed":
        if (!(BAUD_RATES as readonly string[]).includes(value)) throw bad();
        port.baudrate = value;
        return;
      case "charsize":
        if (!["5", "6", "7", "8"].includes(value)) throw bad();
        port.databits = value;
        return;
      case "parity": {
        const v = to(PARITY, value);
        if (!v) throw bad();
        port.parity = v;
        return;
      }
      case "stop":
        if (!["1", "1.5", "2"].includes(value)) throw bad();
        port.stopbits = value;
        return;
    }
  }
  if (!/^config(\.[A-Za-z0-9_-]+)+$/.test(key)) throw new OgError(`Invalid key ${key}`);
  store.legacy.keys[key] = value;
}

export function legacyConfig(argv: string[], input: Store): LegacyResult {
  const store = structuredClone(input);
  let stdout = "";
  try {
    const gets: string[] = [];
    for (let i = 0; i < argv.length; i++) {
      const o = argv[i];
      const arg = () => {
        const v = argv[++i];
        if (v === undefined) throw new OgError(`config: option ${o} requires an argument`);
        return v;
      };
      if (o === "-g") gets.push(arg());
      else if (o === "-s") {
        const kv = arg();
        const eq = kv.indexOf("=");
        if (eq <= 0) throw new OgError(`config: expected KEY=VALUE: ${kv}`);
        setKey(store, kv.slice(0, eq), kv.slice(eq + 1));
        store.legacy.unapplied = true;
      } else if (o === "-d") {
        const k = arg();
        delete store.legacy.keys[k];
        store.legacy.unapplied = true;
      } else if (o === "-a") store.legacy.unapplied = false;
      else if (o === "-r") {
        arg();
        store.legacy.unapplied = false;
      } else throw new OgError("Usage: config [-g KEY] [-s KEY=VALUE] [-d KEY] [-a] [-r CONFIGURATOR]");
    }
    const keys = allKeys(store);
    for (const g of gets)
      for (const [k, v] of keys)
        if (k === g || k.startsWith(`${g}.`) || g === "config") stdout += `${k} ${v}\n`;
    return { stdout, stderr: "", code: 0, store };
  } catch (e) {
    if (e instanceof OgError) return { stdout, stderr: `${e.message}\n`, code: 1, store: input };
    throw e;
  }
}
