// The real tools accept what render writes: bird 2 (`bird -p -c`), FRR 8.4's vtysh (`vtysh -C -f`,
// i.e. --dryrun) and wg-quick (`wg-quick strip`). These tests fail, not skip, when a tool is
// missing: the Debian driver is only correct if the daemons agree.
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIRD_SECRET_DIR } from "../../../reconciler/drivers/debian/paths.ts";
import { renderDebian } from "../../../reconciler/drivers/debian/render.ts";
import { birdSecretFiles } from "../../../reconciler/drivers/debian/secrets.ts";
import type { DeviceIntent } from "../../../reconciler/schema/device.ts";
import { birdEdge, DEBIAN_ROUTERS, device, example, frrEdge } from "./helpers.ts";

const PATH = `/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:${process.env.PATH ?? ""}`;

function requireTool(name: string): string {
  const found = spawnSync("sh", ["-c", `command -v ${name}`], {
    env: { ...process.env, PATH },
    encoding: "utf8",
  });
  if (found.status !== 0) {
    throw new Error(
      `${name} is not installed: the Debian driver's tests need bird2, frr and wireguard-tools`,
    );
  }
  return found.stdout.trim();
}

function run(cmd: string, args: string[]) {
  const r = spawnSync(cmd, args, { env: { ...process.env, PATH }, encoding: "utf8", timeout: 20_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "reconciler-debian-tools-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function intents(): Promise<[string, DeviceIntent][]> {
  const repo = await example();
  return [
    ...DEBIAN_ROUTERS.map((n) => [n, repo.expanded[n] as DeviceIntent] as [string, DeviceIntent]),
    ["edge", birdEdge()],
    ["edge-frr", frrEdge()],
  ];
}

describe("bird -p -c accepts every rendered bird.conf", () => {
  it("for the example's bird routers and the edge case (secret includes filled with dummies)", async () => {
    const bird = requireTool("bird");
    let checked = 0;
    for (const [name, intent] of await intents()) {
      const text = renderDebian(intent, device(name)).files["/etc/bird/bird.conf"];
      if (text === undefined || text === null) continue;
      // bird -p opens the included files: put them under the temporary directory.
      const secrets = join(dir, name, "secrets");
      mkdirSync(secrets, { recursive: true });
      for (const [path, content] of Object.entries(birdSecretFiles(intent, (env) => `dummy-${env}`))) {
        const local = join(secrets, path.slice(BIRD_SECRET_DIR.length + 1));
        mkdirSync(dirname(local), { recursive: true });
        writeFileSync(local, content);
      }
      const conf = join(dir, name, "bird.conf");
      writeFileSync(conf, text.replaceAll(`"${BIRD_SECRET_DIR}/`, `"${secrets}/`));
      const r = run(bird, ["-p", "-c", conf]);
      expect(r.out, `${name}: ${r.out}`).toBe("");
      expect(r.status, name).toBe(0);
      checked++;
    }
    expect(checked).toBe(4);
  });

  it("and the check bites: a broken file is refused", () => {
    const bird = requireTool("bird");
    const conf = join(dir, "broken-bird.conf");
    writeFileSync(conf, 'protocol ospf v3 x { area 0 { interface "a" { cost; }; }; }\n');
    expect(run(bird, ["-p", "-c", conf]).status).not.toBe(0);
  });
});

describe("vtysh --dryrun accepts every rendered frr.conf", () => {
  it("core-1 and the edge case", async () => {
    const vtysh = requireTool("vtysh");
    let checked = 0;
    for (const [name, intent] of await intents()) {
      const text = renderDebian(intent, device(name)).files["/etc/frr/frr.conf"];
      if (text === undefined || text === null) continue;
      const conf = join(dir, `${name}-frr.conf`);
      writeFileSync(conf, text);
      // FRR 8.4: -C is --dryrun; it prints "line N: % Unknown command" and exits 2 on errors.
      const r = run(vtysh, ["-C", "-f", conf]);
      expect(r.out, `${name}: ${r.out}`).toBe("");
      expect(r.status, name).toBe(0);
      checked++;
    }
    expect(checked).toBe(2);
  });

  it("and the check bites: an unknown command is refused", () => {
    const vtysh = requireTool("vtysh");
    const conf = join(dir, "broken-frr.conf");
    writeFileSync(conf, "interface x\n ip ospf bogus 5\nexit\n");
    const r = run(vtysh, ["-C", "-f", conf]);
    expect(r.status).not.toBe(0);
    expect(r.out).toContain("Unknown command");
  });
});

describe("wg-quick strip accepts every rendered WireGuard file", () => {
  it("keeps what wg needs and drops wg-quick's own keys", async () => {
    const wgQuick = requireTool("wg-quick");
    requireTool("wg");
    let checked = 0;
    for (const [name, intent] of await intents()) {
      for (const [path, text] of Object.entries(renderDebian(intent, device(name)).files)) {
        if (!path.startsWith("/etc/wireguard/") || text === null) continue;
        const local = join(dir, name, path.slice("/etc/wireguard/".length));
        mkdirSync(dirname(local), { recursive: true });
        writeFileSync(local, text);
        chmodSync(local, 0o600);
        const stripped = execFileSync(wgQuick, ["strip", local], {
          env: { ...process.env, PATH },
          encoding: "utf8",
        });
        expect(stripped).toContain("[Interface]");
        expect(stripped).not.toMatch(/^(Address|MTU|Table|PostUp|PrivateKey)\s*=/m);
        const peers = intent.wireguard?.find((w) => path.endsWith(`/${w.name}.conf`))?.peers ?? [];
        for (const p of peers) expect(stripped).toContain(`PublicKey = ${p.public_key}`);
        checked++;
      }
    }
    expect(checked).toBe(12);
  });
});
