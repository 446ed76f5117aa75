// bird.conf as someone may have edited it: values changed by hand read back as they are, and
// whatever the parser does not understand ends up in raw.bird, never silently dropped.
import { describe, expect, it } from "vitest";
import { normalizeDebian } from "../../../reconciler/drivers/debian/normalize.ts";
import { parseDebianFiles } from "../../../reconciler/drivers/debian/parse.ts";
import { parseBirdConf } from "../../../reconciler/drivers/debian/parse-bird.ts";
import { renderDebian } from "../../../reconciler/drivers/debian/render.ts";
import type { DeviceIntent } from "../../../reconciler/schema/device.ts";
import { device, example, fixture } from "./helpers.ts";

const BIRD = "/etc/bird/bird.conf";

async function routerA() {
  const repo = await example();
  const intent = repo.expanded["router-a"] as DeviceIntent;
  return { intent, files: renderDebian(intent, device("router-a")).files };
}

/** Replaces exactly one occurrence, failing if the rendered text no longer contains it. */
function replaceOnce(text: string, search: string, replacement: string): string {
  const at = text.indexOf(search);
  if (at < 0) throw new Error(`${JSON.stringify(search)} is not in the text`);
  return text.slice(0, at) + replacement + text.slice(at + search.length);
}

describe("hand-edited bird.conf", () => {
  it("cost 10 changed to 50 on one interface reads as cost 50 there, and nothing else changes", async () => {
    const { intent, files } = await routerA();
    const edited = replaceOnce(files[BIRD] as string, "cost 10;", "cost 50;");
    const parsed = parseDebianFiles({ ...files, [BIRD]: edited });
    const want = normalizeDebian(intent);
    const wgB = want.ospf?.instances
      .find((i) => i.name === "mesh4")
      ?.areas[0]?.interfaces?.find((i) => i.name === "wg-b");
    if (!wgB) throw new Error("router-a has no wg-b in mesh4");
    wgB.cost = 50;
    expect(parsed.state).toEqual(want);
    expect(parsed.unrecognized).toEqual({});
  });

  it("reads any layout: one line, comments, C comments, numeric area ids, dead count", () => {
    const parsed = parseBirdConf(
      [
        "router id 192.0.2.1; /* the loopback */",
        'protocol ospf v2 o { ipv4 { import all; export none; }; area 0 { interface "eth0" { hello 5; dead count 3; # three hellos',
        "cost 7; }; }; }",
      ].join("\n"),
    );
    expect(parsed.unrecognized).toEqual([]);
    expect(parsed.ospf).toEqual({
      router_id: "192.0.2.1",
      instances: [
        {
          name: "o",
          version: 2,
          address_family: "ipv4",
          areas: [{ id: "0.0.0.0", interfaces: [{ name: "eth0", hello: 5, dead: 15, cost: 7 }] }],
        },
      ],
    });
  });

  it("keeps what it does not understand in raw.bird, and still reads the rest", async () => {
    const { files } = await routerA();
    let text = files[BIRD] as string;
    text = replaceOnce(text, "\t\t\tcost 50;", "\t\t\tcost 50;\n\t\t\tpriority 100;");
    text = replaceOnce(text, "protocol ospf v3 mesh6 {", "protocol ospf v3 mesh6 {\n\tecmp yes limit 4;");
    text = `${text}\nprotocol bfd {\n\tinterface "wg-*" { min rx interval 100 ms; };\n}\ndefine MY_ASN = 64500;\n`;
    const parsed = parseBirdConf(text);
    expect(parsed.raw).toBe(
      [
        'protocol bfd {\n\tinterface "wg-*" { min rx interval 100 ms; };\n}',
        "define MY_ASN = 64500;",
        '# reconciler: not understood in protocol ospf mesh4 > area 0.0.0.0 > interface "wg-c": priority 100;',
        "# reconciler: not understood in protocol ospf mesh6: ecmp yes limit 4;",
        "",
      ].join("\n"),
    );
    expect(parsed.unrecognized).toHaveLength(4);
    // The understood part is intact: wg-c still has cost 50 in mesh4.
    const mesh4 = parsed.ospf?.instances.find((i) => i.name === "mesh4");
    expect(mesh4?.areas[0]?.interfaces?.find((i) => i.name === "wg-c")?.cost).toBe(50);
    // And raw drift shows up after normalization (the planner compares normalized states).
    const state = parseDebianFiles({ ...files, [BIRD]: text }).state;
    expect(state.raw?.bird).toContain("priority 100;");
  });

  it("keeps the raw section verbatim between its markers", () => {
    const intent: DeviceIntent = {
      routing_daemon: "bird",
      raw: { bird: 'protocol bfd {\n\tinterface "wg-*";\n}\n' },
    };
    const text = renderDebian(intent, device("x")).files[BIRD] as string;
    expect(parseBirdConf(text).raw).toBe('protocol bfd {\n\tinterface "wg-*";\n}\n');
  });

  it("a scaffold statement edited by hand is reported, not taken as the scaffold", async () => {
    const { files } = await routerA();
    const text = replaceOnce(files[BIRD] as string, "\t\timport none;", "\t\timport all;");
    const parsed = parseBirdConf(text);
    expect(parsed.raw).toContain("protocol kernel kernel4 {");
    expect(parsed.raw).toContain("import all;");
  });

  it("never keeps a password written into bird.conf by hand", () => {
    const parsed = parseBirdConf(
      'protocol ospf v2 o { area 0 { interface "eth0" { authentication cryptographic; password "s3cret-pw" { id 1; }; }; }; }\nprotocol bgp b { local as 1; neighbor 192.0.2.2 as 2; password "other-s3cret"; }\n',
    );
    const everything = JSON.stringify(parsed);
    expect(everything).not.toContain("s3cret-pw");
    expect(everything).not.toContain("other-s3cret");
    expect(parsed.ospf?.instances[0]?.areas[0]?.interfaces?.[0]?.authentication).toEqual({
      type: "cryptographic",
    });
    expect(parsed.raw).toContain('password "(hidden)"');
  });

  it("reads the secret includes back as the variables they come from", () => {
    const parsed = parseBirdConf(
      [
        'protocol ospf v2 o { area 0 { interface "eth0" { authentication cryptographic;',
        'include "/etc/bird/secrets/ospf-OSPF_KEY-7.conf"; }; }; }',
      ].join("\n"),
    );
    expect(parsed.ospf?.instances[0]?.areas[0]?.interfaces?.[0]?.authentication).toEqual({
      type: "cryptographic",
      password_env: "OSPF_KEY",
      key_id: 7,
    });
  });

  it("Debian's default bird.conf has no routing state and keeps its protocols as raw", () => {
    const out = fixture("host-read.out");
    const text = /begin file:\/etc\/bird\/bird\.conf@@\n([\s\S]*?)\n@@reconciler/.exec(out)?.[1] ?? "";
    const parsed = parseBirdConf(text);
    expect(parsed.ospf).toBeUndefined();
    expect(parsed.bgp).toBeUndefined();
    expect(parsed.raw).toContain("protocol direct {");
    expect(parsed.raw).toContain("export all;");
  });
});
