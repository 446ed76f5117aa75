// Prints the suite's closing line from vitest's JSON report: "tests: N passed, N failed".
import { readFileSync } from "node:fs";

const file = process.argv[2] ?? ".test-results.json";
let report;
try {
  report = JSON.parse(readFileSync(file, "utf8"));
} catch (err) {
  console.log(`tests: 0 passed, 1 failed (no test report: ${err.message})`);
  process.exit(0);
}
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
// A file that failed to load counts as a failure even though none of its tests ran.
const brokenFiles = (report.testResults ?? []).filter(
  (f) => f.status === "failed" && f.assertionResults.length === 0,
).length;
console.log(
  `tests: ${report.numPassedTests} passed, ${report.numFailedTests + brokenFiles} failed${skipped ? `, ${skipped} skipped` : ""}`,
);
