// The RouterOS checks of a device file (for the descriptor's check, once wired).
import { describe, expect, it } from "vitest";
import { routerosFindings } from "../../../reconciler/drivers/routeros/checks.ts";

describe("routerosFindings", () => {
  it("accepts the example's raw lines", () => {
    expect(
      routerosFindings({
        raw: { routeros: ["/system identity set name=tower-1", "/ip dns set servers=192.0.2.53"] },
      }),
    ).toEqual([]);
  });

  it("places a line that is more than one command at its index", () => {
    const findings = routerosFindings({
      raw: {
        routeros: [
          "/ip dns set servers=192.0.2.53",
          "/ip dns set servers=192.0.2.53; /user add name=x",
          ":log info x",
        ],
      },
    });
    expect(findings.map((f) => [f.path, f.severity ?? "error", f.message])).toEqual([
      [
        ["raw", "routeros", 1],
        "error",
        "this raw RouterOS line is not exactly one command: a ; outside quotes (it would start another command)",
      ],
      [
        ["raw", "routeros", 2],
        "warning",
        "a raw RouterOS line usually starts with its menu, such as /ip dns",
      ],
    ]);
  });
});
