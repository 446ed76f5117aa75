// desired/links.yaml: a link between two devices is written once and expands into both ends'
// tunnel, peer and OSPF interface (reconciler/intent/links.ts).
import { type Static, Type } from "@sinclair/typebox";
import { Mtu, OspfInterfaceParams } from "./device.ts";
import {
  AreaId,
  DeviceName,
  Hostname,
  Identifier,
  InterfaceAddress,
  InterfaceName,
  IpPrefix,
  List,
  Obj,
  Port,
  Seconds,
} from "./primitives.ts";

/** OSPF on a link: area and timers must agree on both ends; cost may differ per end. */
export const LinkOspf = Obj({ area: Type.Optional(AreaId), ...OspfInterfaceParams }, "OSPF on the link");

export const LinkEnd = Obj(
  {
    device: DeviceName,
    interface: InterfaceName,
    listen_port: Type.Optional(Port),
    /** The underlay address the other end dials; only meaningful with listen_port. */
    endpoint: Type.Optional(Hostname),
    link_local: Type.Optional(InterfaceAddress),
    mtu: Type.Optional(Mtu),
    ospf: Type.Optional(LinkOspf),
  },
  "one end of a link",
);

export const Link = Obj(
  {
    name: Identifier,
    transport: Type.Literal("wireguard", { description: "the link transport: wireguard" }),
    transfer_nets: Type.Optional(List(IpPrefix, 2)),
    mtu: Type.Optional(Mtu),
    persistent_keepalive: Type.Optional(Seconds(65535, "a keepalive interval")),
    allowed_ips: Type.Optional(List(IpPrefix, 1024)),
    ospf: Type.Optional(LinkOspf),
    ends: Type.Array(LinkEnd, { minItems: 2, maxItems: 2, description: "exactly two ends" }),
  },
  "a link",
);

export const LinksFile = Obj({ links: List(Link, 10000) }, "the links file");

export type Link = Static<typeof Link>;
export type LinkEnd = Static<typeof LinkEnd>;
export type LinkOspf = Static<typeof LinkOspf>;
export type LinksFile = Static<typeof LinksFile>;
