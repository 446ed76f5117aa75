// Checks of a RouterOS device file that only the RouterOS driver knows, for its descriptor's
// `check` (the loader places each finding at file:line before any device is touched): a raw line
// that is not exactly one command (a `;` or a script block outside quotes, a `[ ]` that is not a
// `[ find ... ]` selector, an unclosed quote) would otherwise only be refused at plan time.
import type { IntentFinding } from "../../model/platform.ts";
import type { DeviceIntent } from "../../schema/device.ts";
import { oneCommandProblem } from "./quote.ts";

export function routerosFindings(intent: DeviceIntent): IntentFinding[] {
  const out: IntentFinding[] = [];
  (intent.raw?.routeros ?? []).forEach((line, i) => {
    const problem = oneCommandProblem(line);
    if (problem)
      out.push({
        path: ["raw", "routeros", i],
        message: `this raw RouterOS line is not exactly one command: ${problem}`,
        value: line.slice(0, 200),
        expected: "one RouterOS command such as /ip dns set servers=192.0.2.53 (quote values with ; [ ] { })",
      });
    else if (!line.startsWith("/"))
      out.push({
        path: ["raw", "routeros", i],
        severity: "warning",
        message: "a raw RouterOS line usually starts with its menu, such as /ip dns",
        value: line.slice(0, 200),
        expected: "a line starting with /",
      });
  });
  return out;
}
