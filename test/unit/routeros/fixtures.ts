// RouterOS exports written for these tests (our own text, documentation address ranges only),
// each reproducing traps seen in real exports: CRLF, the `\` continuation between `key=` and its
// value and inside a quoted string, both header date forms, comments inside sections, the dot
// shorthand, every selector form, RouterOS escapes.

/** RFC 7748 §6.1's X25519 test vector (Alice), as WireGuard writes keys: base64. */
export const PRIVATE_KEY = "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=";
export const PUBLIC_KEY = "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=";
/** core-1's wg-tower key as inventory/wireguard-keys.yaml records it. */
export const CORE_KEY = "DqMgVmulqfVkoLTOze6JE1/tAXUtbcUPL9Dvw7aczjw=";
export const OTHER_KEY = "j/miH2I9YXQ9m09gxeqElEm7enQqe9f37VWtV2f/Zgw=";

const crlf = (s: string) => s.replace(/\r?\n/g, "\r\n");

/** Compact export, RouterOS ≤ 7.9 header, CRLF, continuations in every awkward place. */
export const COMPACT_OLD_HEADER = crlf(`# jan/02/2023 03:04:05 by RouterOS 7.8
# software id = ABCD-1234
#
# model = RB5009UG+S+
# serial number = HGF0123456
/interface bridge
add comment="customer sector" name=bridge-sector
add name=\\
    loopback
/interface ethernet
set [ find default-name=ether1 ] comment=uplink
/interface wireguard
add comment="link core-tower to core-1 \\
    [reconciler]" listen-port=13231 mtu=1420 name=wg-core private-key=\\
    "${PRIVATE_KEY}"
/interface wireguard peers
# the core's end
add allowed-address=0.0.0.0/0,::/0 comment="core-1 wg-tower [reconciler]" endpoint-address=198.51.100.70 \\
    endpoint-port=51821 interface=wg-core persistent-keepalive=25s public-key="${CORE_KEY}"
/ip address
add address=192.0.2.198 interface=loopback network=192.0.2.198
add address=198.51.100.25/29 interface=bridge-sector network=198.51.100.24
add address=203.0.113.9/31 interface=wg-core network=203.0.113.8
/ip dns
set servers=192.0.2.53
/system identity
set name=tower-1
`);

/** Terse export, RouterOS ≥ 7.10 ISO header: the full menu on every line. */
export const TERSE_ISO_HEADER = `# 2026-11-29 12:00:00 by RouterOS 7.16.1
# software id = 
#
/interface bridge add name=br0
/routing bgp connection add local.address=192.0.2.1 .role=ibgp name=rr remote.address=192.0.2.2 .as=64500 as=64500
/ip firewall filter add action=accept chain=input comment="#1 \\"quoted\\" \\$x" log-prefix=#DROP
/port set 0 name=serial0
/interface ethernet set *1A mtu=1500
/ip service set ftp disabled=yes
/snmp community set [ find default=yes ] addresses=192.0.2.0/24
/interface list member set [ find ] disabled=no
/system note set note="line one\\nline two\\ttab\\_space\\?q\\\\back\\41\\D0\\9F"
`;

