// The FRR path of the Debian driver on a real FRR 8.4 router (core-1): stage validates frr.conf
// with vtysh, converge reloads it with frr-reload.py, the running config reads back as the desired
// state, and a candidate vtysh rejects never reaches /etc/frr.
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Plan } from "../../reconciler/model/plan.ts";
import { runCli } from "../helpers/cli.ts";
import { nsExecOk } from "./lab.ts";
import { type LabRepo, makeLabRepo, removeLabRepo, useLab } from "./lab-fixture.ts";

const lab = useLab();
let repo: LabRepo;

const cli = (args: string[]) => runCli([...args, "--repo", repo.dir], { env: repo.env });
const commit = (message: string) =>
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.net", "commit", "-qam", message], {
    cwd: repo.dir,
  });
const core = () => {
  const r = lab().routers.find((x) => x.name === "core-1");
  if (!r) throw new Error("no core-1 in the lab");
  return r;
};
const frrConf = () => nsExecOk(core(), ["cat", "/etc/frr/frr.conf"]);

beforeAll(() => {
  repo = makeLabRepo(lab());
  // The firewall and the tower are not in the lab: core-1 stands alone here.
  const links = join(repo.dir, "desired", "links.yaml");
  const text = readFileSync(links, "utf8");
  writeFileSync(links, text.slice(0, text.indexOf("  # The core's links")));
  commit("core-1 without its edge links");
}, 60_000);
afterAll(() => removeLabRepo(repo));

describe("FRR on core-1", () => {
  it("applies frr.conf through vtysh and frr-reload.py, and then reads back no drift", async () => {
    const r = cli(["apply", "--limit", "core-1", "--yes"]);
    expect(r.stdout).toMatch(/core-1: confirmed/);
    expect(r.code).toBe(0);
    const running = await nsExecOk(core(), ["vtysh", "-c", "show running-config"]);
    expect(running).toMatch(/router bgp 64500/);
    expect(running).toMatch(/neighbor 192\.0\.2\.197 route-reflector-client/);
    expect(running).toMatch(/ip route 192\.0\.2\.0\/24 blackhole/);
    const plan = JSON.parse(cli(["plan", "--limit", "core-1", "--json"]).stdout) as Plan;
    const d = plan.devices.find((x) => x.device === "core-1");
    expect(d?.changes).toEqual([]);
    expect(d?.files).toEqual([]);
    expect(d?.status).toBe("unchanged");
  });

  it("never lets a candidate vtysh rejects reach /etc/frr", async () => {
    const path = join(repo.dir, "desired", "core-1.yaml");
    const original = readFileSync(path, "utf8");
    const before = await frrConf();
    try {
      writeFileSync(
        path,
        original.replace(
          "    log syslog informational\n",
          "    log syslog informational\n    router ospf bogus-keyword\n",
        ),
      );
      commit("a broken FRR snippet");
      const r = cli(["apply", "--limit", "core-1", "--yes"]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/core-1: failed at stage/);
      expect(await frrConf()).toBe(before);
    } finally {
      writeFileSync(path, original);
      commit("remove the broken snippet");
    }
  });

  it("shows a change made with vtysh as drift of the running FRR", async () => {
    await nsExecOk(core(), [
      "vtysh",
      "-c",
      "configure terminal",
      "-c",
      "interface lo",
      "-c",
      "ip ospf cost 77",
    ]);
    const plan = JSON.parse(cli(["plan", "--limit", "core-1", "--json"]).stdout) as Plan;
    const d = plan.devices.find((x) => x.device === "core-1");
    expect(d?.status).toBe("changes");
    expect(d?.changes.map((c) => [c.action, c.path, c.before, c.after])).toEqual([
      ["delete", "ospf.instances[ospf].areas[0.0.0.0].interfaces[lo].cost", 77, undefined],
    ]);
  });
});

describe("FRR OSPF over a WireGuard link between two routers", () => {
  it("converges: health sees the FRR neighbour Full and a fresh handshake, then confirms", async () => {
    const frrRouter = (lo: string, id: string) =>
      [
        "routing_daemon: frr",
        "interfaces:",
        `  - { name: lo, kind: loopback, addresses: [${lo}/32] }`,
        "ospf:",
        `  router_id: ${id}`,
        "  instances:",
        "    - name: ospf",
        "      version: 2",
        "      areas:",
        "        - id: 0.0.0.0",
        "          interfaces:",
        "            - { name: lo, passive: true }",
        "",
      ].join("\n");
    writeFileSync(join(repo.dir, "desired", "router-b.yaml"), frrRouter("192.0.2.194", "192.0.2.194"));
    writeFileSync(join(repo.dir, "desired", "router-c.yaml"), frrRouter("192.0.2.195", "192.0.2.195"));
    writeFileSync(
      join(repo.dir, "desired", "links.yaml"),
      [
        "links:",
        "  - name: b-c",
        "    transport: wireguard",
        "    transfer_nets: [203.0.113.4/31]",
        "    ospf: { type: ptp, cost: 20, hello: 5, dead: 20 }",
        "    ends:",
        "      - { device: router-b, interface: wg-c, listen_port: 51821, endpoint: 198.51.100.68 }",
        "      - { device: router-c, interface: wg-b, listen_port: 51821, endpoint: 198.51.100.69 }",
        "",
      ].join("\n"),
    );
    // router-a keeps its bird mesh file, which names links that are gone: leave it out here.
    rmSync(join(repo.dir, "desired", "router-a.yaml"));
    const keys = cli(["keys", "--limit", "router-b,router-c"]);
    expect(keys.code).toBe(0);
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.net", "add", "-A"], {
      cwd: repo.dir,
    });
    commit("router-b and router-c on FRR");
    const r = cli(["apply", "--limit", "router-b,router-c", "--yes"]);
    expect(r.stdout).toMatch(/router-b: confirmed/);
    expect(r.stdout).toMatch(/router-c: confirmed/);
    expect(r.stdout).toMatch(/ok {3}ospf neighbour 192\.0\.2\.195 on wg-c/);
    expect(r.code).toBe(0);
    const routes = await nsExecOk(lab().routers.find((x) => x.name === "router-b") as never, [
      "ip",
      "route",
      "show",
      "proto",
      "ospf",
    ]);
    expect(routes).toMatch(/192\.0\.2\.195 .*dev wg-c/);
  });
});
