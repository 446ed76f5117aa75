// The router lab: namespaces with sshd, bird2, FRR and wireguard-go (Debian routers), and the
// RouterOS simulator backed by bird2 (tower-1).
// Runs as root (CI does). If the lab cannot start, beforeAll throws and every test fails.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type Lab,
  type LabRouter,
  labDir,
  labDown,
  labStatus,
  NS_PREFIX,
  nsExec,
  nsExecOk,
  pidAlive,
  run,
  setLink,
  sshArgs,
  sshExec,
} from "./lab.ts";
import { useLab } from "./lab-fixture.ts";

let lab: Lab;

function router(name: string): LabRouter {
  const r = lab.routers.find((x) => x.name === name);
  if (!r) throw new Error(`no router ${name}`);
  return r;
}

/** Names of lab namespaces, lab links and lab mounts currently on the host. */
async function leftovers(): Promise<{ netns: string[]; links: string[]; mounts: string[] }> {
  const netns = (await run("ip", ["netns", "list"])).stdout
    .split("\n")
    .map((l) => l.split(" ")[0] ?? "")
    .filter((n) => n.startsWith(NS_PREFIX));
  const links = (await run("ip", ["-o", "link", "show"])).stdout
    .split("\n")
    .map((l) => (l.split(": ")[1] ?? "").split("@")[0] ?? "")
    .filter((n) => n.startsWith(NS_PREFIX));
  const mounts = (await run("findmnt", ["-rn", "-o", "TARGET,SOURCE"])).stdout
    .split("\n")
    .filter((l) => l.includes(labDir()) || l.includes(`/run/netns/${NS_PREFIX}`));
  return { netns, links, mounts };
}

/** Command names of the live processes in network namespace `ns`. */
async function netnsComms(ns: string): Promise<string[]> {
  const pids = (await run("ip", ["netns", "pids", ns])).stdout.split("\n").filter(Boolean);
  return pids
    .filter((p) => pidAlive(Number(p)))
    .map((p) => {
      try {
        return readFileSync(`/proc/${p}/comm`, "utf8").trim();
      } catch {
        return "";
      }
    });
}

// useLab fails every test (never skips) when the lab cannot start, and takes it down afterwards.
const getLab = useLab();
beforeAll(() => {
  try {
    lab = getLab();
  } catch {
    // reported by useLab's beforeEach, test by test
  }
});

const debian = () => lab.routers.filter((r) => r.platform === "debian");

