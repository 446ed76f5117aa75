// A router reachable only through another (`via`), on the lab: lab.sh hidden-up adds hidden-1,
// a full lab router (sshd, bird2, FRR) whose only link is a veth to router-a and which has no
// route to the host, and `reconciler plan` reads it through router-a with the host key of each
// hop pinned. The lab (hidden-1 included) is brought up fresh, leftovers removed first, and torn
// down after the file whatever happened (useLab).
import { execFileSync } from "node:child_process";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import type { Plan } from "../../reconciler/model/plan.ts";
import { runCli } from "../helpers/cli.ts";
import { labDir, labHiddenUp } from "./lab.ts";
import { type LabRepo, makeLabRepo, removeLabRepo, useLab } from "./lab-fixture.ts";

const lab = useLab();
let repo: LabRepo;
let hiddenKnownHost: string;
const HIDDEN = "hidden-1";
const HIDDEN_ADDR = "198.51.100.242";
const VIA_ADDR = "198.51.100.241";

beforeAll(async () => {
  repo = makeLabRepo(lab());
  hiddenKnownHost = await labHiddenUp(HIDDEN, "router-a");
  // The example inventory, plus hidden-1 reached through router-a (mesh group: root, the lab key).
  const invPath = join(repo.dir, "inventory", "inventory.yaml");
  const doc = YAML.parseDocument(readFileSync(invPath, "utf8"));
  doc.setIn(["devices", HIDDEN], {
    platform: "debian",
    host: HIDDEN_ADDR,
    groups: ["mesh"],
    labels: { site: "site-hidden" },
    via: "router-a",
  });
  writeFileSync(invPath, doc.toString());
  writeFileSync(
    join(repo.dir, "desired", `${HIDDEN}.yaml`),
    [
      "description: an out-of-band router reached only through router-a",
      "routing_daemon: bird",
      "forwarding:",
      "  ipv4: true",
      "  ipv6: true",
      "interfaces:",
      "  - name: lo",
      "    kind: loopback",
      "    addresses: [192.0.2.250/32]",
      "",
    ].join("\n"),
  );
  appendFileSync(join(repo.dir, "inventory", "known_hosts"), `${hiddenKnownHost}\n`);
  commit("hidden-1, reached through router-a");
}, 120_000);
afterAll(() => removeLabRepo(repo));

function commit(message: string): void {
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=lab", "-c", "user.email=lab@example.net", ...args], {
      cwd: repo.dir,
    });
  git("add", "-A");
  git("commit", "-qm", message);
}

function plan(limit: string, knownHosts?: string): { code: number; plan: Plan; stderr: string } {
  const khPath = join(repo.dir, "inventory", "known_hosts");
  const saved = readFileSync(khPath, "utf8");
  if (knownHosts !== undefined) writeFileSync(khPath, knownHosts);
  try {
    const r = runCli(["plan", "--repo", repo.dir, "--json", "--limit", limit], { env: repo.env });
    try {
      return { code: r.code, plan: JSON.parse(r.stdout) as Plan, stderr: r.stderr };
    } catch {
      throw new Error(`plan did not print JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
    }
  } finally {
    writeFileSync(khPath, saved);
  }
}

/** Logins hidden-1's sshd accepted from router-a's end of their link (sshd logs them at INFO). */
const loginsFromVia = () =>
  readFileSync(join(labDir(), "routers", HIDDEN, "log", "sshd.log"), "utf8").split(
    `Accepted publickey for root from ${VIA_ADDR} `,
  ).length - 1;
/** known_hosts with `pattern`'s key replaced by another router's key (a changed key). */
const withKeyOf = (pattern: string, other: string): string => {
  const text = readFileSync(join(repo.dir, "inventory", "known_hosts"), "utf8");
  const key = text
    .split("\n")
    .find((l) => l.startsWith(`${other} `))
    ?.split(" ")
    .slice(1)
    .join(" ");
  if (!key) throw new Error(`no key for ${other}`);
  return text
    .split("\n")
    .map((l) => (l.startsWith(`${pattern} `) ? `${pattern} ${key}` : l))
    .join("\n");
};

describe("a router reachable only through another", () => {
  it("has no route to the host: its only way out is router-a", () => {
    // hidden-1 is not in routers.json (lab.ts lists the routers on the management bridge): its
    // namespace's routing table is read directly, without sending anything.
    const route = execFileSync("ip", ["-n", `rcl-${HIDDEN}`, "-j", "route", "show"], { encoding: "utf8" });
    const routes = JSON.parse(route) as { dst: string }[];
    expect(routes.map((x) => x.dst)).toEqual(["198.51.100.240/29"]);
  });

  it("is planned through router-a: read over router-a's connection, with both hops' keys pinned", () => {
    const before = loginsFromVia();
    const { code, plan: p, stderr } = plan(HIDDEN);
    const d = p.devices.find((x) => x.device === HIDDEN);
    expect(d?.error, stderr).toBeUndefined();
    expect(d?.status).toBe("changes");
    expect(code).toBe(2);
    // The desired loopback address is missing on the fresh router: the plan read its real state.
    expect(d?.changes.map((c) => c.path)).toContain("interfaces[lo]");
    // hidden-1's sshd saw the login come from router-a's end of their link.
    expect(loginsFromVia()).toBeGreaterThan(before);
  });

  it("refuses a changed host key at hidden-1, naming it and the way it was reached", () => {
    const { code, plan: p } = plan(HIDDEN, withKeyOf(HIDDEN_ADDR, "198.51.100.131"));
    const d = p.devices.find((x) => x.device === HIDDEN);
    expect(code).toBe(1);
    expect(d?.status).toBe("error");
    expect(d?.error?.kind).toBe("HostKeyError");
    expect(d?.error?.message).toMatch(
      /^hidden-1: connecting to hidden-1 through router-a: HOST KEY CHANGED for hidden-1 \(198\.51\.100\.242:22\)/,
    );
  });

  it("refuses a changed host key at router-a, naming router-a", () => {
    const { code, plan: p } = plan(HIDDEN, withKeyOf("198.51.100.130", "198.51.100.131"));
    const d = p.devices.find((x) => x.device === HIDDEN);
    expect(code).toBe(1);
    expect(d?.error?.kind).toBe("HostKeyError");
    expect(d?.error?.message).toMatch(
      /^hidden-1: connecting to hidden-1 through router-a: router-a: HOST KEY CHANGED for router-a /,
    );
  });

  it("is applied through router-a (health over a fresh connection through it), then has nothing to do", () => {
    const before = loginsFromVia();
    const r = runCli(["apply", "--repo", repo.dir, "--limit", HIDDEN, "--yes"], { env: repo.env });
    expect(r.stdout, r.stderr).toMatch(/hidden-1: confirmed/);
    expect(r.code).toBe(0);
    // At least the run's own connection and the health gates' fresh one, both through router-a.
    expect(loginsFromVia()).toBeGreaterThanOrEqual(before + 2);
    const addrs = execFileSync("ip", ["-n", `rcl-${HIDDEN}`, "-j", "addr", "show", "dev", "lo"], {
      encoding: "utf8",
    });
    expect(addrs).toContain('"local":"192.0.2.250"');
    const again = plan(HIDDEN);
    expect(again.plan.devices.find((x) => x.device === HIDDEN)?.status).toBe("unchanged");
    expect(again.code).toBe(0);
  });
});
