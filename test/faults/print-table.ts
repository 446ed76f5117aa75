// Prints the fault table from the results file the fault tests write (one JSON line per fault;
// the last line of each fault wins): fault | end state | time to recover | test.
// Usage: tsx test/faults/print-table.ts [RESULTS.jsonl]   (default: the harness's RESULTS_PATH)
// Exit 1 when the file is missing or empty.
import { existsSync, readFileSync } from "node:fs";
import type { FaultResult } from "./harness-results.ts";
import { RESULTS_PATH } from "./harness-results.ts";

const path = process.argv[2] ?? RESULTS_PATH;
if (!existsSync(path)) {
  console.error(`print-table: no results at ${path} (run the fault suite first)`);
  process.exit(1);
}
const latest = new Map<string, FaultResult>();
for (const line of readFileSync(path, "utf8").split("\n")) {
  if (!line.trim()) continue;
  try {
    const r = JSON.parse(line) as FaultResult;
    latest.delete(r.fault); // keep first-run order, latest value
    latest.set(r.fault, r);
  } catch {
    // a torn line: skip it
  }
}
if (latest.size === 0) {
  console.error(`print-table: ${path} holds no results`);
  process.exit(1);
}
const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\s+/g, " ").trim();
const rows = [...latest.values()].map((r) => [
  cell(r.fault),
  cell(r.endState),
  r.recoverS === null ? "—" : `${r.recoverS.toFixed(1)} s`,
  r.ok ? "pass" : `FAIL: ${cell(r.detail ?? "")}`.slice(0, 160),
]);
console.log("| fault | end state | time to recover | test |");
console.log("|---|---|---|---|");
for (const row of rows) console.log(`| ${row.join(" | ")} |`);
const failed = rows.filter((r) => r[3] !== "pass").length;
console.log(`\n${rows.length} faults, ${rows.length - failed} pass, ${failed} fail`);
