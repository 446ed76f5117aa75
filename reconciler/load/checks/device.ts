// Checks within one device's desired state: what its platform manages and what else its
// platform's rules say (the descriptor passed in), and the internal consistency of each section
// (OSPF timers, static routes, firewall aliases, serial ports...).
import type { Diagnostic, PathSegment } from "../../model/diagnostic.ts";
import { parseAddress, parsePrefix, prefixContains, prefixesOverlap } from "../../model/ip.ts";
import type { PlatformRules, RawKind, Section } from "../../model/platform.ts";
import type { ResolvedDevice } from "../../model/repo.ts";
import type { DeviceIntent, OspfInterface } from "../../schema/device.ts";
import type { SourceFile } from "../source.ts";
import { type Loc, report } from "./facts.ts";

export interface DeviceCheckInput {
  name: string;
  device: ResolvedDevice;
  intent: DeviceIntent;
  source: SourceFile;
  /** Names of every interface of the device, links included. */
  interfaceNames: ReadonlySet<string>;
  /** Names of its WireGuard interfaces, links included. */
  wireguardNames: ReadonlySet<string>;
  inventory: Readonly<Record<string, ResolvedDevice>>;
  /** The rules of the device's platform (its driver's descriptor). */
  rules: PlatformRules;
}

type Emit = (path: PathSegment[], fields: Parameters<typeof report>[1], which?: "value" | "key") => void;

/** Reports the second and later occurrences of a key within a list. */
function duplicates<T>(
  items: readonly T[],
  keyOf: (t: T) => string | undefined,
  onDup: (i: number, key: string) => void,
) {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const key = keyOf(item);
    if (key === undefined) return;
    if (seen.has(key)) onDup(i, key);
    seen.add(key);
  });
}

export function checkDevice(input: DeviceCheckInput): Diagnostic[] {
  const out: Diagnostic[] = [];
  const at = (path: PathSegment[]): Loc => ({ source: input.source, path });
  const emit: Emit = (path, fields, which) => out.push(report(at(path), fields, which));
  checkSections(input, emit);
  for (const f of input.rules.check(input.intent)) {
    const { path, at: which, ...fields } = f;
    emit([...path], fields, which);
  }
  checkOspf(input, emit);
  checkBgp(input, emit);
  checkStaticRoutes(input, emit);
  checkWireguardPeers(input, emit);
  checkFirewall(input, emit);
  checkConsoleServer(input, emit);
  return out;
}

function checkSections({ device, intent, rules }: DeviceCheckInput, emit: Emit) {
  const allowed = rules.sections;
  for (const key of Object.keys(intent) as (keyof DeviceIntent)[]) {
    if (key === "description" || allowed.includes(key as Section)) continue;
    emit(
      [key],
      {
        message: `${key} is not managed on platform ${device.platform}`,
        expected: `one of the sections ${device.platform} manages: ${allowed.join(", ")}`,
      },
      "key",
    );
  }
  const platformRaw = Object.keys(rules.raw) as RawKind[];
  for (const kind of Object.keys(intent.raw ?? {}) as RawKind[]) {
    if (platformRaw.includes(kind)) continue;
    emit(
      ["raw", kind],
      {
        message: `raw ${kind} does not apply to platform ${device.platform}`,
        expected: `raw ${platformRaw.join(" or ")}`,
      },
      "key",
    );
  }
}

function checkOspfInterfaceTimers(iface: Partial<OspfInterface>, path: PathSegment[], emit: Emit) {
  if (iface.hello !== undefined && iface.dead !== undefined && iface.dead <= iface.hello) {
    emit([...path, "dead"], {
      message: `dead interval ${iface.dead} is not longer than hello interval ${iface.hello}`,
      value: String(iface.dead),
      expected: "a dead interval longer than the hello interval (usually 4 times it)",
    });
  }
  const auth = iface.authentication;
  if (auth && auth.type !== "none" && !auth.password_env) {
    emit([...path, "authentication"], {
      message: `${auth.type} authentication without a password`,
      expected: "password_env naming the environment variable that holds the password",
    });
  }
}

