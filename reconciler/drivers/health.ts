// Health, platform-neutral: what must hold after a change (probes, derived from the desired state
// by apply/expectations.ts) and what a driver saw on the device (observations, collected in the
// platform's own way). One shared evaluator (apply/evaluate-health.ts) turns both into checks that
// say what was expected and what was seen, so every platform's gate reads and fails alike.

/** What must hold after a change. */
export type HealthProbe =
  /** An OSPF adjacency Full with this neighbour on this interface (in every instance that runs there). */
  | { kind: "ospf-adjacency"; interface: string; routerId: string }
  /** A BGP session Established with this neighbour. */
  | { kind: "bgp-session"; neighbor: string }
  /**
   * The WireGuard tunnel to this peer works after the commit: a handshake after it, or packets
   * received since it. `probe` is the peer's address inside the tunnel, pinged first.
   */
  | { kind: "wireguard-tunnel"; interface: string; publicKey: string; probe?: string }
  /** The prefix is in the forwarding table, installed by the routing daemon. */
  | { kind: "route"; prefix: string }
  /** A serial console port is configured as desired. */
  | { kind: "serial-port"; port: string }
  /** Cellular failover is armed (its probe target answers or is being watched). */
  | { kind: "cellular-failover" }
  /** The management path to this address still works. */
  | { kind: "management-path"; address: string }
  /**
   * A firewall rule git describes is loaded in the running packet filter (not only written): on
   * `interface`, `action`, from `source` (an alias, or an address); an alias's table holds `entries`.
   */
  | {
      kind: "firewall-rule";
      description: string;
      interface: string;
      action: string;
      source?: string;
      entries?: string[];
    };

/** What a driver saw on the device, in facts the shared evaluator understands. */
export type Observation =
  /** One row of an OSPF neighbour table. */
  | { kind: "ospf-neighbor"; interface: string; routerId: string; state: string; instance: string }
  /** The OSPF instances that run on an interface: each must have the adjacency. */
  | { kind: "ospf-interface"; interface: string; instances: string[] }
  | { kind: "bgp-session"; neighbor: string; state: string }
  | {
      kind: "wireguard-peer";
      interface: string;
      publicKey: string;
      /** Epoch seconds of the latest handshake; 0 for none. */
      latestHandshake: number;
      /** Epoch seconds of the commit, by the device's clock; undefined when it could not be read. */
      committedAt?: number;
      /** Bytes received from the peer since the commit. */
      receivedSinceCommit: number;
    }
  /** A route in the forwarding table; `fromDaemon` when the routing daemon installed it. */
  | { kind: "route"; prefix: string; protocol: string; fromDaemon: boolean }
  /** How routes of the routing daemon are marked in the table, e.g. "bird" or "ospf|bgp|static". */
  | { kind: "route-source"; protocols: string }
  | { kind: "serial-port"; port: string; configured: boolean; detail: string }
  | { kind: "cellular-failover"; armed: boolean; detail: string }
  | { kind: "management-path"; address: string; reachable: boolean; detail: string }
  | { kind: "firewall-rule"; description: string; loaded: boolean; detail: string }
  /** A part of the collection failed: every probe of that kind says so instead of "absent". */
  | { kind: "unreadable"; about: HealthProbe["kind"]; what: string; why: string };

export type { HealthCheck, HealthReport } from "../model/outcome.ts";
