// Lockout analysis: a firewall rule dropping SSH from the reconciler (or from the jump).
import { describe, expect, it } from "vitest";
import { lockoutFindings } from "../../../reconciler/rollout/lockout.ts";
import type { FirewallRule } from "../../../reconciler/schema/device.ts";
import { liveStates, planOf, repoOf, type States } from "./lockout-fixture.ts";

const RECONCILER = ["192.0.2.200/32"];

const ssh = (rule: Partial<FirewallRule> = {}): FirewallRule => ({
  description: "no ssh",
  action: "block",
  protocol: "tcp",
  destination_port: 22,
  ...rule,
});

/** A desired state where `device` gets exactly these rules, and its live state has none. */
function withRules(
  device: string,
  rules: FirewallRule[],
  aliases?: NonNullable<States[string]["firewall"]>["aliases"],
): States {
  const desired = liveStates();
  const state = desired[device];
  if (state) state.firewall = aliases ? { aliases, rules } : { rules };
  return desired;
}

/**
 * The rollout of the plan from the fixture's live state: one wave per changed device, core-1 first.
 * The findings on the device whose firewall changes (those of the devices behind it are the via
 * chain's tests, lockout-via.test.ts; one case below checks they are there).
 */
const allFindings = (desired: States, sources: string[] | null = RECONCILER) => {
  const plan = planOf(desired, liveStates());
  const waves = plan.devices.filter((d) => d.status === "changes").map((d) => [d.device]);
  return lockoutFindings({ repo: repoOf(desired), plan, waves, sources: sources ?? undefined });
};
const findings = (desired: States, sources: string[] | null = RECONCILER) =>
  allFindings(desired, sources).filter((f) => f.device === "core-1");

describe("lockoutFindings: firewall rules on the path", () => {
  it("a rule on the jump cuts the device behind it off too", () => {
    expect(allFindings(withRules("core-1", [ssh()])).map((f) => f.device)).toEqual(["core-1", "tower-1"]);
  });

  it("refuses a rule dropping SSH from the reconciler's address", () => {
    const desired = withRules("core-1", [ssh({ source: "192.0.2.0/24" })]);
    expect(findings(desired)).toEqual([
      {
        device: "core-1",
        path: "reconciler → core-1 (192.0.2.1:22)",
        change: 'firewall.rules: "no ssh" (block tcp from 192.0.2.0/24 to any port 22)',
        message:
          "core-1's firewall drops SSH (tcp/22) from 192.0.2.200: let 192.0.2.200 reach tcp/22 before that rule, " +
          "or pass --allow-lockout",
      },
    ]);
  });

  it("accepts a rule for another port, another source, another protocol, or one that is disabled", () => {
    for (const rule of [
      ssh({ destination_port: 443 }),
      ssh({ destination_port: "8000-8100" }),
      ssh({ source: "198.51.100.0/24" }),
      ssh({ protocol: "udp" }),
      ssh({ enabled: false }),
      ssh({ ip_version: "ipv6" }),
    ])
      expect(findings(withRules("core-1", [rule])), JSON.stringify(rule)).toEqual([]);
  });

  it("accepts a block that comes after a rule passing the reconciler (first match wins)", () => {
    const pass = ssh({ description: "reconciler", action: "pass", source: "192.0.2.200" });
    expect(findings(withRules("core-1", [pass, ssh()]))).toEqual([]);
    expect(findings(withRules("core-1", [ssh(), pass])).map((f) => f.change)).toEqual([
      'firewall.rules: "no ssh" (block tcp from any to any port 22)',
    ]);
  });

  it("resolves aliases for the source and the port; a port range covers SSH", () => {
    const aliases = [
      { name: "ops", type: "network" as const, content: ["192.0.2.128/25"] },
      { name: "admin_ports", type: "port" as const, content: [22, 443] },
    ];
    const desired = withRules(
      "core-1",
      [ssh({ source: "ops", destination_port: "admin_ports", action: "reject" })],
      aliases,
    );
    expect(findings(desired).map((f) => f.change)).toEqual([
      'firewall.rules: "no ssh" (reject tcp from ops to any port admin_ports)',
    ]);
    expect(findings(withRules("core-1", [ssh({ destination_port: "20-25" })])).length).toBe(1);
  });

  it("without the reconciler's sources, refuses only a rule that drops every source", () => {
    expect(findings(withRules("core-1", [ssh({ source: "192.0.2.0/24" })]), null)).toEqual([]);
    expect(findings(withRules("core-1", [ssh()]), null).map((f) => f.message)).toEqual([
      "core-1's firewall drops SSH (tcp/22) from every source: let the reconciler's address reach tcp/22 before that rule, or pass --allow-lockout",
    ]);
  });

  it("does not refuse on a guess: an unknown alias or a rule bound to an interface", () => {
    expect(findings(withRules("core-1", [ssh({ source: "elsewhere" })]))).toEqual([]);
    expect(findings(withRules("core-1", [ssh({ interface: "mgmt0" })]))).toEqual([]);
    // A pass that may let the reconciler through, before a block of everyone: given the benefit.
    const maybePass = ssh({ description: "ops", action: "pass", interface: "mgmt0" });
    expect(findings(withRules("core-1", [maybePass, ssh()]))).toEqual([]);
    const opsPass = ssh({ description: "ops", action: "pass", source: "192.0.2.0/24" });
    expect(findings(withRules("core-1", [opsPass, ssh()]), null)).toEqual([]);
  });

  it("judges a device behind a jump by the jump's address, and its SSH port from the inventory", () => {
    const desired = withRules("tower-1", [ssh({ source: "203.0.113.4/32" })]);
    expect(allFindings(desired).map((f) => [f.device, f.path, f.message])).toEqual([
      [
        "tower-1",
        "reconciler → core-1 → tower-1 (198.51.100.150:22)",
        "tower-1's firewall drops SSH (tcp/22) from 203.0.113.4: let 203.0.113.4 reach tcp/22 before that rule, or pass --allow-lockout",
      ],
    ]);
    // The reconciler's own address is not what tower-1 sees.
    expect(allFindings(withRules("tower-1", [ssh({ source: "192.0.2.200" })]))).toEqual([]);
    // A daemon on another port: the rule for 22 is harmless.
    const repo = repoOf(desired, { "tower-1": { port: 2222 } });
    expect(
      lockoutFindings({
        repo,
        plan: planOf(desired, liveStates()),
        waves: [["tower-1"]],
        sources: RECONCILER,
      }),
    ).toEqual([]);
  });

  it("says nothing about a firewall the plan does not change", () => {
    const live = withRules("core-1", [ssh()]);
    const desired = withRules("core-1", [ssh()]);
    const other = desired["core-1"]?.interfaces?.[0];
    if (other) other.mtu = 1500;
    expect(
      lockoutFindings({
        repo: repoOf(desired),
        plan: planOf(desired, live),
        waves: [["core-1"]],
        sources: RECONCILER,
      }),
    ).toEqual([]);
  });
});
