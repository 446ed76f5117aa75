// Secrets a device holds are never written into desired/: the live state reports only that one is
// set (SECRET_SET) or, where the device's files name it, which variable it came from. Import and
// drift adoption give each unnamed secret a variable name of its own, derived from the device and
// the item (ROUTER_A_OSPF_ETH0_PASSWORD), and list every variable the operator must set. Pure.
import { secretVariables } from "../model/secret-variables.ts";

/** What the Debian driver reports where a secret is set but its variable cannot be observed. */
export const UNNAMED_SECRET = "SECRET_SET";

export interface SecretVariable {
  /** The environment variable the desired state names. */
  name: string;
  /** What it holds, for the operator: "the OSPF password of eth0 (ospf core, area 0.0.0.0)". */
  what: string;
  /** True when the name was derived here (the device did not say which variable it came from). */
  derived: boolean;
}

/** An environment variable name (schema EnvVarName: ^[A-Z_][A-Z0-9_]{0,63}$) from words. */
export function envName(...parts: (string | number)[]): string {
  let name = parts
    .map((p) => String(p))
    .join("_")
    .toUpperCase()
    .replace(/[^A-Z0-9_]+/g, "_")
    .replace(/_+/g, "_")
    .replace(/^_+|_+$/g, "");
  if (!/^[A-Z_]/.test(name)) name = `_${name}`;
  return name.slice(0, 64);
}

/** Hands out derived names, unique among themselves and the names already in use. */
export class SecretNamer {
  readonly variables: SecretVariable[] = [];
  private readonly used: Set<string>;

  constructor(inUse: Iterable<string> = []) {
    this.used = new Set(inUse);
  }

  /** The variable for a secret: `current` when the device names it, else a derived one. */
  name(current: string | undefined, what: string, ...parts: (string | number)[]): string {
    if (current !== undefined && current !== UNNAMED_SECRET) {
      if (!this.variables.some((v) => v.name === current))
        this.variables.push({ name: current, what, derived: false });
      this.used.add(current);
      return current;
    }
    const base = envName(...parts);
    let name = base;
    for (let n = 2; this.used.has(name); n++) name = `${base.slice(0, 60)}_${n}`;
    this.used.add(name);
    this.variables.push({ name, what, derived: true });
    return name;
  }
}

/** Every variable a piece of desired state names (for the ones not described by a namer). */
export function namedVariables(value: unknown): string[] {
  return [...secretVariables(value)].sort();
}
