// Nonce-framed sections: how one script run on the device returns several outputs in one round
// trip (read, stage's validators, health). Each output is printed between marker lines that carry
// a random nonce chosen per call, so no file content or command output can fake a marker:
//   @@reconciler:<nonce>:begin <name>@@
//   <the bytes>, then a newline
//   @@reconciler:<nonce>:end <name> rc=<exit status, or a word such as absent>@@
// Pure: shell function definitions to put at the top of a script, and the splitter of its output.
import { randomBytes } from "node:crypto";

export function assertNonce(nonce: string): string {
  if (!/^[0-9a-f]{16,64}$/.test(nonce)) throw new Error(`a nonce must be 16-64 hex digits, not ${nonce}`);
  return nonce;
}

export const newNonce = () => randomBytes(10).toString("hex");

/**
 * Shell functions: `begin NAME`, `end NAME RC`, `section NAME COMMAND...` (the command's stdout
 * and stderr between markers, with its status), `emit_file PATH FILTER` (a file through a filter,
 * or rc=absent) and `emit_cmd NAME FILTER COMMAND...` (a command's stdout through a filter, with
 * the command's own status: POSIX sh has no pipefail, so the status comes back on fd 3). The
 * script must not use fds 3 and 4 itself.
 */
export function sectionFunctions(nonce: string): string[] {
  return [
    `N=${assertNonce(nonce)}`,
    "exec 4>&1",
    `begin() { printf '@@reconciler:%s:begin %s@@\\n' "$N" "$1"; }`,
    `end() { printf '\\n@@reconciler:%s:end %s rc=%s@@\\n' "$N" "$1" "$2"; }`,
    `section() { _s=$1; shift; begin "$_s"; "$@" 2>&1; end "$_s" $?; }`,
    `emit_file() { begin "file:$1"; if [ -f "$1" ]; then "$2" < "$1"; end "file:$1" $?; else end "file:$1" absent; fi; }`,
    `emit_cmd() { _n=$1; _f=$2; shift 2; begin "$_n"; _rc=$( { { "$@"; echo $? >&3; } | "$_f" >&4; } 3>&1 ); end "$_n" "$_rc"; }`,
  ];
}

export interface Section {
  text: string;
  /** The exit status as printed: a number, or a word ("absent", "not-running"). */
  rc: string;
}

/**
 * The sections of a script's output by name. Text outside markers is ignored (a login banner, a
 * shell's noise); a section whose end marker never came is left out, so a cut output reads as
 * sections missing, never as a short one.
 */
export function splitSections(stdout: string, nonce: string): Map<string, Section> {
  const n = assertNonce(nonce);
  const begin = new RegExp(`^@@reconciler:${n}:begin (.+)@@$`);
  const end = new RegExp(`^@@reconciler:${n}:end (.+) rc=([A-Za-z0-9-]*)@@$`);
  const out = new Map<string, Section>();
  let current: { name: string; lines: string[] } | undefined;
  for (const line of stdout.split("\n")) {
    const e = end.exec(line);
    if (current && e && e[1] === current.name) {
      out.set(current.name, { text: current.lines.join("\n"), rc: e[2] ?? "" });
      current = undefined;
      continue;
    }
    if (current) {
      current.lines.push(line);
      continue;
    }
    const b = begin.exec(line);
    if (b?.[1]) current = { name: b[1], lines: [] };
  }
  return out;
}