function checkOspf({ intent, interfaceNames, rules }: DeviceCheckInput, emit: Emit) {
  const ospf = intent.ospf;
  if (!ospf) return;
  duplicates(
    ospf.instances,
    (i) => i.name,
    (i, key) =>
      emit(["ospf", "instances", i, "name"], {
        message: `OSPF instance ${key} is defined twice`,
        value: key,
        expected: "unique instance names",
      }),
  );
  ospf.instances.forEach((inst, ii) => {
    const base: PathSegment[] = ["ospf", "instances", ii];
    if (inst.version === 2 && inst.address_family === "ipv6") {
      emit([...base, "address_family"], {
        message: "OSPFv2 carries IPv4 only",
        value: "ipv6",
        expected: "ipv4, or version 3 for IPv6",
      });
    }
    duplicates(
      inst.areas,
      (a) => a.id,
      (ai, key) =>
        emit([...base, "areas", ai, "id"], {
          message: `area ${key} is defined twice`,
          value: key,
          expected: "unique area ids",
        }),
    );
    const inArea = new Map<string, string>();
    inst.areas.forEach((area, ai) => {
      (area.interfaces ?? []).forEach((iface, fi) => {
        const path: PathSegment[] = [...base, "areas", ai, "interfaces", fi];
        const prev = inArea.get(iface.name);
        if (prev !== undefined) {
          emit([...path, "name"], {
            message: `interface ${iface.name} is already in area ${prev} of this instance`,
            value: iface.name,
            expected: "each interface in one area per instance",
          });
        }
        inArea.set(iface.name, area.id);
        if (!interfaceNames.has(iface.name) && !rules.implicitInterfaces.includes(iface.name)) {
          emit([...path, "name"], {
            message: `OSPF interface ${iface.name} is not an interface of this device`,
            value: iface.name,
            expected: `one of its interfaces: ${[...interfaceNames].sort().join(", ") || "(none)"}`,
          });
        }
        checkOspfInterfaceTimers(iface, path, emit);
      });
      (area.stub_networks ?? []).forEach((net, ni) => {
        const p = parsePrefix(net);
        const family = inst.address_family ?? (inst.version === 2 ? "ipv4" : "ipv6");
        if (p && (p.family === 4) !== (family === "ipv4")) {
          emit([...base, "areas", ai, "stub_networks", ni], {
            message: `stub network ${net} is not ${family}, the address family of instance ${inst.name}`,
            value: net,
            expected: `an ${family} prefix`,
          });
        }
      });
    });
  });
}

function checkBgp({ intent }: DeviceCheckInput, emit: Emit) {
  const bgp = intent.bgp;
  if (!bgp) return;
  duplicates(
    bgp.neighbors,
    (n) => parseAddress(n.address)?.value.toString(),
    (i, _k) =>
      emit(["bgp", "neighbors", i, "address"], {
        message: `BGP neighbour ${bgp.neighbors[i]?.address} is listed twice`,
        value: bgp.neighbors[i]?.address,
        expected: "each neighbour once",
      }),
  );
  bgp.neighbors.forEach((n, i) => {
    if (n.route_reflector_client && n.remote_asn !== bgp.asn) {
      emit(["bgp", "neighbors", i, "route_reflector_client"], {
        message: `route reflector client ${n.address} is in AS ${n.remote_asn}, not this router's AS ${bgp.asn}`,
        expected: "route_reflector_client only on iBGP neighbours (remote_asn equal to asn)",
      });
    }
  });
}

function checkStaticRoutes({ intent }: DeviceCheckInput, emit: Emit) {
  (intent.static_routes ?? []).forEach((r, i) => {
    const path: PathSegment[] = ["static_routes", i];
    if (r.blackhole && (r.via || r.interface)) {
      emit(path, {
        message: `route ${r.prefix} is a blackhole with a next hop`,
        expected: "blackhole: true alone, or via/interface",
      });
    } else if (!r.blackhole && !r.via && !r.interface) {
      emit(path, {
        message: `route ${r.prefix} has no next hop`,
        expected: "via, interface or blackhole: true",
      });
    }
    const p = parsePrefix(r.prefix);
    const via = r.via ? parseAddress(r.via) : undefined;
    if (p && via && p.family !== via.family) {
      emit([...path, "via"], {
        message: `next hop ${r.via} is not of the same family as ${r.prefix}`,
        value: r.via,
        expected: `an IPv${p.family} next hop`,
      });
    }
  });
}

