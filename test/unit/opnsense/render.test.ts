// The candidate config.xml: the example's fw-1 from a fresh box, byte preservation, idempotence
// through the shared planner, ownership by UUID, adoption, secrets as tokens, hostile text.
import { describe, expect, it } from "vitest";
import { opnsenseDriver } from "../../../reconciler/drivers/opnsense/driver.ts";
import { renderConfig } from "../../../reconciler/drivers/opnsense/render.ts";
import { redactConfig } from "../../../reconciler/drivers/opnsense/secrets.ts";
import { affectedServices, interfacesChanged } from "../../../reconciler/drivers/opnsense/services.ts";
import { stableUuid } from "../../../reconciler/drivers/opnsense/uuid.ts";
import { planDevice } from "../../../reconciler/plan/planner.ts";
import type { DeviceIntent } from "../../../reconciler/schema/device.ts";
import { device, fixture, fw1, liveOf } from "./helpers.ts";

// The texts are as read (secrets already tokens): the render's input is the read artifact.
const render = (intent: DeviceIntent, text: string) => renderConfig(intent, "fw-1", text);
const FRESH = () => fixture("fresh.xml");
const BOX = () => redactConfig(fixture("box.xml"));
const plan = (intent: DeviceIntent, text: string) =>
  planDevice({ device, desired: intent, live: liveOf(text) }, opnsenseDriver);

/** The text outside [start, end) of a and the matching span of b are equal: only that span changed. */
function onlySpanChanged(a: string, b: string): { before: string; after: string } {
  let s = 0;
  while (s < a.length && a[s] === b[s]) s++;
  let e = 0;
  while (e < a.length - s && e < b.length - s && a[a.length - 1 - e] === b[b.length - 1 - e]) e++;
  return { before: a.slice(s, a.length - e), after: b.slice(s, b.length - e) };
}