describe("lab", () => {
  it("brings up the default topology with every daemon running", () => {
    expect(lab.routers.map((r) => [r.name, r.platform])).toEqual([
      ["router-a", "debian"],
      ["router-b", "debian"],
      ["router-c", "debian"],
      ["core-1", "debian"],
      ["oob-1", "opengear"],
      ["tower-1", "routeros"],
      ["fw-1", "opnsense"],
    ]);
    const status = labStatus();
    expect(status.routers.filter((r) => !r.namespace || r.down.length > 0)).toEqual([]);
    expect(status.running).toBe(true);
    const daemons = {
      debian: ["init", "sshd", "bird", "watchfrr", "zebra", "bgpd", "ospfd", "ospf6d", "staticd"],
      // the RouterOS simulator (node) serves SSH itself; bird is its backing's daemon
      routeros: ["init", "bird", "node"],
      // the simulated OPNsense runs Debian's daemons behind its FreeBSD dress
      opnsense: ["init", "sshd", "bird", "watchfrr", "zebra", "bgpd", "ospfd", "ospf6d", "staticd"],
      // the simulated Opengear runs Debian's daemons behind its dress (ogcli, /etc/config)
      opengear: ["init", "sshd", "bird", "watchfrr", "zebra", "bgpd", "ospfd", "ospf6d", "staticd"],
    };
    for (const r of lab.routers) {
      expect(Object.keys(r.pids).sort(), r.name).toEqual([...daemons[r.platform]].sort());
      for (const d of daemons[r.platform]) expect(r.pids[d], `${r.name} ${d}`).toBeGreaterThan(1);
    }
  });

  it("the RouterOS router answers its console over SSH as user reconciler, with bird up", async () => {
    const tower = lab.routers.find((r) => r.platform === "routeros") as LabRouter;
    expect(tower.user).toBe("reconciler");
    const res = await sshExec(tower, "/system identity print", { timeoutMs: 20_000 });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/name: tower-1/);
    expect(await nsExecOk(tower, ["birdc", "show", "status"])).toContain("Daemon is up and running");
    // the underlay host route to core-1's endpoint the topology asks for
    expect(await nsExecOk(tower, ["ip", "route", "show", "198.51.100.70"])).toMatch(
      /via 198\.51\.100\.72 dev ether1/,
    );
  });

  it("ssh (strict host key checking, lab key) reaches each router and its daemons", async () => {
    const results = await Promise.all(
      debian().map((r) =>
        sshExec(r, "hostname; birdc show status; vtysh -c 'show version'", { timeoutMs: 20_000 }),
      ),
    );
    results.forEach((res, i) => {
      const r = debian()[i] as LabRouter;
      expect(res.stderr, r.name).toBe("");
      expect(res.code, r.name).toBe(0);
      expect(res.stdout.split("\n")[0]).toBe(r.name);
      expect(res.stdout).toContain("Daemon is up and running");
      expect(res.stdout).toMatch(/FRRouting \d+\.\d+/);
    });
  });

  it("keeps /etc/bird, /etc/frr, /etc/wireguard and /var/run/wireguard private to each router", async () => {
    const dirs = ["/etc/bird", "/etc/frr", "/etc/wireguard", "/var/run/wireguard"];
    const probe = (r: LabRouter) => `rcl-probe-${r.name}`;
    try {
      for (const r of lab.routers) {
        for (const d of dirs) await nsExecOk(r, ["touch", join(d, probe(r))]);
      }
      for (const r of lab.routers) {
        for (const d of dirs) {
          // Visible in its own router only...
          const ls = await nsExecOk(r, ["ls", "-a", d]);
          const seen = lab.routers.filter((o) => ls.split("\n").includes(probe(o))).map((o) => o.name);
          expect(seen, `${r.name}:${d}`).toEqual([r.name]);
          // ...and not on the host.
          expect(existsSync(join(d, probe(r))), `host ${d}`).toBe(false);
        }
      }
    } finally {
      for (const r of lab.routers) {
        await nsExec(r, ["rm", "-f", ...dirs.map((d) => join(d, probe(r)))]);
      }
    }
  });

  it("runs bird2 and FRR in each Debian router", async () => {
    for (const r of debian()) {
      const bird = await nsExecOk(r, ["birdc", "show", "status"]);
      expect(bird).toContain("Daemon is up and running");
      expect(bird).toContain(`Router ID is ${r.mgmtAddress}`);
      const frr = await nsExecOk(r, ["vtysh", "-c", "show version"]);
      expect(frr).toMatch(/FRRouting \d+\.\d+/);
      expect(frr).toContain(`(${r.name})`); // FRR reports the router's private hostname
    }
  });

  it("forms a wireguard-go tunnel between router-a and router-b over the underlay", async () => {
    const ends = [
      { r: router("router-a"), tun: "203.0.113.1", peerTun: "203.0.113.2", peerUnderlay: "198.51.100.65" },
      { r: router("router-b"), tun: "203.0.113.2", peerTun: "203.0.113.1", peerUnderlay: "198.51.100.64" },
    ] as const;
    const pubs: string[] = [];
    try {
      for (const e of ends) {
        // wireguard-go daemonizes; its UAPI socket is the router's /var/run/wireguard/wgt0.sock.
        await nsExecOk(e.r, ["wireguard-go", "wgt0"]);
        await nsExecOk(e.r, "umask 077 && wg genkey > /etc/wireguard/wgt0.key");
        pubs.push((await nsExecOk(e.r, "wg pubkey < /etc/wireguard/wgt0.key")).trim());
      }
      for (const [i, e] of ends.entries()) {
        await nsExecOk(e.r, [
          "wg",
          "set",
          "wgt0",
          "listen-port",
          "51820",
          "private-key",
          "/etc/wireguard/wgt0.key",
          "peer",
          pubs[1 - i] as string,
          "endpoint",
          `${e.peerUnderlay}:51820`,
          "allowed-ips",
          `${e.peerTun}/32`,
        ]);
        await nsExecOk(e.r, ["ip", "address", "add", `${e.tun}/24`, "dev", "wgt0"]);
        await nsExecOk(e.r, ["ip", "link", "set", "wgt0", "up"]);
      }
      const ping = await nsExec(ends[0].r, ["ping", "-c", "3", "-i", "0.2", "-W", "2", ends[0].peerTun]);
      expect(ping.code, ping.stdout + ping.stderr).toBe(0);
      for (const [i, e] of ends.entries()) {
        const hs = await nsExecOk(e.r, ["wg", "show", "wgt0", "latest-handshakes"]);
        const [peer, when] = hs.trim().split("\t");
        expect(peer).toBe(pubs[1 - i]);
        expect(Number(when)).toBeGreaterThan(0);
      }
    } finally {
      // Deleting the interface makes wireguard-go exit and remove its socket.
      for (const e of ends) {
        await nsExec(e.r, ["ip", "link", "del", "wgt0"]);
        await nsExec(e.r, ["rm", "-f", "/etc/wireguard/wgt0.key"]);
      }
    }
    for (const e of ends) {
      // wireguard-go exits shortly after its interface is deleted.
      let left: string[] = [];
      for (let i = 0; i < 50; i++) {
        const sock = (await nsExecOk(e.r, ["ls", "/var/run/wireguard"])).split("\n").filter(Boolean);
        left = [...sock, ...(await netnsComms(e.r.namespace)).filter((c) => c === "wireguard-go")];
        if (left.length === 0) break;
        await new Promise((f) => setTimeout(f, 100));
      }
      expect(left, `${e.r.name}: wireguard-go leftovers`).toEqual([]);
    }
  }, 60_000);

  it("sets an underlay link down and up", async () => {
    const a = router("router-a");
    const linkState = async () => (await nsExecOk(a, ["ip", "-br", "link", "show", "eth-b"])).split(/\s+/)[1];
    await setLink("router-a", "router-b", false);
    expect(await linkState()).toBe("DOWN");
    expect((await nsExec(a, ["ping", "-c", "1", "-W", "1", "198.51.100.65"])).code).not.toBe(0);
    await setLink("router-b", "router-a", true);
    let ok = false;
    for (let i = 0; i < 30 && !ok; i++) {
      ok = (await nsExec(a, ["ping", "-c", "1", "-W", "1", "198.51.100.65"])).code === 0;
    }
    expect(ok).toBe(true);
  });

  it("refuses an unknown host key with StrictHostKeyChecking=yes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rcl-kh-"));
    try {
      const empty = join(dir, "known_hosts");
      writeFileSync(empty, "");
      const r = router("router-a");
      const args = sshArgs(r).map((a) =>
        a.startsWith("UserKnownHostsFile=") ? `UserKnownHostsFile=${empty}` : a,
      );
      const res = await run("ssh", [...args, "--", "hostname"]);
      expect(res.code).toBe(255);
      expect(res.stderr).toContain("Host key verification failed");
      expect(res.stdout).toBe("");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("down leaves no namespace, process, mount, link or state behind", async () => {
    const pids = lab.routers.flatMap((r) => Object.values(r.pids));
    expect(pids.filter(pidAlive).length).toBe(pids.length);
    await labDown();
    expect(await leftovers()).toEqual({ netns: [], links: [], mounts: [] });
    expect(pids.filter(pidAlive)).toEqual([]);
    expect(existsSync(labDir())).toBe(false);
    // Idempotent.
    await labDown();
  }, 60_000);
});