/** The host part of a WireGuard endpoint: "198.51.100.1:51820", "[2001:db8::1]:51820" or "name:port". */
function endpointHost(endpoint: string): string | undefined {
  const m = /^\[([^\]]+)\]:\d+$/.exec(endpoint) ?? /^([^:]+):\d+$/.exec(endpoint);
  return m?.[1];
}

/** WireGuard routes by allowed IPs: a prefix claimed by two peers of one interface goes to only one. */
function checkWireguardPeers({ intent }: DeviceCheckInput, emit: Emit) {
  (intent.wireguard ?? []).forEach((wg, wi) => {
    duplicates(
      wg.peers,
      (p) => p.public_key,
      (pi, key) =>
        emit(["wireguard", wi, "peers", pi, "public_key"], {
          message: `peer ${key} is listed twice on ${wg.name}`,
          value: key,
          expected: "each peer once",
        }),
    );
    // A peer whose allowed IPs hold its own endpoint sends its encrypted packets into the tunnel
    // they are meant to carry: the tunnel never comes up (WireGuard does not exempt the endpoint).
    wg.peers.forEach((peer, pi) => {
      const host = peer.endpoint ? endpointHost(peer.endpoint) : undefined;
      const address = host ? parseAddress(host) : undefined;
      if (!address) return;
      peer.allowed_ips.forEach((text, ai) => {
        const prefix = parsePrefix(text);
        if (prefix && prefixContains(prefix, address))
          emit(["wireguard", wi, "peers", pi, "allowed_ips", ai], {
            message: `allowed IP ${text} holds the peer's own endpoint ${host}: the tunnel would be routed into itself and never come up`,
            value: text,
            expected:
              "allowed IPs that leave the endpoint outside the tunnel (the endpoint is reached by the underlay)",
          });
      });
    });
    const claimed: { prefix: NonNullable<ReturnType<typeof parsePrefix>>; text: string; peer: number }[] = [];
    wg.peers.forEach((peer, pi) =>
      peer.allowed_ips.forEach((text, ai) => {
        const prefix = parsePrefix(text);
        if (!prefix) return;
        const clash = claimed.find((c) => c.peer !== pi && prefixesOverlap(c.prefix, prefix));
        if (clash) {
          emit(["wireguard", wi, "peers", pi, "allowed_ips", ai], {
            message: `allowed IP ${text} overlaps ${clash.text} of peer ${clash.peer + 1} on ${wg.name}`,
            value: text,
            expected: "allowed IPs that no other peer of the interface claims",
          });
        }
        claimed.push({ prefix, text, peer: pi });
      }),
    );
  });
}