describe("rendering config.xml", () => {
  it("renders the example's fw-1 fully on a fresh box, and the box read back plans no change", async () => {
    const desired = await fw1();
    const out = render(desired, FRESH());
    expect(out).toContain("<if>wg1</if>");
    expect(out).toContain("<networktype>point-to-point</networktype>");
    expect(out).toContain("<networks>203.0.113.128/26</networks>");
    expect(out).toContain("<port>3389</port>");
    expect(opnsenseDriver.normalize(liveOf(out).state)).toEqual(opnsenseDriver.normalize(desired));
    const p = plan(desired, out);
    expect(p.changes).toEqual([]);
    expect(p.files).toEqual([]);
    expect(p.unmanaged).toEqual([]);
    expect(p.status).toBe("unchanged");
    // The untouched parts of the fresh file are still there, byte for byte.
    const head = FRESH().slice(0, FRESH().indexOf("</lan>") + "</lan>".length);
    expect(out.startsWith(head)).toBe(true);
  });

  it("renders into a bare config.xml: a self-closing <filter/>, no <OPNsense> at all, tabs", async () => {
    const desired = await fw1();
    const bare =
      '<?xml version="1.0"?>\n<opnsense>\n\t<system>\n\t\t<hostname>fw-1</hostname>\n\t</system>\n\t<filter/>\n</opnsense>\n';
    const out = render(desired, bare);
    expect(out).toMatch(/\n\t<filter>\n\t\t<rule uuid=/);
    expect(out).toMatch(/\n\t<OPNsense>\n\t\t<Interfaces>\n\t\t\t<loopbacks version="1.0.0">/);
    expect(render(desired, out)).toBe(out);
    expect(plan(desired, out).status).toBe("unchanged");
  });

  it("keeps a file's CRLF line breaks in what it inserts and removes", async () => {
    const desired = await fw1();
    const crlf = BOX().replace(/\n/g, "\r\n");
    const out = render(desired, crlf);
    expect(out.replace(/\r\n/g, "")).not.toContain("\n");
    expect(out.replace(/\r\n/g, "\n")).toBe(render(desired, BOX()));
    expect(render(desired, out)).toBe(out);
    const less = structuredClone(desired);
    less.firewall = { rules: [] };
    const removed = render(less, out);
    expect(removed.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
    expect(removed.replace(/\r\n/g, "\n")).toBe(render(less, render(desired, BOX())));
  });

  it("is idempotent: rendering the rendered text again changes nothing", async () => {
    const desired = await fw1();
    for (const start of [FRESH(), BOX()]) {
      const once = render(desired, start);
      expect(render(desired, once)).toBe(once);
      expect(plan(desired, once).status).toBe("unchanged");
    }
  });

  it("keeps what is not the reconciler's: the hand-made instance, its peer, rules and alias", async () => {
    const desired = await fw1();
    const box = BOX();
    const out = render(desired, box);
    for (const kept of [
      "<name>SiteVPN</name>",
      "<name>branch</name>",
      "SSH from the NOC &amp; the &lt;jump&gt; host",
      "<name>noc_hosts</name>",
      '<Monit version="1.0.13">',
      "<description>/interfaces_assign.php made changes</description>",
    ])
      expect(out).toContain(kept);
    // The reconciler's rules come after the box's own, in git's order.
    const order = [
      "Default allow LAN",
      "SSH from the NOC",
      "Remote workers to the RDP",
      "Nothing else from remote",
    ].map((s) => out.indexOf(s));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    const p = plan(desired, out);
    expect(p.status).toBe("unchanged");
    expect(p.unmanaged.map((u) => u.path)).toContain("wireguard[wg5]");
  });

  it("changes one rule without touching any other byte", async () => {
    const desired = await fw1();
    const before = render(desired, BOX());
    const changed = structuredClone(desired);
    const rule = changed.firewall?.rules[0];
    if (!rule) throw new Error("fw-1 has rules");
    rule.destination_port = 3390;
    const after = render(changed, before);
    expect(onlySpanChanged(before, after)).toEqual({ before: "89", after: "90" });
    const p = plan(changed, before);
    expect(p.changes.map((c) => c.path)).toEqual(["firewall.rules"]);
    expect(affectedServices(before, after)).toEqual(["filter"]);
  });

  it("inserts a new rule after its predecessor in git's order, indented like its siblings", async () => {
    const desired = await fw1();
    const before = render(desired, BOX());
    const more = structuredClone(desired);
    more.firewall?.rules.splice(1, 0, {
      description: "ICMP from remote workers",
      action: "pass",
      interface: "wg1",
      protocol: "icmp",
      source: "remote_workers",
    });
    const after = render(more, before);
    const block =
      /\n {4}<rule uuid="[0-9a-f-]{36}">\n {6}<type>pass<\/type>\n {6}<ipprotocol>inet<\/ipprotocol>\n {6}<descr>ICMP from remote workers<\/descr>[\s\S]*?\n {4}<\/rule>/.exec(
        after,
      );
    expect(block).not.toBeNull();
    // Without the new rule, the text is what it was, byte for byte.
    expect(after.replace(block?.[0] ?? "", "")).toBe(before);
    expect(after.indexOf("ICMP from remote")).toBeGreaterThan(after.indexOf("Remote workers to the RDP"));
    expect(after.indexOf("ICMP from remote")).toBeLessThan(after.indexOf("Nothing else from remote"));
    expect(render(more, after)).toBe(after);
  });

  it("removes the reconciler's items when git drops them, and never the others", async () => {
    const desired = await fw1();
    const before = render(desired, BOX());
    const less = structuredClone(desired);
    less.firewall = { rules: [] };
    less.wireguard = less.wireguard?.filter((w) => w.name !== "wg1");
    delete less.bgp;
    if (less.ospf?.instances[0]?.areas[0])
      less.ospf.instances[0].areas[0].interfaces = less.ospf.instances[0].areas[0].interfaces?.filter(
        (i) => i.name !== "wg1",
      );
    const p = plan(less, before);
    expect(p.changes.map((c) => [c.path, c.action])).toEqual(
      expect.arrayContaining([
        ["wireguard[wg1]", "delete"],
        ["bgp", "delete"],
        ["firewall", "delete"],
      ]),
    );
    const after = render(less, before);
    for (const gone of [
      "Remote workers to the RDP",
      "remote_workers",
      "GlNzvf0D1JVoevQmt8SJ5XuuNKbGgoMHW5gAydJz9Uo=",
      "<if>wg1</if>",
      "core-1 route reflector",
    ])
      expect(after).not.toContain(gone);
    for (const kept of [
      "<name>SiteVPN</name>",
      "<name>branch</name>",
      "SSH from the NOC",
      "<name>noc_hosts</name>",
      "<if>wg5</if>",
    ])
      expect(after).toContain(kept);
    expect(after).toMatch(/<bgp version="1.0.5">\s*<enabled>0<\/enabled>/);
    expect(plan(less, after).status).toBe("unchanged");
  });

  it("adopts a hand-made item git now describes: it takes the derived UUID", async () => {
    const desired = await fw1();
    const box = BOX();
    const adopt = structuredClone(desired);
    adopt.firewall?.aliases?.push({
      name: "noc_hosts",
      type: "host",
      content: ["198.51.100.10"],
      description: "NOC",
    });
    const base = render(desired, box);
    const out = render(adopt, base);
    const derived = stableUuid("fw-1", "alias", "noc_hosts");
    expect(out).toContain(`<alias uuid="${derived}">`);
    // Only its UUID changed: its values already were what git says.
    expect(out.replace(derived, "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b77")).toBe(base);
    expect(plan(adopt, out).status).toBe("unchanged");
  });

  it("derives the same UUID for the same item, and another for another device", () => {
    expect(stableUuid("fw-1", "rule", "x")).toBe(stableUuid("fw-1", "rule", "x"));
    expect(stableUuid("fw-2", "rule", "x")).not.toBe(stableUuid("fw-1", "rule", "x"));
    expect(stableUuid("fw-1", "rule", "x")).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it("keeps a secret the box holds as its token, writes a new one as an environment placeholder", async () => {
    const desired = await fw1();
    const withPsk = structuredClone(desired);
    const peer = withPsk.wireguard?.find((w) => w.name === "wg1")?.peers[0];
    if (!peer) throw new Error("fw-1 has a peer on wg1");
    peer.preshared_key_env = "FW1_WORKER_PSK";
    const first = render(withPsk, FRESH());
    expect(first).toContain("<psk>@secret:FW1_WORKER_PSK@</psk>");
    // Once applied, the box holds a key; read back, it is a device token, and the render keeps it.
    const applied = first.replace("@secret:FW1_WORKER_PSK@", "RealPresharedKeyOnTheBoxEEEEEEEEEEEEEEEEEEE=");
    const live = liveOf(applied);
    expect(JSON.stringify(live)).not.toContain("RealPresharedKey");
    const again = render(withPsk, redactConfig(applied));
    expect(again).toMatch(/<psk>@device-secret:\d+@<\/psk>/);
    expect(again).not.toContain("RealPresharedKey");
    const p = plan(withPsk, applied);
    expect(p.status).toBe("unchanged");
    expect(JSON.stringify(p)).not.toContain("RealPresharedKey");
  });

  it("never puts a secret of the box in a plan: artifacts, diff, candidate", async () => {
    const desired = await fw1();
    const p = plan(desired, fixture("box.xml"));
    expect(p.status).toBe("changes");
    const text = JSON.stringify(p);
    for (const secret of ["SiteVpnPrivateKeyFixture", "BranchPresharedFixture", "$2y$10$FIXTURE"])
      expect(text).not.toContain(secret);
    expect(text).toContain("@device-secret:");
  });

  it("escapes hostile text in descriptions, and reads it back unchanged", async () => {
    const desired = await fw1();
    const hostile = structuredClone(desired);
    const rule = hostile.firewall?.rules[0];
    if (!rule) throw new Error("fw-1 has rules");
    rule.description = `RDP "</descr><type>pass</type>" & ]]> 'x' <!-- y`;
    const out = render(hostile, FRESH());
    expect(out).toContain(
      "<descr>RDP \"&lt;/descr&gt;&lt;type&gt;pass&lt;/type&gt;\" &amp; ]]&gt; 'x' &lt;!-- y</descr>",
    );
    expect(liveOf(out).state.firewall?.rules[0]?.description).toBe(rule.description);
    expect(plan(hostile, out).status).toBe("unchanged");
  });

  it("says which services an edit touches", async () => {
    const desired = await fw1();
    const fresh = FRESH();
    expect(affectedServices(fresh, render(desired, fresh))).toEqual([
      "interfaces",
      "wireguard",
      "quagga",
      "filter",
    ]);
    const once = render(desired, fresh);
    expect(affectedServices(once, once)).toEqual([]);
    expect(interfacesChanged(once, once)).toBe(false);
    const cost = structuredClone(desired);
    const wg0 = cost.ospf?.instances[0]?.areas[0]?.interfaces?.find((i) => i.name === "wg0");
    if (!wg0) throw new Error("fw-1 has OSPF on wg0");
    wg0.cost = 20;
    expect(affectedServices(once, render(cost, once))).toEqual(["quagga"]);
  });

  it("sets raw values by path, creating what is missing, and refuses a path that is a section", async () => {
    const desired = await fw1();
    const raw = {
      ...desired,
      raw: {
        opnsense: [
          { path: "system/timezone", value: "Europe/Berlin" },
          { path: "system/ssh/port", value: "2222" },
        ],
      },
    };
    const out = render(raw, FRESH());
    expect(out).toContain("<timezone>Europe/Berlin</timezone>");
    expect(out).toMatch(/<ssh>\n {6}<port>2222<\/port>\n {4}<\/ssh>/);
    expect(render(raw, out)).toBe(out);
    expect(() => render({ raw: { opnsense: [{ path: "system", value: "x" }] } }, FRESH())).toThrow(/section/);
  });
});
