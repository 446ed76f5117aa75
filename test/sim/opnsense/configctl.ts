// configctl: the client of configd (configd_ctl.py) and configd's dispatch in one process.
// configctl's options (-d -e -f -q -t -w, configctl(8)); the words name an action, the rest are its
// parameters; the reply is configd's: "OK" or "Error (N)" for a script, the output for a
// script_output, "OK"/"ERR" for a template, "Action not allowed or missing" for anything unknown,
// "Parameter mismatch" for too many parameters. configctl prints the reply and exits 0 whatever
// it says (only a missing configd socket makes it exit non-zero).
import { readFileSync } from "node:fs";
import { execTool } from "../routeros/linux-exec.ts";
import { fillParameters, findAction, listActions, NOT_FOUND } from "./actions.ts";
import { loadRules, saveLoaded } from "./pf.ts";
import {
  frrControl,
  frrStatus,
  loopbackControl,
  type Paths,
  renderFrrFiles,
  renderWireguardFiles,
  wireguardControl,
} from "./services.ts";
import { parseXml, type XmlElement } from "./xml.ts";

export interface CtlResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Template modules the simulator renders (templates/OPNsense/<Module>). */
const TEMPLATES: Record<string, (root: XmlElement, paths: Paths) => string[]> = {
  "OPNsense/Wireguard": renderWireguardFiles,
  "OPNsense/Quagga": renderFrrFiles,
};

export interface ParsedArgs {
  quiet: boolean;
  words: string[];
}

/** configd_ctl.py's argparse: flags first, then the command words. */
export function parseArgs(argv: readonly string[]): ParsedArgs | string {
  const words: string[] = [];
  let quiet = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (words.length === 0 && /^-[defq]+$/.test(a)) {
      if (a.includes("q")) quiet = true;
    } else if (words.length === 0 && (a === "-t" || a === "-w")) {
      i++;
      if (argv[i] === undefined) return `configctl: error: argument ${a}: expected one argument`;
    } else if (words.length === 0 && a.startsWith("-")) {
      return `configctl: error: unrecognized arguments: ${a}`;
    } else words.push(a);
  }
  // No command: configctl asks configd for its actions.
  return { quiet, words: words.length > 0 ? words : ["configd", "actions"] };
}

function loadConfig(paths: Paths): XmlElement {
  return parseXml(readFileSync(paths.config, "utf8"));
}

const status = (code: number) => (code === 0 ? "OK" : `Error (${code})`);

/** Runs one action and returns configd's reply (without the trailing newline). */
export function execute(words: readonly string[], paths: Paths): string {
  const found = findAction(words);
  if (!found) return NOT_FOUND;
  const filled = fillParameters(found.def, found.params);
  if (filled === "Parameter mismatch") return filled;
  const [p0 = ""] = filled;
  switch (found.name) {
    case "configd actions":
      return listActions();
    case "configd lookup":
      return findAction(p0.split(/\s+/).filter(Boolean)) ? "OK" : "ERR";
    case "template reload": {
      const render = TEMPLATES[p0];
      if (!render) return "ERR";
      try {
        // Template.generate(): no file generated is None, which inline.py replies as ERR.
        return render(loadConfig(paths), paths).length > 0 ? "OK" : "ERR";
      } catch {
        return "Execute error";
      }
    }
    case "template list":
      return Object.keys(TEMPLATES)
        .map((t) => `${t.replace("/", ".")} [1]`)
        .join("\n");
    case "wireguard configure":
    case "wireguard start":
    case "wireguard stop":
    case "wireguard restart": {
      const action = found.name.split(" ")[1] as "start" | "stop" | "restart" | "configure";
      return status(wireguardControl(loadConfig(paths), paths, action, action === "configure", p0));
    }
    case "wireguard showconf":
      return execTool("wg", ["show", "all"]).out;
    case "wireguard showhandshake":
      return execTool("wg", ["show", "all", "latest-handshakes"]).out;
    case "wireguard gen_psk":
      return execTool("wg", ["genpsk"]).out;
    case "quagga start":
    case "quagga stop":
    case "quagga restart":
    case "quagga reload": {
      const action = found.name.split(" ")[1] as "start" | "stop" | "restart" | "reload";
      const code = frrControl(loadConfig(paths), paths, action);
      // reload and restart end with carp_event_handler, whose status is the action's.
      return status(action === "reload" || action === "restart" ? 0 : code);
    }
    case "quagga status":
      return frrStatus();
    // Scripts whose failures are logged, not answered (rc.configure_interface, the loopback plugin).
    case "interface loopback.configure":
      loopbackControl(loadConfig(paths));
      return "OK";
    case "interface reconfigure":
      loopbackControl(loadConfig(paths), p0);
      return "OK";
    case "filter reload":
    case "filter sync":
      // pf cannot run here: what it would load is kept for pfctl to print (pf.ts).
      saveLoaded(paths.pfState, loadRules(loadConfig(paths)));
      return "OK";
    default:
      if (found.name.startsWith("quagga diagnostics.")) {
        const cmd = found.def.parameters.replace(/^'([^']*)'(%s)?$/, (_m, c: string) => c) + p0;
        return execTool("vtysh", ["-c", cmd.trim()]).out;
      }
      return "OK";
  }
}

export function configctl(argv: readonly string[], paths: Paths): CtlResult {
  const parsed = parseArgs(argv);
  if (typeof parsed === "string") return { stdout: "", stderr: `${parsed}\n`, code: 2 };
  // configctl joins the words with shlex.quote and configd splits them again: a word with a
  // space stays one word, which no action is named after.
  const reply = execute(parsed.words, paths);
  return { stdout: parsed.quiet ? "" : `${reply.replace(/\s+$/, "")}\n`, stderr: "", code: 0 };
}
