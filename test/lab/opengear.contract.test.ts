// The driver contract (test/contract/driver-contract.ts) for the Opengear driver, on the lab's
// oob-1: a Debian namespace dressed as an Opengear by test/sim/opengear/lab-setup.sh (ogcli over
// its store at /etc/config/ngcs.db). The device is looked at from outside the driver: the store
// file's bytes (what the revert promises to put back) and `ogcli get` through the namespace.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { DESCRIPTORS } from "../../reconciler/drivers/descriptors.ts";
import { opengearApply } from "../../reconciler/drivers/opengear/apply/apply.ts";
import { opengearDriver } from "../../reconciler/drivers/opengear/driver.ts";
import { loadRepo } from "../../reconciler/load/load.ts";
import { WorkingTreeReader } from "../../reconciler/load/reader.ts";
import type { DesiredRepo } from "../../reconciler/model/repo.ts";
import type { DeviceIntent } from "../../reconciler/schema/device.ts";
import { openSshTransport } from "../../reconciler/transport/ssh.ts";
import { describeDriverContract } from "../contract/driver-contract.ts";
import { nsExecOk } from "./lab.ts";
import { type LabRepo, makeLabRepo, removeLabRepo, useLab } from "./lab-fixture.ts";

const lab = useLab();
let repo: LabRepo;
let desired: DesiredRepo;
const NAME = "oob-1";
const box = () => {
  const r = lab().routers.find((x) => x.name === NAME);
  if (!r) throw new Error(`no lab box ${NAME}`);
  return r;
};

let setupError: unknown;
beforeAll(async () => {
  try {
    repo = makeLabRepo(lab());
    const loaded = await loadRepo(new WorkingTreeReader(repo.dir), { descriptors: DESCRIPTORS });
    if (!loaded.repo) throw new Error("the lab repository does not load");
    desired = loaded.repo;
  } catch (e) {
    setupError = e;
  }
}, 120_000);
beforeEach(() => {
  if (setupError) throw setupError;
});
afterAll(() => removeLabRepo(repo));

const ENV = { OOB_SNMP_AUTH: "contract-auth-passphrase", OOB_SNMP_PRIV: "contract-priv-passphrase" };
// Location and contact go to system/admin_info (a public provisioning script's entity).
const snmp: DeviceIntent["snmp"] = {
  enabled: true,
  location: "lab",
  contact: "noc@example.net",
  v3_users: [
    {
      name: "nms",
      auth_protocol: "SHA-256",
      auth_password_env: "OOB_SNMP_AUTH",
      privacy_protocol: "AES",
      privacy_password_env: "OOB_SNMP_PRIV",
    },
  ],
};
const base: DeviceIntent = { serial_ports: [{ port: 1, label: "core-1", baud: 9600 }], snmp };
const changed: DeviceIntent = {
  serial_ports: [
    { port: 1, label: "core-1", baud: 115200 },
    { port: 2, label: "router-a", baud: 9600 },
  ],
  snmp,
  cellular_failover: { enabled: true, probe_address: "203.0.113.53" },
};
// No key was generated on the box for this tunnel (`reconciler keys` never ran): the stage refuses.
const rejected: DeviceIntent = {
  ...base,
  wireguard: [
    {
      name: "wg-rej",
      addresses: ["198.51.100.113/28"],
      peers: [
        { public_key: "iGQvJvWjzAlDYbTVmwLeL/PnOt+fAfkCnSp1OXCOMHg=", allowed_ips: ["198.51.100.128/26"] },
      ],
    },
  ],
};

describeDriverContract({
  name: "opengear on the lab's oob-1 (simulated ogcli)",
  driver: opengearDriver,
  apply: opengearApply,
  device: () => desired.devices[NAME] as NonNullable<DesiredRepo["devices"][string]>,
  transport: () =>
    openSshTransport(desired.devices, readFileSync(join(repo.dir, "inventory", "known_hosts"), "utf8"), {
      env: { ...process.env, ...repo.env },
    }),
  desired: { base, changed, rejected },
  env: ENV,
  secrets: () => Object.values(ENV),
  exportConfig: async () =>
    nsExecOk(box(), [
      "sh",
      "-c",
      "sha256sum /etc/config/ngcs.db; for p in ports-1 ports-2; do ogcli get port $p | grep -E '^(label|baudrate)='; done; ogcli get failover/settings | grep -E '^(enabled|probe_address)='",
    ]),
  addUnmanaged: async () => {
    await nsExecOk(box(), [
      "sh",
      "-c",
      `ogcli create user << 'END'\nusername="vendor"\ndescription="not in git"\nEND`,
    ]);
    return "users[vendor]";
  },
  removeUnmanaged: async () => {
    await nsExecOk(box(), ["ogcli", "delete", "user", "vendor"]);
  },
  revertAfterS: 6,
  timeoutMs: 90_000,
});
