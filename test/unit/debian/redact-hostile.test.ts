// The local redaction of FRR text runs on whatever the device printed: it must stay linear on a
// hostile line, and still hide the OSPFv3 authentication key.
import { describe, expect, it } from "vitest";
import { redactFrr } from "../../../reconciler/drivers/debian/redact.ts";

describe("redactFrr on hostile text", () => {
  it("hides the ospf6 key and does not backtrack on a line of repeated keywords", () => {
    expect(redactFrr(" ipv6 ospf6 authentication key-id 1 hash-algo hmac-sha-256 key S3cret")).toBe(
      " ipv6 ospf6 authentication key-id 1 hash-algo hmac-sha-256 key (hidden)",
    );
    // A quadratic pattern does not finish on this within the test's time limit; a linear one
    // returns the line unchanged (it holds no key to hide).
    const hostile = "authentication key-id ".repeat(50_000);
    expect(redactFrr(hostile)).toBe(hostile);
  }, 10_000);
});
