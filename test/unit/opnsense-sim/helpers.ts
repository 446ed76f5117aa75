// Shared by the simulator's unit tests: a temporary /conf and /usr/local/etc, and the fixture.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Paths } from "../../sim/opnsense/services.ts";

export const SIM = join(import.meta.dirname, "..", "..", "sim", "opnsense");
export const FIXTURE = join(SIM, "fixtures", "config.xml");
export const fixtureText = () => readFileSync(FIXTURE, "utf8");

export interface TmpBox {
  dir: string;
  paths: Paths;
  cleanup(): void;
}

/** A directory standing for the box: conf/config.xml (the fixture), the rendered files' dirs. */
export function tmpBox(): TmpBox {
  const dir = mkdtempSync(join(tmpdir(), "opnsense-sim-"));
  mkdirSync(join(dir, "conf"));
  copyFileSync(FIXTURE, join(dir, "conf", "config.xml"));
  return {
    dir,
    paths: {
      config: join(dir, "conf", "config.xml"),
      wgDir: join(dir, "usr-local-etc", "wireguard"),
      frrConf: join(dir, "usr-local-etc", "frr", "frr.conf"),
      debianFrrConf: join(dir, "etc-frr", "frr.conf"),
      pfState: join(dir, "usr-local-etc", "pf.sim.json"),
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Keys of the tests (valid base64 of 32 bytes; never used outside them). */
export const KEYS = {
  privkey: "aEtUSDxkpWJtBZ3WBkIU13XL7sbt8ivXUo1fM6IjB2U=",
  pubkey: "4iTkNb1jiCU5qLOcmlZwvCaFWE+tmfEhsSSMWJh8yVI=",
  corePubkey: "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=",
};
