// The human plan, as golden files: each kind of change (add, change, remove, nested, sensitive,
// unmanaged, and a command-shaped platform) on the example network, planned by the real drivers
// and rendered by the real renderer. The goldens in golden/ are the specification of the format:
// they were read line by line when written; a change to the format is a change to them, reviewed
// in the diff. GOLDEN_UPDATE=1 rewrites them (then read them again before committing).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { DRIVERS } from "../../reconciler/drivers/index.ts";
import { entitiesOf, liveFromEntities } from "../../reconciler/drivers/opengear/live-state.ts";
import { parseExport } from "../../reconciler/drivers/opengear/ogcli-format.ts";
import { EXPORT_ARTIFACT } from "../../reconciler/drivers/opengear/read-script.ts";
import { redactExport } from "../../reconciler/drivers/opengear/redact.ts";
import type { FilesCandidate, LiveState } from "../../reconciler/model/live.ts";
import type { DesiredRepo } from "../../reconciler/model/repo.ts";
import { type DeviceInput, plan } from "../../reconciler/plan/planner.ts";
import { formatPlan } from "../../reconciler/report/plan-text.ts";
import type { DeviceIntent } from "../../reconciler/schema/device.ts";
import { loadExample } from "../helpers/example-repo.ts";

const GOLDEN = join(import.meta.dirname, "golden");
const NOW = () => new Date("2026-11-30T04:00:00Z");

let repo: DesiredRepo;
beforeAll(async () => {
  const loaded = await loadExample();
  if (!loaded.repo) throw new Error("the example network does not load");
  repo = loaded.repo;
});

/** A Debian device as it runs `state`: the files are what the driver renders for that state. */
function debianLive(name: string, state: DeviceIntent): LiveState {
  const device = repo.devices[name];
  const driver = DRIVERS.debian;
  if (!device || !driver) throw new Error(`no ${name} in the example`);
  const empty: LiveState = {
    device: name,
    platform: "debian",
    state,
    artifacts: {},
    publicKeys: {},
    fingerprint: "f0",
  };
  const files = (driver.candidate(state, device, empty) as FilesCandidate).files;
  return { ...empty, artifacts: files, publicKeys: { ...repo.publicKeys[name] } };
}

/**
 * router-a's desired state, edited into what the device runs in a scenario. Its managed files are
 * rendered from the edited state, or (by hand) from the desired one: what someone configured
 * outside the reconciler's files is not the reconciler's.
 */
function routerA(
  edit: (live: DeviceIntent) => void,
  by: "reconciler" | "hand" = "reconciler",
  want: (desired: DeviceIntent) => void = () => {},
): DeviceInput {
  const desired = structuredClone(repo.expanded["router-a"] ?? {});
  const state = structuredClone(desired);
  want(desired);
  edit(state);
  const device = repo.devices["router-a"];
  if (!device) throw new Error("no router-a");
  const live = { ...debianLive("router-a", by === "hand" ? desired : state), state };
  return { device, desired, live, publicKeys: repo.publicKeys["router-a"] ?? {} };
}

const wg = (live: DeviceIntent, name: string) => {
  const w = live.wireguard?.find((x) => x.name === name);
  if (!w) throw new Error(`router-a has no ${name}`);
  return w;
};

function render(inputs: DeviceInput[]): string {
  return formatPlan(plan(inputs, { origin: "working tree /srv/network", drivers: DRIVERS, now: NOW }));
}

function golden(name: string, text: string): void {
  const file = join(GOLDEN, `plan-text-${name}.txt`);
  if (process.env.GOLDEN_UPDATE === "1") writeFileSync(file, text);
  if (!existsSync(file)) throw new Error(`${file} is missing: write it with GOLDEN_UPDATE=1, then read it`);
  expect(text).toBe(readFileSync(file, "utf8"));
}

