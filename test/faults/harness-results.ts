// The fault suite's results file: one JSON line per fault test, written by the harness and
// printed as a table by print-table.ts (this module imports no test framework, so tsx runs it).
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";

const ROOT = join(import.meta.dirname, "..", "..");

/** The results file `npm run faults` prints: one JSON line per fault test. */
export const RESULTS_PATH = process.env.FAULTS_RESULTS ?? join(ROOT, ".lab", "faults-results.jsonl");

export interface FaultResult {
  fault: string;
  /** "byte-identical", "new+healthy", "a: new+healthy, b: byte-identical", or what went wrong. */
  endState: string;
  /** Seconds from the start of the run (the fault comes during it or just before) until the end state was reached; null when never. */
  recoverS: number | null;
  /** Did every assertion of the test pass? */
  ok: boolean;
  detail?: string;
  /** What the test saw on the way (exit codes, the first failure line), for the report. */
  note?: string;
  at: string;
}

export function recordResult(r: Omit<FaultResult, "at">): void {
  mkdirSync(dirname(RESULTS_PATH), { recursive: true });
  appendFileSync(RESULTS_PATH, `${JSON.stringify({ ...r, at: new Date().toISOString() })}\n`);
}
