// The building blocks of every schema. Each string type carries a maxLength and either a
// pattern, a format or an enum, because every value may end up in a command sent to a device;
// `description` is the human phrase "what was expected" that diagnostics print.
import { type TSchema, type TString, Type } from "@sinclair/typebox";

const str = (description: string, pattern: string, maxLength: number) =>
  Type.String({ description, pattern, maxLength, minLength: 1 });

/** Device names double as file names (desired/<name>.yaml) and DNS labels. */
export const DeviceName = str(
  "a device name: lowercase letters, digits and '-', starting with a letter or digit, at most 63 characters",
  "^[a-z0-9][a-z0-9-]{0,62}$",
  63,
);

/** Generic interface name; platform-specific rules (Linux: 15 characters) are semantic checks. */
export const InterfaceName = str(
  "an interface name: letters, digits and '_', '-', '.', '=', '+', at most 64 characters",
  "^[A-Za-z0-9][A-Za-z0-9_.=+-]{0,63}$",
  64,
);

/** Names of managed objects (users, aliases, protocol names). */
export const Identifier = str(
  "an identifier: letters, digits, '_' and '-', starting with a letter, at most 32 characters",
  "^[A-Za-z][A-Za-z0-9_-]{0,31}$",
  32,
);

/** Free text that lands in a device's configuration (descriptions, comments, labels). */
export const Description = Type.String({
  description: "free text of at most 200 printable characters, without quotes, backslashes, '$' or '`'",
  pattern: '^[^\\u0000-\\u001f\\u007f"\\\\$`]*$',
  maxLength: 200,
});

export const EnvVarName = str(
  "the name of an environment variable: uppercase letters, digits and '_'",
  "^[A-Z_][A-Z0-9_]{0,63}$",
  64,
);

export const Hostname = str(
  "a host name or IP address",
  "^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$|^[0-9a-fA-F:.]{2,45}$",
  253,
);

export const IpAddress = Type.String({
  description: "an IPv4 or IPv6 address such as 192.0.2.1 or 2001:db8::1",
  format: "ip-address",
  maxLength: 45,
});

export const Ipv4Address = Type.String({
  description: "an IPv4 address such as 192.0.2.1",
  format: "ipv4-address",
  maxLength: 15,
});

/** A network prefix: host bits must be zero (routes, stub networks, transfer nets). */
export const IpPrefix = Type.String({
  description: "an IPv4 or IPv6 network such as 192.0.2.0/24 or 2001:db8::/64 (no host bits set)",
  format: "ip-prefix",
  maxLength: 49,
});

/** An address on an interface: an address with its prefix length. */
export const InterfaceAddress = Type.String({
  description: "an interface address with its prefix length, such as 192.0.2.1/24 or 2001:db8::1/64",
  format: "interface-address",
  maxLength: 49,
});

/** A WireGuard public key: 32 bytes in base64. The last character is restricted so the key is canonical. */
export const WireguardPublicKey = str(
  "a WireGuard public key: 32 bytes in base64, 44 characters ending in '='",
  "^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$",
  44,
);

export const SshPublicKey = str(
  "an SSH public key line: 'ssh-ed25519 AAAA...' or 'ssh-rsa AAAA...' and an optional comment",
  "^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521) [A-Za-z0-9+/]+={0,2}( [A-Za-z0-9@._-]{1,64})?$",
  2048,
);

export const Port = Type.Integer({ description: "a TCP/UDP port, 1..65535", minimum: 1, maximum: 65535 });

/** OSPF area ids are written dotted (0.0.0.0) like an IPv4 address. */
export const AreaId = Type.String({
  description: "an OSPF area id in dotted form such as 0.0.0.0",
  format: "ipv4-address",
  maxLength: 15,
});

export const Seconds = (max: number, description: string) =>
  Type.Integer({ description: `${description}, 1..${max} seconds`, minimum: 1, maximum: max });

/**
 * A map whose keys follow a pattern. The key's description is kept under `x-key` so that an
 * invalid key can be reported as "expected <what a key looks like>".
 */
export const Dict = <K extends TString, V extends TSchema>(key: K, value: V) =>
  Type.Record(key, value, { "x-key": key.description ?? "a valid key", additionalProperties: false });

export const Labels = Dict(
  str("a label key: lowercase letters, digits, '_' and '-'", "^[a-z][a-z0-9_-]{0,31}$", 32),
  str(
    "a label value: letters, digits, '_', '.', '-', at most 63 characters",
    "^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$",
    63,
  ),
);

/** Free-form variables for hooks and templates: scalars only, so nothing can smuggle structure. */
export const Variables = Dict(
  str("a variable name: letters, digits and '_'", "^[A-Za-z_][A-Za-z0-9_]{0,63}$", 64),
  Type.Union(
    [Type.String({ maxLength: 1024, pattern: "^[^\\u0000\\n\\r]*$" }), Type.Number(), Type.Boolean()],
    {
      description: "a string of one line (at most 1024 characters), a number or a boolean",
    },
  ),
);

/** Strict objects: an unknown key is a typo until proven otherwise. */
export const Obj = <T extends Parameters<typeof Type.Object>[0]>(properties: T, description?: string) =>
  Type.Object(properties, { additionalProperties: false, ...(description ? { description } : {}) });

export const List = <T extends TSchema>(item: T, maxItems = 1024) => Type.Array(item, { maxItems });
