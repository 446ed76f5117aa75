// Pure: `birdc show protocols` against bird.conf. A protocol the configuration runs (not marked
// `disabled;`) that is down was disabled at run time (`birdc disable NAME`) or failed: drift, not
// health, since `birdc configure` brings it back. States: up, down, start, stop; "start" is a BGP
// session still connecting, which is the health gate's business, not drift.
import type { RuntimeDrift } from "../../model/live.ts";

export interface BirdProtocol {
  name: string;
  proto: string;
  state: string;
}

/** The rows of `birdc show protocols` (without -v): name, protocol, table, state, since, info. */
export function parseBirdProtocols(text: string): BirdProtocol[] {
  const out: BirdProtocol[] = [];
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (
      f.length < 4 ||
      f[0] === "Name" ||
      f[0] === "BIRD" ||
      !/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(f[0] ?? "")
    )
      continue;
    if (!/^(up|down|start|stop)$/.test(f[3] ?? "")) continue;
    out.push({ name: f[0] as string, proto: f[1] as string, state: f[3] as string });
  }
  return out;
}

/** Names of the protocols bird.conf marks `disabled;` (they are meant to be down). */
export function disabledInConfig(conf: string): Set<string> {
  const names = new Set<string>();
  let current: string | undefined;
  let depth = 0;
  for (const raw of conf.split("\n")) {
    const line = raw.replace(/#.*/, "");
    const head = /^\s*protocol\s+\S+(?:\s+v[23])?\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(line);
    if (depth === 0 && head?.[1]) current = head[1];
    if (current && depth <= 1 && /(^|[\s{;])disabled\s*(yes|on)?\s*;/.test(line)) names.add(current);
    for (const c of line) {
      if (c === "{") depth++;
      else if (c === "}") {
        depth = Math.max(0, depth - 1);
        if (depth === 0) current = undefined;
      }
    }
  }
  return names;
}

/**
 * Drift in bird's running state: not running at all although bird.conf exists, or a protocol the
 * configuration enables that is down. `status` is birdc's exit status ("0" when it answered).
 */
export function birdRuntimeDrift(protocolsText: string, status: string, conf: string): RuntimeDrift[] {
  if (status !== "0")
    return [{ path: "runtime.bird", seen: "not running (birdc cannot reach it)", expected: "running" }];
  const disabled = disabledInConfig(conf);
  return parseBirdProtocols(protocolsText)
    .filter((p) => p.state === "down" && !disabled.has(p.name))
    .map((p) => ({
      path: `runtime.bird.protocol[${p.name}]`,
      seen: "down (disabled at run time, or failed)",
      expected: "up",
    }));
}