describe("the human plan of the example network", () => {
  it("add: a whole WireGuard interface as a tree, an address, a peer", () => {
    const text = render([
      routerA((live) => {
        live.wireguard = live.wireguard?.filter((w) => w.name !== "wg-c");
        const lan = live.interfaces?.find((i) => i.name === "br-lan");
        if (lan) lan.addresses = lan.addresses?.filter((a) => a !== "2001:db8:a::1/64");
        wg(live, "wg-b").peers = [];
      }),
    ]);
    golden("add", text);
    expect(text).toContain("\n  + wireguard wg-c\n");
    expect(text).toContain(
      "\n  ~ wireguard wg-b\n      + peer XXKoN58A8Jsu60NYAsxubzGXX+1K/z8oKYjEx+PI6jQ=\n",
    );
    expect(text).toContain("\n  ~ interface br-lan\n      + address 2001:db8:a::1/64\n");
  });

  it("change: one attribute per line, before → after", () => {
    const text = render([
      routerA((live) => {
        wg(live, "wg-b").mtu = 1380;
        const peer = wg(live, "wg-c").peers[0];
        if (peer) peer.endpoint = "198.51.100.99:51820";
      }),
    ]);
    golden("change", text);
    expect(text).toContain("\n  ~ wireguard wg-b: mtu 1380 → 1420\n");
  });

  it("remove: what git no longer has, with its value", () => {
    const text = render([
      routerA((live) => {
        live.interfaces?.find((i) => i.name === "br-backbone")?.addresses?.push("198.51.100.2/29");
        const area = live.ospf?.instances[0]?.areas[0];
        if (area) area.stub_networks = [...(area.stub_networks ?? []), "192.0.2.128/26"];
        wg(live, "wg-b").peers.push({
          public_key: "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfg=",
          description: "a peer git dropped",
          allowed_ips: ["192.0.2.240/28"],
        });
      }),
    ]);
    golden("remove", text);
    expect(text).toContain("\n      - peer AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfg=\n");
  });

  it("nested: a change deep in OSPF on one line, a created nested item as a tree", () => {
    const text = render([
      routerA((live) => {
        const v4 = live.ospf?.instances.find((i) => i.name === "mesh4")?.areas[0];
        const b = v4?.interfaces?.find((i) => i.name === "wg-b");
        if (b) b.cost = 50;
        const v6 = live.ospf?.instances.find((i) => i.name === "mesh6")?.areas[0];
        if (v6) v6.interfaces = v6.interfaces?.filter((i) => i.name !== "wg-c");
      }),
    ]);
    golden("nested", text);
    expect(text).toContain("\n  ~ ospf\n      ~ instance mesh4: area 0.0.0.0 interface wg-b cost 50 → 10\n");
    expect(text).toContain(
      "\n      ~ instance mesh6 area 0.0.0.0\n          + interface wg-c\n              type: ptp\n",
    );
  });

  it("sensitive: secrets are (sensitive), with the variable git names when there is one", () => {
    const text = render([
      routerA(
        (live) => {
          const peer = wg(live, "wg-b").peers[0];
          if (peer) peer.preshared_key_env = "SECRET_SET";
        },
        "reconciler",
        (desired) => {
          const peer = wg(desired, "wg-c").peers[0];
          if (peer) peer.preshared_key_env = "WG_PSK_A_C";
        },
      ),
    ]);
    golden("sensitive", text);
    expect(text).toContain("\n      - preshared_key_env: (sensitive)\n");
    expect(text).toContain("\n      + preshared_key_env: (sensitive: $WG_PSK_A_C)\n");
  });

  it("a hand edit of a managed file, with nothing differing in the model: said as such, then the diff", () => {
    const input = routerA(() => {});
    if (!("error" in input.live)) {
      const conf = "/etc/wireguard/wg-b.conf";
      input.live.artifacts[conf] = `${input.live.artifacts[conf] ?? ""}# tuned by hand\n`;
    }
    const text = render([input]);
    golden("files-only", text);
    expect(text).toMatch(
      /^router-a \(debian\): nothing differs in the model, but the device's configuration does \(1 file\)\n {2}update file \/etc\/wireguard\/wg-b\.conf\n/,
    );
  });

  it("unmanaged: what the device has and git does not name, with its value", () => {
    const text = render([
      routerA((live) => {
        live.interfaces?.push({ name: "eth9", kind: "ethernet", addresses: ["192.0.2.250/30"] });
        live.wireguard?.push({
          name: "wg-vendor",
          listen_port: 51999,
          addresses: ["192.0.2.254/31"],
          peers: [{ public_key: "VeNdOrKeY0123456789VeNdOrKeY0123456789VeNd=", allowed_ips: ["0.0.0.0/0"] }],
        });
      }, "hand"),
    ]);
    golden("unmanaged", text);
    expect(text).toContain("\n  ? interface eth9 (unmanaged: on the device, not in git; left as it is)\n");
  });

  it("commands: an Opengear box gets its ogcli commands, secrets as placeholders", () => {
    const exported = redactExport(
      readFileSync(join(import.meta.dirname, "opengear", "fixtures", "export-oob.txt"), "utf8"),
    );
    const parsed = liveFromEntities(entitiesOf(parseExport(exported)));
    const device = repo.devices["oob-1"];
    if (!device) throw new Error("no oob-1");
    const text = render([
      {
        device,
        desired: repo.expanded["oob-1"] ?? {},
        live: {
          device: "oob-1",
          platform: "opengear",
          state: parsed.state,
          artifacts: { [EXPORT_ARTIFACT]: exported },
          publicKeys: parsed.publicKeys,
          fingerprint: "f1",
        },
        publicKeys: repo.publicKeys["oob-1"] ?? {},
      },
    ]);
    golden("commands", text);
    expect(text).toContain("  commands, in the order they are sent:\n");
  });
});
