// Editing inventory/known_hosts for `reconciler trust`: one line per pinned key, comments and
// other hosts untouched, the new line where the old one was.
import { describe, expect, it } from "vitest";
import { parseKnownHosts, pinHostKey } from "../../../reconciler/transport/known-hosts-file.ts";

const K1 = Buffer.alloc(51, 1).toString("base64");
const K2 = Buffer.alloc(51, 2).toString("base64");
const K3 = Buffer.alloc(51, 3).toString("base64");

const header = "# Pinned SSH host keys\n# one line per device\n";

describe("pinHostKey", () => {
  it("appends a new host after the comments", () => {
    const r = pinHostKey(header, "198.51.100.10", "ssh-ed25519", K1);
    expect(r.outcome).toBe("added");
    expect(r.text).toBe(`${header}198.51.100.10 ssh-ed25519 ${K1}\n`);
    expect(parseKnownHosts("f", r.text).diagnostics).toEqual([]);
  });

  it("creates the content of a missing or unterminated file", () => {
    expect(pinHostKey("", "[h]:2222", "ssh-ed25519", K1).text).toBe(`[h]:2222 ssh-ed25519 ${K1}\n`);
    expect(pinHostKey("# c", "h", "ssh-ed25519", K1).text).toBe(`# c\nh ssh-ed25519 ${K1}\n`);
  });

  it("changes nothing when the key is already pinned", () => {
    const text = `${header}a ssh-ed25519 ${K1}\n[h]:2222 ssh-ed25519 ${K2}\n`;
    expect(pinHostKey(text, "[h]:2222", "ssh-ed25519", K2)).toEqual({
      text,
      outcome: "unchanged",
      previous: [],
    });
  });

  it("replaces a changed key in place, keeping the order of the other lines", () => {
    const text = `${header}a ssh-ed25519 ${K1}\n\n# h is the core\nh ssh-ed25519 ${K2}\nz ssh-ed25519 ${K3}\n`;
    const r = pinHostKey(text, "h", "ssh-ed25519", K3);
    expect(r.outcome).toBe("replaced");
    expect(r.previous).toEqual([{ keyType: "ssh-ed25519", key: K2 }]);
    expect(r.text).toBe(
      `${header}a ssh-ed25519 ${K1}\n\n# h is the core\nh ssh-ed25519 ${K3}\nz ssh-ed25519 ${K3}\n`,
    );
  });

  it("drops every other key of the host (one line per device) and only the host's own pattern", () => {
    const text = `h ssh-rsa ${K1}\nother,h ssh-ed25519 ${K2}\n[h]:2222 ssh-ed25519 ${K2}\n`;
    const r = pinHostKey(text, "h", "ssh-ed25519", K3);
    expect(r.previous.map((p) => p.keyType)).toEqual(["ssh-rsa", "ssh-ed25519"]);
    expect(r.text).toBe(`h ssh-ed25519 ${K3}\nother ssh-ed25519 ${K2}\n[h]:2222 ssh-ed25519 ${K2}\n`);
  });

  it("does not confuse host:22 with [host]:port", () => {
    const text = `[h]:2222 ssh-ed25519 ${K2}\n`;
    const r = pinHostKey(text, "h", "ssh-ed25519", K2);
    expect(r.outcome).toBe("added");
    expect(r.text).toBe(`[h]:2222 ssh-ed25519 ${K2}\nh ssh-ed25519 ${K2}\n`);
  });

  it("refuses to write what known_hosts cannot hold", () => {
    expect(() => pinHostKey("", "h", "ssh-dss", K1)).toThrow(/type/);
    expect(() => pinHostKey("", "h", "ssh-ed25519", "not base64!")).toThrow(/base64/);
    expect(() => pinHostKey("", "h h", "ssh-ed25519", K1)).toThrow(/pattern/);
  });
});
