// `reconciler plan` against real Debian routers (network namespaces running sshd, bird2, FRR):
// fresh routers, a hand edit, a refused host key, an unreachable router.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevicePlan, Plan } from "../../reconciler/model/plan.ts";
import { runCli, runCliAsync } from "../helpers/cli.ts";
import { startTcpDelayProxy } from "./delay-proxy.ts";
import { type LabRouter, nsExecOk } from "./lab.ts";
import { type LabRepo, makeLabRepo, removeLabRepo, useLab } from "./lab-fixture.ts";

const lab = useLab();
let repo: LabRepo;

beforeAll(() => {
  repo = makeLabRepo(lab());
});
afterAll(() => removeLabRepo(repo));

const DEBIAN = "router-a,router-b,router-c,core-1";

function planJson(
  args: string[],
  env: Record<string, string> = repo.env,
): { code: number; plan: Plan; stderr: string } {
  const r = runCli(["plan", "--repo", repo.dir, "--json", ...args], { env });
  let plan: Plan;
  try {
    plan = JSON.parse(r.stdout) as Plan;
  } catch {
    throw new Error(`plan did not print JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, plan, stderr: r.stderr };
}

const deviceOf = (plan: Plan, name: string): DevicePlan => {
  const d = plan.devices.find((x) => x.device === name);
  if (!d) throw new Error(`no ${name} in the plan`);
  return d;
};

const router = (name: string): LabRouter => {
  const r = lab().routers.find((x) => x.name === name);
  if (!r) throw new Error(`no lab router ${name}`);
  return r;
};

describe("reconciler plan on the lab", () => {
  it("shows the full creation on fresh routers, and exits 2", () => {
    const { code, plan } = planJson(["--limit", DEBIAN]);
    expect(plan.devices.map((d) => [d.device, d.status])).toEqual([
      ["core-1", "changes"],
      ["router-a", "changes"],
      ["router-b", "changes"],
      ["router-c", "changes"],
    ]);
    expect(code).toBe(2);
    const a = deviceOf(plan, "router-a");
    const created = a.changes.filter((c) => c.action === "create").map((c) => c.path);
    expect(created).toEqual(
      expect.arrayContaining([
        "interfaces[br-lan]",
        "interfaces[br-backbone]",
        "interfaces[lo]",
        "wireguard[wg-b]",
        "wireguard[wg-c]",
      ]),
    );
    expect(a.changes.some((c) => c.path.startsWith("ospf"))).toBe(true);
    expect(a.files.map((f) => [f.action, f.path])).toEqual(
      expect.arrayContaining([
        ["create", "/etc/wireguard/wg-b.conf"],
        ["create", "/etc/wireguard/wg-c.conf"],
        ["update", "/etc/bird/bird.conf"],
      ]),
    );
    const bird = a.files.find((f) => f.path === "/etc/bird/bird.conf");
    expect(bird?.after).toMatch(/cost 10;/);
    // The router's own management and underlay interfaces are never touched.
    expect(a.changes.some((c) => c.path.includes("mgmt0") || c.path.includes("eth-b"))).toBe(false);
    // The FRR core: its frr.conf is rewritten.
    expect(deviceOf(plan, "core-1").files.map((f) => f.path)).toContain("/etc/frr/frr.conf");
  });

  it("reads nothing back that is secret", () => {
    const { plan } = planJson(["--limit", "router-a"]);
    const text = JSON.stringify(plan);
    expect(text).not.toMatch(/PrivateKey\s*=/);
    expect(text).not.toMatch(/private-key [A-Za-z0-9+/]{43}=/);
  });

  it("reports what it finds on a router but git does not describe as unmanaged, not as drift", async () => {
    const a = router("router-a");
    await nsExecOk(a, [
      "sh",
      "-c",
      "ip link add vendor0 type bridge && ip addr add 198.51.100.200/32 dev vendor0 && ip link set vendor0 up",
    ]);
    try {
      const d = deviceOf(planJson(["--limit", "router-a"]).plan, "router-a");
      expect(d.unmanaged.map((u) => u.path)).toContain("interfaces[vendor0]");
      expect(d.changes.some((c) => c.path.includes("vendor0"))).toBe(false);
    } finally {
      await nsExecOk(a, ["ip", "link", "del", "vendor0"]);
    }
  });

  it("after someone edits bird.conf by hand, shows exactly that drift and nothing else", async () => {
    // A router running exactly what git says, for its bird.conf: push the rendered file (what
    // apply will do) and check the plan is then empty for bird.
    const desiredPath = join(repo.dir, "desired", "router-a.yaml");
    const linksPath = join(repo.dir, "desired", "links.yaml");
    const original = readFileSync(desiredPath, "utf8");
    const links = readFileSync(linksPath, "utf8");
    try {
      writeFileSync(
        desiredPath,
        [
          "routing_daemon: bird",
          "interfaces:",
          "  - { name: br-test, kind: bridge, addresses: [192.0.2.193/32] }",
          "ospf:",
          "  router_id: 192.0.2.193",
          "  instances:",
          "    - name: mesh4",
          "      version: 3",
          "      address_family: ipv4",
          "      areas:",
          "        - id: 0.0.0.0",
          "          stub_networks: [192.0.2.0/26]",
          "          interfaces:",
          "            - { name: br-test, type: ptp, cost: 10, hello: 5, retransmit: 2, wait: 10, dead: 20 }",
          "",
        ].join("\n"),
      );
      rmSync(linksPath);
      // What apply will do, by hand: write every rendered file, create the interface, reload bird.
      const first = deviceOf(planJson(["--limit", "router-a"]).plan, "router-a");
      expect(first.files.map((f) => f.path).sort()).toEqual([
        "/etc/bird/bird.conf",
        "/etc/network/interfaces.d/reconciler",
      ]);
      const a = router("router-a");
      for (const f of first.files) {
        await nsExecOk(a, ["sh", "-c", 'mkdir -p "$(dirname "$1")" && cat > "$1"', "sh", f.path], {
          input: f.after ?? "",
        });
      }
      await nsExecOk(a, [
        "sh",
        "-c",
        "ip link add br-test type bridge && ip addr add 192.0.2.193/32 dev br-test && ip link set br-test up",
      ]);
      await nsExecOk(a, ["sh", "-c", 'birdc configure | grep -q "Reconfigured\\|Nothing to do"']);
      const clean = planJson(["--limit", "router-a"]);
      expect(deviceOf(clean.plan, "router-a").changes).toEqual([]);
      expect(deviceOf(clean.plan, "router-a").files).toEqual([]);
      expect(clean.code).toBe(0);

      await nsExecOk(a, [
        "sh",
        "-c",
        "sed -i 's/cost 10;/cost 50;/' /etc/bird/bird.conf && birdc configure >/dev/null",
      ]);
      const drift = planJson(["--limit", "router-a"]);
      expect(drift.code).toBe(2);
      const d = deviceOf(drift.plan, "router-a");
      expect(d.changes).toEqual([
        {
          device: "router-a",
          path: "ospf.instances[mesh4].areas[0.0.0.0].interfaces[br-test].cost",
          action: "update",
          before: 50,
          after: 10,
        },
      ]);
      expect(d.files.map((f) => f.path)).toEqual(["/etc/bird/bird.conf"]);
      const diffLines = (d.files[0]?.diff ?? "").split("\n").filter((l) => /^[-+][^-+]/.test(l));
      expect(diffLines.map((l) => l.replace(/\s+/g, " ").trim())).toEqual([
        expect.stringMatching(/^- .*cost 50;/),
        expect.stringMatching(/^\+ .*cost 10;/),
      ]);
    } finally {
      writeFileSync(desiredPath, original);
      writeFileSync(linksPath, links);
      await nsExecOk(router("router-a"), [
        "sh",
        "-c",
        "ip link del br-test 2>/dev/null; rm -f /etc/network/interfaces.d/reconciler; true",
      ]);
    }
  });

  it("refuses a router whose host key is not pinned, and still plans the others", () => {
    const knownHosts = join(repo.dir, "inventory", "known_hosts");
    const pinned = readFileSync(knownHosts, "utf8");
    try {
      writeFileSync(
        knownHosts,
        pinned
          .split("\n")
          .filter((l) => !l.startsWith("198.51.100.131 "))
          .join("\n"),
      );
      const { code, plan } = planJson(["--limit", DEBIAN]);
      expect(code).toBe(1);
      const b = deviceOf(plan, "router-b");
      expect(b.status).toBe("error");
      expect(b.error?.kind).toBe("HostKeyError");
      expect(b.error?.message).toMatch(/no pinned host key for router-b .*SHA256:/);
      for (const other of ["router-a", "router-c", "core-1"])
        expect(deviceOf(plan, other).status).toBe("changes");
    } finally {
      writeFileSync(knownHosts, pinned);
    }
  });

  it("plans a distant router: 150 ms each way between the reconciler and its sshd", async () => {
    const b = router("router-b");
    const proxy = await startTcpDelayProxy(
      { host: "127.0.0.1", port: 0 },
      { host: b.mgmtAddress, port: b.sshPort },
      150,
    );
    const inventory = join(repo.dir, "inventory", "inventory.yaml");
    const knownHosts = join(repo.dir, "inventory", "known_hosts");
    const [inv, pinned] = [readFileSync(inventory, "utf8"), readFileSync(knownHosts, "utf8")];
    try {
      writeFileSync(
        inventory,
        inv.replace("host: 198.51.100.131", `host: 127.0.0.1\n    port: ${proxy.address.port}`),
      );
      writeFileSync(knownHosts, `${pinned}[127.0.0.1]:${proxy.address.port} ${b.hostKey}\n`);
      // The proxy lives in this process: the CLI must run without blocking it.
      const r = await runCliAsync(["plan", "--repo", repo.dir, "--json", "--limit", "router-b"], {
        env: repo.env,
      });
      const plan = JSON.parse(r.stdout) as Plan;
      expect(deviceOf(plan, "router-b").error).toBeUndefined();
      expect(deviceOf(plan, "router-b").status).toBe("changes");
      expect(r.code).toBe(2);
    } finally {
      writeFileSync(inventory, inv);
      writeFileSync(knownHosts, pinned);
      await proxy.close();
    }
  });

  it("reports a router whose sshd is down as an error of that router alone", async () => {
    const c = router("router-c");
    process.kill(c.pids.sshd as number, "SIGTERM");
    await new Promise((r) => setTimeout(r, 300));
    const { code, plan } = planJson(["--limit", DEBIAN]);
    expect(code).toBe(1);
    const dc = deviceOf(plan, "router-c");
    expect(dc.status).toBe("error");
    expect(dc.error?.kind).toBe("ConnectionError");
    expect(dc.error?.message).toMatch(/router-c/);
    for (const other of ["router-a", "router-b", "core-1"])
      expect(deviceOf(plan, other).status).toBe("changes");
  });
});
