// Where things are on an OPNsense box and in its config.xml.

export const CONFIG_XML = "/conf/config.xml";
/** Runtime state for later health checks; either may be missing on a box without the plugin. */
export const CMD_WG_DUMP = "cmd:wg show all dump";
export const CMD_FRR_RUNNING = "vtysh:running-config";

/** The model mounts the driver manages (OPNsense's MVC models under <OPNsense>). */
export const WG = ["OPNsense", "wireguard"] as const;
export const QUAGGA = ["OPNsense", "quagga"] as const;
export const ALIASES = ["OPNsense", "Firewall", "Alias", "aliases"] as const;
export const LOOPBACKS = ["OPNsense", "Interfaces", "loopbacks"] as const;

/**
 * The version attribute OPNsense writes on a model's root (its migrations run from it). Written
 * only when the reconciler creates the model's element; an existing one is never touched.
 */
export const MODEL_VERSIONS: Readonly<Record<string, string>> = {
  "wireguard/general": "0.0.1",
  "wireguard/server": "1.0.0",
  "wireguard/client": "1.0.0",
  "quagga/ospf": "1.0.4",
  "quagga/bgp": "1.0.5",
  "quagga/general": "1.0.1",
  "Interfaces/loopbacks": "1.0.0",
  "Firewall/Alias": "1.0.0",
};
