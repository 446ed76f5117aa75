// Saving config.xml the way the GUI does (opnsense/core mvc/app/library/OPNsense/Core/Config.php):
// lock() takes flock(LOCK_EX) on /conf/config.xml and reloads it, the edit is made, save() then
//  - rewrites <revision> (username as user@remote address, description "<request uri> made
//    changes", time sprintf('%0.2f', microtime(true))), appended last when the file had none;
//  - truncates and rewrites the file in place through the locked handle, mode 0640;
//  - copies the file just written to /conf/backup/config-<microtime>.xml (PHP's float-to-string,
//    14 significant digits: config-1764464411.1234.xml; a name already taken gets `_<ns>`), 0640,
//    in /conf/backup made 0750 when missing;
//  - unlocks, and deletes the oldest backups beyond system/backupcount (100 when unset).
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { flockExclusive } from "./flock.ts";
import { at, child, el, parseXml, serializeXml, text, type XmlElement } from "./xml.ts";

export interface SaveOptions {
  /** Session user and remote address, e.g. "root@198.51.100.129". */
  username?: string;
  /** The request that saved, e.g. "/firewall_rules_edit.php". */
  requestUri?: string;
  /** microtime(true); injectable for tests. */
  now?: () => number;
  flockBin?: string;
}

export interface SaveResult {
  backup: string;
  revisionTime: string;
  removedBackups: string[];
}

const microtime = () => (performance.timeOrigin + performance.now()) / 1000;

/** PHP's (string) of a float with precision=14: 1764464411.1234, trailing zeros dropped. */
export function phpFloat(t: number): string {
  return String(Number(t.toPrecision(14)));
}

export function setRevision(
  root: XmlElement,
  rev: { username: string; description: string; time: string },
): void {
  const fields = [el("username", rev.username), el("description", rev.description), el("time", rev.time)];
  const existing = child(root, "revision");
  if (existing) {
    existing.children = fields;
    existing.text = "";
  } else root.children.push(el("revision", fields));
}

/** Config::getBackups order: names by their timestamp, newest first (rsort of the paths). */
export function backupsNewestFirst(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^config-[0-9.]+(_\d+)?\.xml$/.test(f))
    .sort()
    .reverse();
}

/** backupCount(): system/backupcount when it is an integer >= 0, else 100. */
export function backupCount(root: XmlElement): number {
  const raw = text(at(root, "system"), "backupcount");
  const n = Number.parseInt(raw, 10);
  return raw !== "" && Number.isFinite(n) && n >= 0 ? n : 100;
}

/** Lock, reload, edit, save with a new revision and backup, prune: one GUI save. */
export async function guiSave(
  configPath: string,
  edit: (root: XmlElement) => void,
  opts: SaveOptions = {},
): Promise<SaveResult> {
  const now = opts.now ?? microtime;
  const held = await flockExclusive(configPath, opts.flockBin);
  let result: SaveResult;
  try {
    const root = parseXml(readFileSync(configPath, "utf8"));
    edit(root);
    const time = now();
    const revisionTime = now().toFixed(2);
    setRevision(root, {
      username: opts.username ?? "root@198.51.100.129",
      description: `${opts.requestUri ?? "/firewall_rules_edit.php"} made changes`,
      time: revisionTime,
    });
    const xml = serializeXml(root);
    // In place, like ftruncate + fwrite on the locked handle (the inode, hence the lock, stays).
    writeFileSync(configPath, xml);
    chmodSync(configPath, 0o640);
    const dir = join(dirname(configPath), "backup");
    if (!existsSync(dir)) {
      mkdirSync(dir);
      chmodSync(dir, 0o750);
    }
    let name = `config-${phpFloat(time)}.xml`;
    if (existsSync(join(dir, name))) name = `config-${phpFloat(time)}_${process.hrtime()[1]}.xml`;
    writeFileSync(join(dir, name), xml, { mode: 0o640 });
    result = { backup: join(dir, name), revisionTime, removedBackups: [] };
    // cleanupBackups() runs after the unlock in Config.php; here too, below.
    const keep = backupCount(root);
    const old = backupsNewestFirst(dir).slice(keep);
    result.removedBackups = old.map((f) => join(dir, f));
  } finally {
    await held.release();
  }
  for (const f of result.removedBackups) unlinkSync(f);
  return result;
}
