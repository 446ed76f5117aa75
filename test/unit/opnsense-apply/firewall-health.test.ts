// The firewall part of OPNsense's health gate: git's rules become probes; pfctl's answer (written
// here in the format of FreeBSD's pfctl(8)) says whether each is loaded, and whether the alias
// table it draws from holds what git says.
import { describe, expect, it } from "vitest";
import { evaluateHealth } from "../../../reconciler/apply/evaluate-health.ts";
import {
  firewallLines,
  firewallProbes,
  observeFirewall,
} from "../../../reconciler/drivers/opnsense/apply/firewall-health.ts";
import { loadExample } from "../../helpers/example-repo.ts";

async function fw1() {
  const { repo } = await loadExample();
  const intent = repo?.expanded["fw-1"];
  if (!intent) throw new Error("no fw-1");
  return intent;
}

const RULES = [
  "pass in quick on wg1 inet proto tcp from <remote_workers> to <rdp_servers> port = 3389 flags S/SA keep state",
  "block drop in log quick on wg1 inet from <remote_workers> to any",
  "block drop in log quick on wg1 inet6 from <remote_workers> to any",
].join("\n");

const sections = (m: Record<string, string>) => (name: string) =>
  m[name] === undefined ? undefined : { text: m[name] as string, rc: "0" };

describe("OPNsense firewall health", () => {
  it("makes one probe per rule of git, with the alias table it draws from", async () => {
    const probes = firewallProbes(await fw1());
    expect(probes).toEqual([
      {
        kind: "firewall-rule",
        description: "Remote workers to the RDP servers",
        interface: "wg1",
        action: "pass",
        source: "remote_workers",
        entries: ["203.0.113.128/26"],
      },
      {
        kind: "firewall-rule",
        description: "Nothing else from remote workers",
        interface: "wg1",
        action: "block",
        source: "remote_workers",
        entries: ["203.0.113.128/26"],
      },
    ]);
    expect(firewallLines(probes)).toEqual([
      "section pf:rules pfctl -sr",
      "section pf:table:remote_workers pfctl -t remote_workers -T show",
    ]);
  });

  it("passes when pf has the rules loaded and the table holds the pool", async () => {
    const probes = firewallProbes(await fw1());
    const seen = observeFirewall(
      probes,
      sections({ "pf:rules": RULES, "pf:table:remote_workers": "   203.0.113.128/26\n" }),
    );
    expect(seen.map((o) => o.kind === "firewall-rule" && o.loaded)).toEqual([true, true]);
    expect(evaluateHealth(probes, seen).ok).toBe(true);
  });

  it("fails a rule written but not loaded, and a table without the pool, saying which", async () => {
    const probes = firewallProbes(await fw1());
    const notLoaded = observeFirewall(
      probes,
      sections({
        "pf:rules": RULES.split("\n")[0] as string,
        "pf:table:remote_workers": "   203.0.113.128/26\n",
      }),
    );
    expect(notLoaded.map((o) => o.kind === "firewall-rule" && o.loaded)).toEqual([true, false]);
    const report = evaluateHealth(probes, notLoaded);
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => !c.ok)?.seen).toMatch(
      /no loaded rule block on wg1 from <remote_workers>/,
    );
    const emptyTable = observeFirewall(
      probes,
      sections({ "pf:rules": RULES, "pf:table:remote_workers": "" }),
    );
    expect(emptyTable[0]).toMatchObject({
      loaded: false,
      detail: expect.stringMatching(/lacks 203\.0\.113\.128\/26/),
    });
    // pfctl that cannot answer: every rule unreadable, never "absent".
    const unreadable = observeFirewall(probes, () => ({
      text: "pfctl: /dev/pf: No such file or directory",
      rc: "1",
    }));
    expect(unreadable).toEqual([
      {
        kind: "unreadable",
        about: "firewall-rule",
        what: "pfctl -sr",
        why: "pfctl: /dev/pf: No such file or directory",
      },
    ]);
    expect(evaluateHealth(probes, unreadable).ok).toBe(false);
  });
});
