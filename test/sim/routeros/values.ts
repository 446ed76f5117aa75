// Property values: checking and normalising what is typed, and quoting what is printed.
import { invalidValue, noMatchingValue, RosError } from "./errors.ts";
import type { Prop } from "./schema.ts";

const UNITS: [string, number][] = [
  ["w", 604800],
  ["d", 86400],
  ["h", 3600],
  ["m", 60],
  ["s", 1],
];

/** Seconds from "1w3d", "10s", "1h30m", "00:01:30", "90" (help.mikrotik.com "Scripting": time). */
export function parseTime(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const hms = /^(?:(\d+)d)?(\d+):(\d\d):(\d\d)$/.exec(text);
  if (hms) return Number(hms[1] ?? 0) * 86400 + Number(hms[2]) * 3600 + Number(hms[3]) * 60 + Number(hms[4]);
  if (!/^(\d+(w|d|h|ms|m|s))+$/.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(/(\d+)(w|d|h|ms|m|s)/g)) {
    if (m[2] === "ms") continue;
    total += Number(m[1]) * (UNITS.find(([u]) => u === m[2])?.[1] ?? 0);
  }
  return total;
}

/** RouterOS's spelling of a duration: 1w3d, 1h30m, 10s, 0s. */
export function formatTime(seconds: number): string {
  if (seconds === 0) return "0s";
  let rest = seconds;
  let out = "";
  for (const [u, n] of UNITS) {
    const k = Math.floor(rest / n);
    if (k > 0) {
      out += `${k}${u}`;
      rest -= k * n;
    }
  }
  return out;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function ipToInt(ip: string): number {
  return ip.split(".").reduce((a, o) => a * 256 + Number(o), 0);
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

/** The network of an IPv4 prefix, as `/ip address` computes `network=`. */
export function networkOf(prefix: string): string {
  const [ip = "", len] = prefix.split("/");
  const bits = Number(len ?? 32);
  const size = 2 ** (32 - bits);
  return intToIp(Math.floor(ipToInt(ip) / size) * size);
}

function isIpv6(text: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || !text.includes(":")) return false;
  const halves = text.split("::");
  if (halves.length > 2) return false;
  const groups = halves.flatMap((h) => (h === "" ? [] : h.split(":")));
  return (
    groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g)) &&
    (halves.length === 2 ? groups.length < 8 : groups.length === 8)
  );
}

/** Checks and normalises one typed value; throws RouterOS's message when it refuses it. */
export function normalize(prop: Prop, raw: string): string {
  switch (prop.type) {
    case "bool": {
      if (raw === "yes" || raw === "true") return "yes";
      if (raw === "no" || raw === "false") return "no";
      throw noMatchingValue(prop.name);
    }
    case "flag": {
      if (raw === "" || raw === "yes" || raw === "true") return "yes";
      if (raw === "no" || raw === "false") return "no";
      throw noMatchingValue(prop.name);
    }
    case "enum": {
      if (!prop.values?.includes(raw)) throw noMatchingValue(prop.name);
      return raw;
    }
    case "int": {
      if (!/^-?\d+$/.test(raw)) throw invalidValue(prop.name);
      const n = Number(raw);
      if ((prop.min !== undefined && n < prop.min) || (prop.max !== undefined && n > prop.max)) {
        throw new RosError(`value of ${prop.name} out of range (${prop.min}..${prop.max})`);
      }
      return String(n);
    }
    case "time": {
      const s = parseTime(raw);
      if (s === undefined) throw invalidValue(prop.name);
      return formatTime(s);
    }
    case "ip": {
      if (!IPV4.test(raw)) throw invalidValue(prop.name);
      return raw;
    }
    case "prefix": {
      const [ip = "", len, extra] = raw.split("/");
      if (extra !== undefined || !IPV4.test(ip)) throw invalidValue(prop.name);
      if (len !== undefined && (!/^\d+$/.test(len) || Number(len) > 32)) throw invalidValue(prop.name);
      return `${ip}/${len ?? 32}`;
    }
    case "ip6prefix": {
      const [ip = "", len, extra] = raw.split("/");
      if (extra !== undefined || !isIpv6(ip)) throw invalidValue(prop.name);
      if (len !== undefined && (!/^\d+$/.test(len) || Number(len) > 128)) throw invalidValue(prop.name);
      return `${ip.toLowerCase()}/${len ?? 128}`;
    }
    case "key": {
      if (raw !== "" && !/^[A-Za-z0-9+/]{43}=$/.test(raw)) throw invalidValue(prop.name);
      return raw;
    }
    default:
      return raw;
  }
}

/** Characters an exported value may hold without quotes (the reference exports). */
const BARE = /^[A-Za-z0-9._:/,@!~*+%-]+$/;

export function needsQuotes(value: string): boolean {
  return !BARE.test(value);
}

/** A string in RouterOS's quoted form, with its escapes (the inverse of the lexer). */
export function quote(value: string): string {
  let out = '"';
  for (const c of value) {
    if (c === '"') out += '\\"';
    else if (c === "\\") out += "\\\\";
    else if (c === "$") out += "\\$";
    else if (c === "\n") out += "\\n";
    else if (c === "\r") out += "\\r";
    else if (c === "\t") out += "\\t";
    else if (c === "?") out += "\\?";
    else if (c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127) {
      out += `\\${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`;
    } else if ((c.codePointAt(0) ?? 0) > 0xff) {
      // A character that came in unescaped: its UTF-8 bytes, as below.
      for (const b of Buffer.from(c, "utf8")) out += `\\${b.toString(16).toUpperCase().padStart(2, "0")}`;
    } else if (c.charCodeAt(0) > 127) {
      // RouterOS keeps strings as bytes and prints every byte above 7F as \HH (help.mikrotik.com
      // "Scripting", Constant Escape Sequences: `\xx` a character from hex input; exports of
      // non-ASCII comments print them so, e.g. comment="\D0\9F..." for Cyrillic).
      out += `\\${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`;
    } else out += c;
  }
  return `${out}"`;
}

/** key=value as /export and `print detail` write it. */
export function exportValue(value: string): string {
  return needsQuotes(value) ? quote(value) : value;
}
