// What the RouterOS driver's read, normalize and plan share: the menus it manages, its ownership
// mark, the secrets it never keeps, the defaults RouterOS fills in, and RouterOS's time values.

/** Menus the driver maps into the model (items it cannot map there are still unmanaged). */
export const MENU = {
  bridge: "/interface bridge",
  ethernet: "/interface ethernet",
  vlan: "/interface vlan",
  wireguard: "/interface wireguard",
  peers: "/interface wireguard peers",
  ip4Address: "/ip address",
  ip6Address: "/ipv6 address",
  routingId: "/routing id",
  ospfInstance: "/routing ospf instance",
  ospfArea: "/routing ospf area",
  ospfTemplate: "/routing ospf interface-template",
  bgpTemplate: "/routing bgp template",
  bgpConnection: "/routing bgp connection",
  ip4Route: "/ip route",
  ip6Route: "/ipv6 route",
  ip4Filter: "/ip firewall filter",
  ip6Filter: "/ipv6 firewall filter",
  ip4Settings: "/ip settings",
  ip6Settings: "/ipv6 settings",
} as const;

/**
 * The mark the reconciler leaves in the comment of every item it adds: "<description> [reconciler]",
 * or "[reconciler]" alone. An item carrying it is the reconciler's own (owned), and may be removed
 * when git no longer names it; the description the model sees is the comment without the mark.
 */
export const MARK = "[reconciler]";

export function markedComment(description: string | undefined): string {
  return description ? `${description} ${MARK}` : MARK;
}

export function readComment(comment: string | undefined): { description?: string; marked: boolean } {
  if (comment === undefined || comment === "") return { marked: false };
  if (comment === MARK) return { marked: true };
  if (comment.endsWith(` ${MARK}`)) return { description: comment.slice(0, -MARK.length - 1), marked: true };
  return { description: comment, marked: false };
}

/** What a device can say about a secret it holds: that one is set (as Debian's SECRET_SET). */
export const SECRET_SET = "SECRET_SET";

/** Properties whose values are secrets: read to compare, never stored, printed or planned in clear. */
const SECRET_PROPERTIES = new Set([
  "private-key",
  "preshared-key",
  "auth-key",
  "authentication-key",
  "tcp-md5-key",
  "password",
  "secret",
  "passphrase",
  "wpa-pre-shared-key",
  "wpa2-pre-shared-key",
  "community",
  "authentication-password",
  "encryption-password",
  "key",
]);

export function isSecretProperty(key: string): boolean {
  const last = key.split(".").pop() ?? key;
  return SECRET_PROPERTIES.has(last) || /(^|-)(password|secret|passphrase|private-key|psk)$/.test(last);
}

/** What stands for a secret in the redacted canonical export. */
export const REDACTED = "<redacted>";

/** The secret placeholder the apply step substitutes (the Debian driver's syntax). */
export const secretPlaceholder = (env: string): string => {
  if (!/^[A-Z_][A-Z0-9_]{0,127}$/.test(env))
    throw new Error(`not an environment variable name: ${JSON.stringify(env)}`);
  return `@secret:${env}@`;
};

/** The values RouterOS v7 uses when a property is not set (help.mikrotik.com, each menu's page). */
export const ROUTEROS_DEFAULTS = {
  wireguardListenPort: 13231,
  wireguardMtu: 1420,
  ospfVersion: 2,
  ospfAreaId: "0.0.0.0",
  ospfType: "broadcast",
  ospfCost: 1,
  ospfHello: 10,
  ospfDead: 40,
  ospfRetransmit: 5,
  staticDistance: 1,
} as const;

/**
 * A RouterOS time value in seconds: "25", "25s", "1m30s", "2h", "1d", "1w2d", "00:00:25",
 * "1d 00:00:10"; undefined when it is none of these (or "none"/"disabled").
 */
const UNIT_SECONDS: Record<string, number> = { w: 604800, d: 86400, h: 3600, m: 60, s: 1 };

export function parseDuration(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (/^\d{1,9}$/.test(t)) return Number(t);
  const clock = /^(?:(\d{1,5})d\s*)?(\d{1,3}):(\d{2}):(\d{2})(?:\.\d+)?$/.exec(t);
  if (clock)
    return Number(clock[1] ?? 0) * 86400 + Number(clock[2]) * 3600 + Number(clock[3]) * 60 + Number(clock[4]);
  if (!/^(\d{1,9}(w|d|h|ms|m|s))+$/.test(t)) return undefined;
  let total = 0;
  for (const m of t.matchAll(/(\d{1,9})(w|d|h|ms|m|s)/g)) {
    const n = Number(m[1]);
    const unit = m[2];
    if (unit === "ms") total += n / 1000;
    else total += n * (UNIT_SECONDS[unit as string] ?? 0);
  }
  return total;
}

/** Seconds as RouterOS prints them in an export: 10s, 1m, 1m30s. */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return "0s";
  let rest = Math.round(seconds);
  let out = "";
  for (const [unit, size] of [
    ["w", 604800],
    ["d", 86400],
    ["h", 3600],
    ["m", 60],
    ["s", 1],
  ] as const) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return out;
}

export const yes = (v: string | undefined): boolean => v === "yes" || v === "true";
