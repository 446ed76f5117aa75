// The words of Opengear's configuration store (Operations Manager / CM8100 firmware, ogcli) that
// the driver maps to the model, and which fields hold secrets. Sources: Opengear's REST API v2
// description (ports: `baudrate`, `databits`, `stopbits` are strings, `mode` one of disabled,
// consoleServer, localConsole, ids `ports-N`, labels `Port-N` by default; failover/settings:
// `enabled`, `probe_physif`, `probe_address`; users: `username`, `description`, `enabled`,
// `groups`), opengear.om's argspecs (services/snmpd: `security_name`, `auth_protocol`,
// `auth_password`, `priv_protocol`, `priv_password`, `security_level`, `enable_secure_snmp`,
// `rocommunity`), and public provisioning scripts (`system/admin_info` location and contact,
// `failover_physif`).

/** What a device can say about a secret it holds: that one is set (as the other drivers say it). */
export const SECRET_SET = "SECRET_SET";

/** The value the device-side redaction writes in place of a secret. */
export const REDACTED = "@redacted@";

/**
 * Field names (the last dotted segment, without an index) whose values are secrets: never read
 * back in clear. Matched case-insensitively as a suffix: auth_password, priv_password,
 * hashed_password, rocommunity, private_key, preshared_key, tacacsPassword, token...
 */
export const SECRET_FIELD =
  /(password|passphrase|passwd|secret|private_key|preshared_key|community|token|localized_key)$/i;

/** The same rule for the device's awk (POSIX ERE, lowercased input). */
export const SECRET_FIELD_ERE =
  "(password|passphrase|passwd|secret|private_key|preshared_key|community|token|localized_key)$";

export const isSecretField = (key: string) =>
  SECRET_FIELD.test(
    key
      .replace(/\[\d+\]/g, "")
      .split(".")
      .pop() ?? "",
  );

export const PORT_PATH = "port";
export const FAILOVER_PATH = "failover/settings";
export const SNMPD_PATH = "services/snmpd";
export const ADMIN_INFO_PATH = "system/admin_info";
export const USER_PATH = "user";
export const WIREGUARD_PATH = "wireguard";

/** A serial port's id from its number, and back (ports-1 ↔ 1). */
export const portId = (n: number) => `ports-${n}`;
export function portNumber(id: string): number | undefined {
  const m = /^ports-([1-9][0-9]{0,2})$/.exec(id);
  return m ? Number(m[1]) : undefined;
}
/** The label a port carries from the factory (Port-1...): a port git no longer describes gets it back. */
export const factoryLabel = (n: number) => `Port-${n}`;

/** Model port mode ↔ ogcli's camelCase mode. localConsole has no model word: such a port is not managed. */
export const MODE_TO_OG = { console_server: "consoleServer", disabled: "disabled" } as const;
export const MODE_FROM_OG: Readonly<Record<string, "console_server" | "disabled">> = {
  consoleServer: "console_server",
  disabled: "disabled",
};

/** What a port is when the model leaves a field out (the usual 9600 8N1 console). */
export const PORT_DEFAULTS = { data_bits: 8, parity: "none", stop_bits: 1, mode: "console_server" } as const;

/** What the descriptor's checks allow, as the API documents them. */
export const OG_BAUD_RATES = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400] as const;
export const OG_PARITIES = ["none", "even", "odd"] as const;

/** The environment variable a live secret stands for is unknown: "one is set". */
export const secretSet = (present: boolean) => (present ? SECRET_SET : undefined);
