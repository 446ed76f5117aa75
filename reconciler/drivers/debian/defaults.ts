// The values the daemons and the kernel use when a field is left unset. normalize() fills them in
// (or drops a value equal to them) so that "unset" and "set to the default" compare equal, and so
// that FRR's running-config, which omits most defaults, compares equal to a file that spells them.

/** wg-quick sets the MTU to the underlay's minus 80 when MTU is unset: 1420 on a 1500-byte underlay. */
export const WG_DEFAULT_MTU = 1420;
/** renderDebian writes "Table = off" when table is unset: the routing daemon owns the routes. */
export const WG_DEFAULT_TABLE = "off";

/** The kernel's MTU for a new link of each kind (a VLAN inherits its parent's, 1500 on Ethernet). */
export const LINK_DEFAULT_MTU = {
  loopback: 65536,
  dummy: 1500,
  ethernet: 1500,
  vlan: 1500,
  bridge: 1500,
} as const;

/** bird2 (proto/ospf/ospf.h, config.Y): cost 10, hello 10, retransmit 5; dead and wait 4 × hello. */
export const BIRD_OSPF = { cost: 10, hello: 10, retransmit: 5, deadCount: 4 } as const;
/**
 * FRR ospfd/ospf6d: hello 10, dead 40 (not derived from hello), retransmit 5. The cost is computed
 * from the interface bandwidth, so it has no fixed default and is left as configured.
 */
export const FRR_OSPF = { hello: 10, dead: 40, retransmit: 5 } as const;

/**
 * Static routes: bird's static protocol has preference 200 (higher wins), rendered from a distance
 * as 256 - distance, so its default is distance 56; FRR's staticd distance is 1 (lower wins).
 */
export const BIRD_STATIC_PREFERENCE = 200;
export const BIRD_STATIC_DISTANCE = 256 - BIRD_STATIC_PREFERENCE;
export const FRR_STATIC_DISTANCE = 1;

/** The OSPF key id bird gives the first password of an interface, and the one render writes for FRR. */
export const DEFAULT_OSPF_KEY_ID = 1;

/**
 * What a device can say about a secret it holds: that one is set, never which environment variable
 * it came from (FRR prints the secret itself, which the read redacts on the device). Both the
 * desired and the live password_env become this value where the name cannot be observed.
 */
export const SECRET_SET = "SECRET_SET";

/** FRR runs one ospfd (OSPFv2) and one ospf6d (OSPFv3) instance, without names: these stand for them. */
export const FRR_INSTANCE_NAME = { 2: "ospf", 3: "ospf6" } as const;
