// configd's action table for the services the simulator covers, with the names, types and
// parameter templates of the real actions files (opnsense/core
// src/opnsense/service/conf/actions.d/actions_{configd,template,wireguard,filter,interface}.conf and the FRR
// plugin's actions_quagga.conf), and configd's lookup: processhandler.py find_action walks the
// words through the topic and the dotted section names; leftover words are the parameters.

export type ActionType = "script" | "script_output" | "inline";

export interface ActionDef {
  type: ActionType;
  /** The `parameters:` template of the real action ("" when none). */
  parameters: string;
  description?: string;
  message: string;
}

const script = (parameters: string, message: string, description?: string): ActionDef => ({
  type: "script",
  parameters,
  message,
  ...(description ? { description } : {}),
});
const output = (parameters: string, message: string, description?: string): ActionDef => ({
  type: "script_output",
  parameters,
  message,
  ...(description ? { description } : {}),
});
const inline = (parameters: string, message: string): ActionDef => ({ type: "inline", parameters, message });

const vtysh = (what: string) => output(`'${what} '%s`, `FRR diagnostics "${what} %s"`);

/** topic → section (dotted, as in the .conf files) → action. */
export const ACTIONS: Record<string, Record<string, ActionDef>> = {
  configd: {
    actions: inline("%s", "get registered configd actions"),
    environment: output("", "get configd environment"),
    lookup: inline("%s", "check action registered [%s]"),
  },
  template: {
    reload: inline("%s", "generate template %s"),
    cleanup: inline("%s", "cleanup template %s"),
    list: inline("", "list templates"),
  },
  wireguard: {
    start: script("start %s", "start wireguard instance %s"),
    stop: script("stop %s", "stop wireguard instance %s"),
    restart: script("restart %s", "restart wireguard instance %s", "Restart WireGuard"),
    configure: script("-a configure %s", "configure wireguard instances (%s)"),
    renew: script("", "Renew DNS for WireGuard", "Renew DNS for WireGuard on stale connections"),
    gen_keypair: output("", "Generating WireGuard keypair"),
    gen_psk: output("", "Generating WireGuard keypair"),
    show: output("", "show WireGuard statistics [dump]"),
    showconf: output("", "Show WireGuard config"),
    showhandshake: output("", "Show WireGuard handshakes"),
  },
  quagga: {
    start: script("", "starting frr"),
    stop: script("", "stopping frr"),
    restart: script("", "restarting frr", "Restart FRR"),
    reload: script("", "reloading frr", "Reload FRR"),
    status: output("", "request frr"),
    "diagnostics.general_running-config": output(
      "'show running-config'",
      'FRR diagnosticts "show running-config"',
    ),
    "diagnostics.general_route4": vtysh("show ip route"),
    "diagnostics.general_route6": vtysh("show ipv6 route"),
    "diagnostics.bgp_summary": vtysh("show bgp summary"),
    "diagnostics.bgp_neighbors": vtysh("show bgp neighbors"),
    "diagnostics.ospf_overview": vtysh("show ip ospf"),
    "diagnostics.ospf_neighbor": vtysh("show ip ospf neighbor"),
    "diagnostics.ospf_route": vtysh("show ip ospf route"),
    "diagnostics.ospf_interface": vtysh("show ip ospf interface"),
    "diagnostics.ospf_database": vtysh("show ip ospf database"),
  },
  // actions_interface.conf ([reconfigure], [routes.configure]) and the loopback model's apply:
  // Interfaces/Api/LoopbackSettingsController.php reconfigureAction runs "interface loopback configure".
  interface: {
    reconfigure: script("%s", "Configuring interface %s", "Periodic interface reset"),
    "loopback.configure": script("", "Configuring loopback interfaces"),
    "routes.configure": script("", "Reconfiguring routing"),
  },
  filter: {
    reload: script("%s", "Reloading filter"),
    sync: script("", "Syncing firewall"),
    refresh_aliases: output("", "refresh aliases", "Update and reload firewall aliases"),
    "list.legacy_rules": output("", "list legacy rules"),
  },
};

/** configd's reply to a command it has no action for, or that the caller may not run. */
export const NOT_FOUND = "Action not allowed or missing";

export interface FoundAction {
  /** "topic section", e.g. "quagga diagnostics.ospf_neighbor". */
  name: string;
  def: ActionDef;
  params: string[];
}

/** find_action: the longest walk of `words` through the tree of topics and dotted sections. */
export function findAction(words: readonly string[]): FoundAction | undefined {
  const [topic, ...rest] = words;
  const sections = topic === undefined ? undefined : ACTIONS[topic];
  if (!sections) return undefined;
  // The dotted section "a.b" is reached by the words "a", "b".
  for (let n = rest.length; n >= 1; n--) {
    const section = rest.slice(0, n).join(".");
    const def = sections[section];
    if (def) return { name: `${topic} ${section}`, def, params: rest.slice(n) };
  }
  return undefined;
}

/**
 * base.py _cmd_builder: the parameters filled into the template; fewer than its `%s` are padded
 * with "", more are refused with "Parameter mismatch" (what configd then replies).
 */
export function fillParameters(def: ActionDef, params: readonly string[]): string[] | "Parameter mismatch" {
  const slots = def.parameters.split("%s").length - 1;
  // No %s: the parameters are not used, and extra ones are not refused either.
  if (slots === 0) return [];
  if (params.length > slots) return "Parameter mismatch";
  return [...params, ...Array<string>(slots - params.length).fill("")];
}

/** `configctl configd actions`: "name [ description ]" per action (inline.py configd.actions). */
export function listActions(): string {
  const out: string[] = [];
  for (const [topic, sections] of Object.entries(ACTIONS)) {
    for (const [section, def] of Object.entries(sections)) {
      out.push(`${topic} ${section.split(".").join(" ")} [ ${def.description ?? ""} ]`);
    }
  }
  return out.join("\n");
}
