// The GUI writer as a command, for tests and for use inside the router's namespace:
//   gui-save-main.ts [--config /conf/config.xml] [--user root@198.51.100.129] [--uri /x.php]
//                    [--set PATH=VALUE]... [--rule-descr N=TEXT]... [--add-alias NAME=A,B]...
//                    [--replace FILE]
// Edits apply in the order given, in one save. Prints the backup's path.
import { readFileSync } from "node:fs";
import { addAlias, replaceWith, setPath, setRuleDescription } from "./edits.ts";
import { guiSave } from "./gui-save.ts";
import type { XmlElement } from "./xml.ts";

function splitKv(v: string, flag: string): [string, string] {
  const i = v.indexOf("=");
  if (i <= 0) throw new Error(`${flag} wants KEY=VALUE, got ${JSON.stringify(v)}`);
  return [v.slice(0, i), v.slice(i + 1)];
}

async function main(argv: string[]): Promise<void> {
  let config = "/conf/config.xml";
  let username: string | undefined;
  let requestUri: string | undefined;
  const edits: ((root: XmlElement) => void)[] = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    const v = argv[++i];
    if (v === undefined) throw new Error(`${flag} needs a value`);
    if (flag === "--config") config = v;
    else if (flag === "--user") username = v;
    else if (flag === "--uri") requestUri = v;
    else if (flag === "--set") {
      const [p, val] = splitKv(v, flag);
      edits.push((r) => setPath(r, p, val));
    } else if (flag === "--rule-descr") {
      const [n, d] = splitKv(v, flag);
      edits.push((r) => setRuleDescription(r, Number(n), d));
    } else if (flag === "--add-alias") {
      const [name, content] = splitKv(v, flag);
      edits.push((r) => {
        addAlias(r, name, "host", content.split(","));
      });
    } else if (flag === "--replace") {
      const xml = readFileSync(v, "utf8");
      edits.push((r) => replaceWith(r, xml));
    } else throw new Error(`unknown option ${flag}`);
  }
  const res = await guiSave(
    config,
    (root) => {
      for (const e of edits) e(root);
    },
    { ...(username ? { username } : {}), ...(requestUri ? { requestUri } : {}) },
  );
  process.stdout.write(`${res.backup}\n`);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`gui-save: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
