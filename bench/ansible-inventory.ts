// The Ansible anchor's ansible.cfg and inventory: each device's variables for the templates in
// bench/ansible/ (the same bird.conf, wg-quick files and loopback the reconciler renders), and
// the connection settings a careful operator would choose: pipelining, ControlPersist, forks 50,
// the same pinned host keys and key exchange as the other tools.
import { deviceName, fakePublicKey, links, loopback, routerId } from "./fleet.ts";

/** An IPv6 address in its canonical compressed form (as the reconciler prints it). */
function canonical6(address: string): string {
  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
}

export function hostVars(n: number): Record<string, unknown>[] {
  const vars = Array.from({ length: n }, (_, i) => ({
    router_id: routerId(i),
    loopback: loopback(i),
    wg_links: [] as Record<string, unknown>[],
  }));
  for (const l of links(n)) {
    const base = l.net.replace("::/127", "::");
    const ends = [
      { me: l.a, peer: l.b, address: canonical6(base), ll: "fe80::1/64", peerEndpoint: "203.0.113.2" },
      { me: l.b, peer: l.a, address: canonical6(`${base}1`), ll: "fe80::2/64", peerEndpoint: "203.0.113.1" },
    ];
    for (const e of ends) {
      vars[e.me]?.wg_links.push({
        ifname: l.ifname,
        link: `l${l.k}`,
        peer: deviceName(e.peer),
        address: `${e.address}/127`,
        link_local: e.ll,
        port: l.port,
        cost: 10,
        peer_key: fakePublicKey(deviceName(e.peer), l.ifname),
        endpoint: `${e.peerEndpoint}:${l.port}`,
      });
    }
  }
  return vars;
}

export function ansibleFiles(
  n: number,
  hosts: readonly { host: string; port: number }[],
  opts: { key: string; knownHosts: string; dir: string; sshOpts: readonly string[] },
): Map<string, string> {
  const vars = hostVars(n);
  const inventory = {
    all: {
      hosts: Object.fromEntries(
        hosts.map((h, i) => [deviceName(i), { ansible_host: h.host, ansible_port: h.port, ...vars[i] }]),
      ),
    },
  };
  const sshArgs = [
    ...opts.sshOpts.filter((o) => o !== "-F" && o !== "none"),
    "-o",
    "ControlMaster=auto",
    "-o",
    "ControlPersist=60s",
    "-o",
    `UserKnownHostsFile=${opts.knownHosts}`,
  ].join(" ");
  const cfg = [
    "[defaults]",
    "forks = 50",
    "gathering = explicit",
    "host_key_checking = True",
    "interpreter_python = /usr/bin/python3",
    "remote_user = root",
    `private_key_file = ${opts.key}`,
    "retry_files_enabled = False",
    `local_tmp = ${opts.dir}/tmp`,
    "",
    "[ssh_connection]",
    "pipelining = True",
    `ssh_args = ${sshArgs}`,
    `control_path_dir = ${opts.dir}/cp`,
    "",
  ].join("\n");
  // JSON is YAML: the inventory needs no YAML writer.
  return new Map([
    ["ansible.cfg", cfg],
    ["inventory.yml", `${JSON.stringify(inventory, null, 1)}\n`],
  ]);
}
