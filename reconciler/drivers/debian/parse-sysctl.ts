// Forwarding from the sysctl file (key = value lines, '#' and ';' comments) and from the output
// of `sysctl -n net.ipv4.ip_forward net.ipv6.conf.all.forwarding` (one value per line, in order).
import type { DeviceIntent } from "../../schema/device.ts";
import { SYSCTL_KEYS } from "./render-sysctl.ts";

type Forwarding = NonNullable<DeviceIntent["forwarding"]>;

export function parseSysctlConf(text: string): { forwarding: Forwarding; unrecognized: string[] } {
  const forwarding: Forwarding = {};
  const unrecognized: string[] = [];
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) return;
    const m = /^-?\s*([A-Za-z0-9_./-]+)\s*=\s*(\S*)$/.exec(line);
    const key = m?.[1]?.replace(/\//g, ".");
    const on = m?.[2] === "1" ? true : m?.[2] === "0" ? false : undefined;
    if (key === SYSCTL_KEYS.ipv4 && on !== undefined) forwarding.ipv4 = on;
    else if (key === SYSCTL_KEYS.ipv6 && on !== undefined) forwarding.ipv6 = on;
    else unrecognized.push(`sysctl file line ${index + 1}: ${line}`);
  });
  return { forwarding, unrecognized };
}

/** The running values; undefined for a value that is missing or not 0/1. */
export function parseSysctlValues(text: string): Forwarding {
  const [v4, v6] = text.split("\n").map((l) => l.trim());
  const flag = (v: string | undefined) => (v === "1" ? true : v === "0" ? false : undefined);
  const out: Forwarding = {};
  const ipv4 = flag(v4);
  const ipv6 = flag(v6);
  if (ipv4 !== undefined) out.ipv4 = ipv4;
  if (ipv6 !== undefined) out.ipv6 = ipv6;
  return out;
}
