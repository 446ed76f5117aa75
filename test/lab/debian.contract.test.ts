// The driver contract (test/contract/driver-contract.ts) for the Debian driver, on a real lab
// router: files and running state seen from inside the router's namespace, not through the
// driver. A WireGuard interface git does not know holds a private key the read must never return.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { debianApply, debianDriver } from "../../reconciler/drivers/debian/driver.ts";
import { DESCRIPTORS } from "../../reconciler/drivers/descriptors.ts";
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
let privateKey = "";
const NAME = "router-a";
const router = () => {
  const r = lab().routers.find((x) => x.name === NAME);
  if (!r) throw new Error(`no lab router ${NAME}`);
  return r;
};

let setupError: unknown;
beforeAll(async () => {
  try {
    repo = makeLabRepo(lab());
    const loaded = await loadRepo(new WorkingTreeReader(repo.dir), { descriptors: DESCRIPTORS });
    if (!loaded.repo) throw new Error("the lab repository does not load");
    desired = loaded.repo;
    // Private state for the apply protocol, as on a real router (the lab shares these with the host).
    await nsExecOk(router(), [
      "sh",
      "-c",
      "for d in /var/lib/reconciler /etc/network/interfaces.d /etc/sysctl.d; do mkdir -p $d && mount -t tmpfs -o mode=0755 tmpfs $d; done; chmod 700 /var/lib/reconciler",
    ]);
    // A tunnel someone else set up: its private key is on the router and must never be read back.
    privateKey = (await nsExecOk(router(), ["wg", "genkey"])).trim();
    await nsExecOk(router(), [
      "sh",
      "-c",
      `wireguard-go wg-other && printf '%s\\n' '${privateKey}' > /run/wg-other.key && wg set wg-other private-key /run/wg-other.key listen-port 51999`,
    ]);
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
  forwarding: { ipv4: true, ipv6: true },
  interfaces: [{ name: "br-k", kind: "bridge", addresses: ["192.0.2.250/32"] }],
};
const changed: DeviceIntent = {
  forwarding: { ipv4: true, ipv6: true },
  interfaces: [
    { name: "br-k", kind: "bridge", mtu: 1400, addresses: ["192.0.2.250/32", "198.51.100.250/32"] },
  ],
};
// bird refuses it (bird -p at stage): it must never reach /etc/bird.
const rejected: DeviceIntent = {
  ...base,
  routing_daemon: "bird",
  raw: { bird: "protocol static { this is not bird;\n" },
};

describeDriverContract({
  name: "debian on a lab router",
  driver: debianDriver,
  apply: debianApply,
  device: () => desired.devices[NAME] as NonNullable<DesiredRepo["devices"][string]>,
  transport: () =>
    openSshTransport(desired.devices, readFileSync(join(repo.dir, "inventory", "known_hosts"), "utf8"), {
      env: { ...process.env, ...repo.env },
    }),
  desired: { base, changed, rejected },
  env: {},
  secrets: () => [privateKey],
  exportConfig: async () =>
    nsExecOk(router(), [
      "sh",
      "-c",
      [
        'for f in /etc/bird/bird.conf /etc/frr/frr.conf /etc/wireguard/*.conf /etc/sysctl.d/90-reconciler.conf /etc/network/interfaces.d/reconciler; do [ -f "$f" ] && echo "$(sha256sum < "$f") $(stat -c \'%a %U:%G\' "$f") $f"; done',
        "ip -o link show br-k 2>/dev/null | sed 's/^[0-9]*: //; s/ state [A-Z]*//'",
        "ip -o addr show dev br-k 2>/dev/null | awk '{ print $2, $3, $4 }'",
        "sysctl -n net.ipv4.ip_forward net.ipv6.conf.all.forwarding",
        "birdc show protocols 2>/dev/null | awk 'NR > 2 { print $1, $4 }'",
        "true",
      ].join("; "),
    ]),
  addUnmanaged: async () => {
    await nsExecOk(router(), ["sh", "-c", "ip link add vendor0 type bridge && ip link set vendor0 up"]);
    return "interfaces[vendor0]";
  },
  removeUnmanaged: async () => {
    await nsExecOk(router(), ["ip", "link", "del", "vendor0"]);
  },
  revertAfterS: 6,
  timeoutMs: 90_000,
});
