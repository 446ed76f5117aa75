// Keys generated on the box (OPNsense, Opengear): the script run in dash with a stand-in `wg`:
// a root-only key file per interface, made once (a second run keeps it), the public key beside it
// and on stdout, never the private key.
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateKeysScript } from "../../../reconciler/drivers/kit/wg-keys.ts";
import { dash, dashSyntax } from "./dash.ts";

const PRIV = "cHJpdmF0ZS1rZXktZm9yLWEtdGVzdC1vbmx5LXh4eHg=";
const PUB = "cHVibGljLWtleS1mb3ItYS10ZXN0LW9ubHkteHh4eHg=";

describe("generateKeysScript", () => {
  it("makes each key once, root-only, and prints only the public key", () => {
    const dir = mkdtempSync(join(tmpdir(), "kit-wg-keys-"));
    const bin = join(dir, "bin");
    const keys = join(dir, "keys");
    writeFileSync(join(dir, "count"), "");
    // A stand-in wg: genkey counts its calls; pubkey answers one fixed key.
    const wg = `#!/bin/sh\ncase "$1" in genkey) echo x >> ${join(dir, "count")}; echo ${PRIV} ;; pubkey) cat > /dev/null; echo ${PUB} ;; esac\n`;
    mkdirSync(bin);
    writeFileSync(join(bin, "wg"), wg, { mode: 0o755 });
    const script = generateKeysScript(keys, ["wg0", "wg-mgmt"]).replace(
      /^PATH=[^;]*;/m,
      `PATH=${bin}:/usr/bin:/bin;`,
    );
    expect(dashSyntax(script)).toBe("ok");
    for (const _ of [1, 2]) {
      const r = dash(script);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(`wg0\t${PUB}\nwg-mgmt\t${PUB}\n`);
      expect(r.stdout).not.toContain(PRIV);
    }
    expect(readFileSync(join(dir, "count"), "utf8")).toBe("x\nx\n");
    expect(readFileSync(join(keys, "wg0.key"), "utf8")).toBe(`${PRIV}\n`);
    expect(readFileSync(join(keys, "wg0.pub"), "utf8")).toBe(`${PUB}\n`);
    expect(statSync(keys).mode & 0o777).toBe(0o700);
    expect(statSync(join(keys, "wg0.key")).mode & 0o777).toBe(0o600);
  });
});
