// The driver contract (test/contract/driver-contract.ts) for the OPNsense driver, on the lab's
// simulated fw-1 (test/sim/opnsense: config.xml, configctl, FreeBSD's tools; WireGuard and FRR
// real in its namespace). The device is looked at from outside the driver: config.xml as the box
// has it (its <revision> aside: every save rewrites it) and the kernel's view of the loopback.
// A WireGuard instance made in the GUI holds a private key the read must never return.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { DESCRIPTORS } from "../../reconciler/drivers/descriptors.ts";
import { opnsenseApply } from "../../reconciler/drivers/opnsense/apply/apply.ts";
import { opnsenseDriver } from "../../reconciler/drivers/opnsense/driver.ts";
import { loadRepo } from "../../reconciler/load/load.ts";
import { WorkingTreeReader } from "../../reconciler/load/reader.ts";
import type { DesiredRepo } from "../../reconciler/model/repo.ts";
import type { DeviceIntent } from "../../reconciler/schema/device.ts";
import { openSshTransport } from "../../reconciler/transport/ssh.ts";
import { describeDriverContract } from "../contract/driver-contract.ts";
import { addAlias } from "../sim/opnsense/edits.ts";
import { addWgServer } from "../sim/opnsense/example.ts";
import { guiSave } from "../sim/opnsense/gui-save.ts";
import { at, childrenNamed, text } from "../sim/opnsense/xml.ts";
import { nsExecOk } from "./lab.ts";
import { type LabRepo, makeLabRepo, removeLabRepo, useLab } from "./lab-fixture.ts";

const lab = useLab();
let repo: LabRepo;
let desired: DesiredRepo;
let privateKey = "";
const NAME = "fw-1";
const router = () => {
  const r = lab().routers.find((x) => x.name === NAME);
  if (!r) throw new Error(`no lab router ${NAME}`);
  return r;
};
const configPath = () => join(router().dir, "opnsense", "conf", "config.xml");
const save = (edit: Parameters<typeof guiSave>[1]) =>
  guiSave(configPath(), edit, { username: "root@198.51.100.129", requestUri: "/ui/firewall/alias" });

let setupError: unknown;
beforeAll(async () => {
  try {
    repo = makeLabRepo(lab());
    const loaded = await loadRepo(new WorkingTreeReader(repo.dir), { descriptors: DESCRIPTORS });
    if (!loaded.repo) throw new Error("the lab repository does not load");
    desired = loaded.repo;
    // A tunnel someone made in the GUI: its private key is on the box and must never be read back.
    privateKey = execFileSync("wg", ["genkey"], { encoding: "utf8" }).trim();
    const pubkey = execFileSync("wg", ["pubkey"], { input: privateKey, encoding: "utf8" }).trim();
    await save((root) =>
      addWgServer(root, {
        name: "guest",
        instance: "7",
        privkey: privateKey,
        pubkey,
        port: "51999",
        tunneladdress: ["198.51.100.241/30"],
        peers: [],
      }),
    );
  } catch (e) {
    setupError = e;
  }
}, 120_000);
// vitest reports the tests after a failed beforeAll as skipped: make each of them fail instead.
beforeEach(() => {
  if (setupError) throw setupError;
});
afterAll(() => removeLabRepo(repo));

const base: DeviceIntent = {
  interfaces: [{ name: "lo2", kind: "loopback", description: "contract", addresses: ["192.0.2.250/32"] }],
};
const changed: DeviceIntent = {
  interfaces: [{ name: "lo2", kind: "loopback", description: "contract", addresses: ["192.0.2.251/32"] }],
  firewall: {
    aliases: [{ name: "contract_hosts", type: "host", content: ["192.0.2.252"], description: "contract" }],
    rules: [],
  },
};
// A secret the environment does not hold: refused at stage, before anything is written.
const rejected: DeviceIntent = {
  ...base,
  wireguard: [
    {
      name: "wg3",
      listen_port: 51830,
      addresses: ["198.51.100.245/30"],
      peers: [
        {
          public_key: "GlNzvf0D1JVoevQmt8SJ5XuuNKbGgoMHW5gAydJz9Uo=",
          allowed_ips: ["198.51.100.246/32"],
          preshared_key_env: "CONTRACT_PSK_NOT_SET",
        },
      ],
    },
  ],
};

describeDriverContract({
  name: "opnsense (simulated fw-1 on the lab)",
  driver: opnsenseDriver,
  apply: opnsenseApply,
  device: () => desired.devices[NAME] as NonNullable<DesiredRepo["devices"][string]>,
  transport: () =>
    openSshTransport(desired.devices, readFileSync(join(repo.dir, "inventory", "known_hosts"), "utf8"), {
      env: { ...process.env, ...repo.env },
    }),
  desired: { base, changed, rejected },
  env: {},
  secrets: () => [privateKey],
  exportConfig: async () => {
    const config = readFileSync(configPath(), "utf8").replace(/<revision>[\s\S]*?<\/revision>/, "");
    const lo = await nsExecOk(router(), [
      "sh",
      "-c",
      "ip -o addr show dev lo2 2>/dev/null | awk '{ print $2, $3, $4 }'; true",
    ]);
    return `${config}\n--- lo2\n${lo}`;
  },
  addUnmanaged: async () => {
    await save((root) => addAlias(root, "vendor_hosts", "host", ["192.0.2.253"], "not in git"));
    return "firewall.aliases[vendor_hosts]";
  },
  removeUnmanaged: async () => {
    await save((root) => {
      const aliases = at(root, "OPNsense/Firewall/Alias/aliases");
      if (aliases)
        aliases.children = childrenNamed(aliases, "alias").filter((a) => text(a, "name") !== "vendor_hosts");
    });
  },
  revertAfterS: 6,
  timeoutMs: 120_000,
});
