// Faults a test injects, and the record of what the box was asked: files the simulator reads
// and writes beside its store (never an environment variable: the product must not be able to
// switch the simulator's behaviour by accident). faults.json:
//   { "rules": [ { "verb": "restore", "path": "services/snmpd", "message": "…", "times": 1 } ],
//     "failover_status": "failover_complete" }
// A rule matches an operation (its verb and entity path, either omitted = any), also inside an
// import/restore, and makes it fail with MESSAGE (default "Error: Internal error"); `times`
// counts down and the rule is dropped at 0; `delay_ms` makes the box slow (then fails only if
// a message is given). journal.jsonl gets one line per command run.
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface FaultRule {
  verb?: string;
  path?: string;
  message?: string;
  times?: number;
  /** Sleep this long first (a slow box); with no message the operation then goes on. */
  delay_ms?: number;
}
export interface Faults {
  rules?: FaultRule[];
  failover_status?: string;
}

export interface SimFiles {
  dir: string;
}

export function readFaults(sim: SimFiles | undefined): Faults {
  if (!sim) return {};
  const p = join(sim.dir, "faults.json");
  if (!existsSync(p)) return {};
  return JSON.parse(readFileSync(p, "utf8")) as Faults;
}

/** The message of the first rule matching VERB PATH (consuming one of its `times`), or undefined. */
export function takeFault(
  sim: SimFiles | undefined,
  faults: Faults,
  verb: string,
  path: string,
): string | undefined {
  const rules = faults.rules ?? [];
  const i = rules.findIndex((r) => (!r.verb || r.verb === verb) && (!r.path || r.path === path));
  if (i < 0) return undefined;
  const rule = rules[i] as FaultRule;
  if (rule.times !== undefined) {
    rule.times -= 1;
    if (rule.times <= 0) rules.splice(i, 1);
    if (sim) writeFileSync(join(sim.dir, "faults.json"), `${JSON.stringify(faults, null, 2)}\n`);
  }
  if (rule.delay_ms) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, rule.delay_ms);
  if (rule.delay_ms && rule.message === undefined) return undefined;
  return rule.message ?? "Error: Internal error";
}

export function journal(sim: SimFiles | undefined, entry: Record<string, unknown>): void {
  if (!sim) return;
  appendFileSync(
    join(sim.dir, "journal.jsonl"),
    `${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`,
  );
}