/** The tower as the reconciler leaves it (compact, after applying desired/tower-1.yaml and its link). */
export const TOWER_CONVERGED = `# 2026-11-29 12:00:00 by RouterOS 7.16.1
# software id = ABCD-1234
#
/interface bridge
add comment="customer sector [reconciler]" name=bridge-sector
add comment="loopback (a bridge without ports) [reconciler]" name=loopback
/interface wireguard
add comment="link core-tower to core-1 [reconciler]" listen-port=13231 mtu=1420 name=wg-core private-key="${PRIVATE_KEY}"
/interface wireguard peers
add allowed-address=0.0.0.0/0,::/0 comment="core-1 wg-tower [reconciler]" endpoint-address=198.51.100.70 \\
    endpoint-port=51821 interface=wg-core persistent-keepalive=25s public-key=\\
    "${CORE_KEY}"
/ip address
add address=198.51.100.25/29 interface=bridge-sector network=198.51.100.24
add address=192.0.2.198 interface=loopback network=192.0.2.198
add address=203.0.113.9/31 interface=wg-core network=203.0.113.8
/ip dns
set servers=192.0.2.53
/routing ospf instance
add comment="[reconciler]" disabled=no name=default-v2 router-id=192.0.2.198
/routing ospf area
add comment="[reconciler]" disabled=no instance=default-v2 name=default-v2-0.0.0.0
/routing bgp connection
add as=64500 comment="core-1 route reflector [reconciler]" local.address=192.0.2.198 .role=ibgp name=\\
    peer-192.0.2.196 remote.address=192.0.2.196 .as=64500 router-id=192.0.2.198
/routing ospf interface-template
add area=default-v2-0.0.0.0 comment="[reconciler]" disabled=no interfaces=bridge-sector passive
add area=default-v2-0.0.0.0 comment="[reconciler]" disabled=no interfaces=loopback passive
add area=default-v2-0.0.0.0 comment="[reconciler]" cost=100 disabled=no interfaces=wg-core type=ptp
/system identity
set name=tower-1
`;

/** A device with things the model cannot read beside things it can. */
export const WITH_UNMANAGED = `# 2026-11-29 12:00:00 by RouterOS 7.16.1
/interface bridge
add name=br-lan protocol-mode=none
/ip pool
add name=dhcp ranges=192.0.2.100-192.0.2.200
/ip address
add address=192.0.2.1/24 interface=br-lan network=192.0.2.0
/routing ospf interface-template
add area=nowhere interfaces=br-lan
/ip firewall filter
add action=accept chain=input comment="allow ssh" dst-port=22 protocol=tcp
add action=drop chain=forward comment="block telnet" dst-port=23 protocol=tcp
add action=fasttrack-connection chain=forward connection-state=established,related
/ip route
add dst-address=198.51.100.0/24 gateway=192.0.2.254
add dst-address=203.0.113.0/24 gateway=192.0.2.254 routing-table=other
/system scheduler
add interval=1d name=nightly on-event="/system script run backup" start-time=03:00:00
`;

/** The tower before its link to the core: everything of desired/tower-1.yaml, no WireGuard. */
export const TOWER_BEFORE_LINK = `# 2026-11-29 12:00:00 by RouterOS 7.16.1
/interface bridge
add comment="customer sector [reconciler]" name=bridge-sector
add comment="loopback (a bridge without ports) [reconciler]" name=loopback
/ip address
add address=198.51.100.25/29 interface=bridge-sector network=198.51.100.24
add address=192.0.2.198 interface=loopback network=192.0.2.198
/ip dns
set servers=192.0.2.53
/routing ospf instance
add comment="[reconciler]" disabled=no name=default-v2 router-id=192.0.2.198
/routing ospf area
add comment="[reconciler]" disabled=no instance=default-v2 name=default-v2-0.0.0.0
/routing bgp connection
add as=64500 comment="core-1 route reflector [reconciler]" local.address=192.0.2.198 .role=ibgp name=\\
    peer-192.0.2.196 remote.address=192.0.2.196 .as=64500 router-id=192.0.2.198
/routing ospf interface-template
add area=default-v2-0.0.0.0 comment="[reconciler]" disabled=no interfaces=bridge-sector passive
add area=default-v2-0.0.0.0 comment="[reconciler]" disabled=no interfaces=loopback passive
/system identity
set name=tower-1
`;

/** A factory-fresh RouterOS v7 (what `/export terse` prints of one never configured). */
export const FRESH = `# 2026-11-29 12:00:00 by RouterOS 7.16.1
# software id = ABCD-1234
#
/interface ethernet set [ find default-name=ether1 ] disable-running-check=no
/ip dhcp-client add interface=ether1
/system note set show-at-login=no
`;