function checkFirewall({ intent }: DeviceCheckInput, emit: Emit) {
  const fw = intent.firewall;
  if (!fw) return;
  const aliases = new Map((fw.aliases ?? []).map((a) => [a.name, a]));
  duplicates(
    fw.aliases ?? [],
    (a) => a.name,
    (i, key) =>
      emit(["firewall", "aliases", i, "name"], {
        message: `alias ${key} is defined twice`,
        value: key,
        expected: "unique alias names",
      }),
  );
  (fw.aliases ?? []).forEach((alias, ai) =>
    alias.content.forEach((item, ci) => {
      const text = String(item);
      const ok =
        alias.type === "port"
          ? /^[0-9]{1,5}(-[0-9]{1,5})?$/.test(text) &&
            text.split("-").every((p) => Number(p) >= 1 && Number(p) <= 65535)
          : alias.type === "host"
            ? parseAddress(text) !== undefined
            : parsePrefix(text) !== undefined;
      if (!ok) {
        emit(["firewall", "aliases", ai, "content", ci], {
          message: `${JSON.stringify(text)} is not a valid ${alias.type} entry`,
          value: text,
          expected:
            alias.type === "port"
              ? "a port or port range"
              : alias.type === "host"
                ? "an IP address"
                : "a prefix such as 192.0.2.0/24",
        });
      }
    }),
  );
  fw.rules.forEach((rule, ri) => {
    for (const field of ["source", "destination"] as const) {
      const value = rule[field];
      if (!value || value === "any") continue;
      if (/^[A-Za-z]/.test(value) && !value.includes(":")) {
        const alias = aliases.get(value);
        if (!alias || alias.type === "port") {
          emit(["firewall", "rules", ri, field], {
            message: alias
              ? `alias ${value} holds ports, not addresses`
              : `unknown alias ${JSON.stringify(value)}`,
            value,
            expected: "an address, a prefix, 'any' or the name of a host or network alias",
          });
        }
      } else if (parseAddress(value) === undefined && parsePrefix(value) === undefined) {
        emit(["firewall", "rules", ri, field], {
          message: `invalid address ${JSON.stringify(value)}`,
          value,
          expected: "an address or prefix",
        });
      }
    }
    const port = rule.destination_port;
    if (typeof port === "string" && /^[A-Za-z]/.test(port) && aliases.get(port)?.type !== "port") {
      emit(["firewall", "rules", ri, "destination_port"], {
        message: `unknown port alias ${JSON.stringify(port)}`,
        value: port,
        expected: "a port, a range or a port alias",
      });
    }
    if (port !== undefined && !["tcp", "udp", "tcp/udp"].includes(rule.protocol)) {
      emit(["firewall", "rules", ri, "destination_port"], {
        message: `a destination port with protocol ${rule.protocol}`,
        expected: "protocol tcp, udp or tcp/udp when a port is given",
      });
    }
  });
}

/** Serial ports, users, SNMP and the management VPN: the sections of a console server. */
function checkConsoleServer({ intent, inventory, wireguardNames }: DeviceCheckInput, emit: Emit) {
  const ports = intent.serial_ports ?? [];
  duplicates(
    ports,
    (p) => String(p.port),
    (i, key) =>
      emit(["serial_ports", i, "port"], {
        message: `serial port ${key} is configured twice`,
        value: key,
        expected: "each port once",
      }),
  );
  duplicates(
    ports,
    (p) => p.label,
    (i, key) =>
      emit(["serial_ports", i, "label"], {
        message: `serial port label ${key} is used twice`,
        value: key,
        expected: "unique labels",
      }),
  );
  ports.forEach((p, i) => {
    if (p.connected_to && !inventory[p.connected_to]) {
      emit(["serial_ports", i, "connected_to"], {
        message: `unknown device ${JSON.stringify(p.connected_to)}`,
        value: p.connected_to,
        expected: "the name of a device in the inventory",
      });
    }
  });
  duplicates(
    intent.users ?? [],
    (u) => u.name,
    (i, key) =>
      emit(["users", i, "name"], {
        message: `user ${key} is defined twice`,
        value: key,
        expected: "unique user names",
      }),
  );
  const snmp = intent.snmp;
  if (snmp?.enabled && !snmp.community_env && !(snmp.v3_users ?? []).length) {
    emit(
      ["snmp"],
      { message: "SNMP is enabled with no community and no v3 user", expected: "community_env or v3_users" },
      "key",
    );
  }
  const vpn = intent.management_vpn;
  if (vpn?.type === "wireguard" && (!vpn.interface || !wireguardNames.has(vpn.interface))) {
    emit(["management_vpn", vpn.interface ? "interface" : "type"], {
      message: vpn.interface
        ? `${vpn.interface} is not a WireGuard interface of this device`
        : "a WireGuard management VPN names no interface",
      ...(vpn.interface ? { value: vpn.interface } : {}),
      expected: `one of its WireGuard interfaces: ${[...wireguardNames].sort().join(", ") || "(none)"}`,
    });
  }
  if (vpn?.type === "tailscale" && !vpn.auth_key_env) {
    emit(
      ["management_vpn"],
      { message: "Tailscale needs an auth key to join", expected: "auth_key_env" },
      "key",
    );
  }
}
