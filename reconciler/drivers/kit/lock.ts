// The device lock: a directory under the state directory (mkdir is the atomic test-and-set) with
// an owner file naming the run, the host and pid of its reconciler, and the time. Pure: the
// scripts, and lockHolder(), which reads what the lock script says of a run holding the lock.
import { shQuote as q } from "../../transport/quote.ts";
import { assertRunId, type DeviceLayout, lockDir, PATH_LINE, runsDir } from "./layout.ts";

const ownerFile = (l: DeviceLayout) => `${lockDir(l)}/owner`;

/** age=<seconds since the lock was taken>: GNU stat spells the mtime `-c %Y`, BSD stat `-f %m`. */
const lockAgeLine = (l: DeviceLayout) =>
  `printf 'age=%s\n' $(( $(date +%s) - $(stat -c %Y ${q(lockDir(l))} 2>/dev/null || stat -f %m ${q(lockDir(l))} 2>/dev/null || date +%s) ))`;

/** Prints @@locked when this run has the lock (now or already), else @@held and what holds it. */
export function lockScript(l: DeviceLayout, runId: string, holder: string, time: string): string {
  const owner = `run=${assertRunId(runId)}\nholder=${holder.replace(/[^\x20-\x7e]/g, "?")}\ntime=${time}\n`;
  return [
    PATH_LINE,
    "umask 077",
    `mkdir -p ${q(l.stateDir)} && chmod 700 ${q(l.stateDir)} || exit 2`,
    `if mkdir ${q(lockDir(l))} 2>/dev/null; then`,
    `  printf '%s' ${q(owner)} > ${q(ownerFile(l))} && echo @@locked && exit 0`,
    "  exit 2",
    "fi",
    `_r=$(sed -n 's/^run=//p' ${q(ownerFile(l))} 2>/dev/null)`,
    `if [ "$_r" = ${q(runId)} ]; then echo @@locked; exit 0; fi`,
    "echo @@held",
    `cat ${q(ownerFile(l))} 2>/dev/null || echo '(no owner file yet)'`,
    // What the holder's run is doing on this device, and how old the lock is: enough to tell a
    // run in progress from one that died (see lockHolder).
    ...runStateLines(l, "$_r"),
    lockAgeLine(l),
    "",
  ].join("\n");
}

/** Prints state=<what the run directory of run $1 says>: armed, reverting, confirmed, reverted, staged, absent. */
function runStateLines(l: DeviceLayout, runVar: string): string[] {
  return [
    `_d=${q(runsDir(l))}/${runVar}`,
    `case ${runVar} in "" | *[!A-Za-z0-9._-]*) _st=unknown ;; *)`,
    `  if [ ! -d "$_d" ]; then _st=absent; elif [ -e "$_d/armed" ]; then _st=armed`,
    `  elif [ -e "$_d/reverting" ]; then _st=reverting; elif [ -e "$_d/reverted" ]; then _st=reverted`,
    `  elif [ -e "$_d/confirmed" ]; then _st=confirmed; else _st=staged; fi ;;`,
    "esac",
    `printf 'state=%s\n' "$_st"`,
  ];
}

/**
 * `reconciler unlock DEVICE --run ID`: frees the lock of a run that died, only if that run holds
 * it and its revert timer is not pending (an armed run still restores the device by itself and
 * frees the lock then). The dead run's candidate (it may hold secrets) is removed too.
 */
export function breakLockScript(l: DeviceLayout, runId: string): string {
  const id = assertRunId(runId);
  return [
    PATH_LINE,
    `_r=$(sed -n 's/^run=//p' ${q(ownerFile(l))} 2>/dev/null)`,
    `[ -d ${q(lockDir(l))} ] || { echo @@not-locked; exit 0; }`,
    `if [ "$_r" != ${q(id)} ]; then echo @@other; cat ${q(ownerFile(l))} 2>/dev/null; exit 3; fi`,
    ...runStateLines(l, "$_r"),
    `case "$_st" in armed | reverting) echo @@armed; exit 4 ;; esac`,
    // A confirmed run's snapshot is the device's restore point (restore.ts): it stays.
    `rm -rf "$_d/candidate" "$_d/check" && { [ "$_st" = confirmed ] || rm -rf "$_d/snapshot"; } && rm -rf ${q(lockDir(l))} && echo @@unlocked`,
    "",
  ].join("\n");
}

/** Read-only: @@free, or @@held with the owner, the run's state on the device and the lock's age. */
export function lockStateScript(l: DeviceLayout): string {
  return [
    PATH_LINE,
    `[ -d ${q(lockDir(l))} ] || { echo @@free; exit 0; }`,
    "echo @@held",
    `_r=$(sed -n 's/^run=//p' ${q(ownerFile(l))} 2>/dev/null)`,
    `cat ${q(ownerFile(l))} 2>/dev/null || echo '(no owner file yet)'`,
    ...runStateLines(l, "$_r"),
    lockAgeLine(l),
    "",
  ].join("\n");
}

/** Frees the lock if this run holds it (@@unlocked); another run's is left alone (@@not-ours). */
export function unlockScript(l: DeviceLayout, runId: string): string {
  return [
    PATH_LINE,
    `if [ "$(sed -n 's/^run=//p' ${q(ownerFile(l))} 2>/dev/null)" = ${q(assertRunId(runId))} ]; then`,
    `  rm -rf ${q(lockDir(l))} && echo @@unlocked`,
    "else echo @@not-ours; fi",
    "",
  ].join("\n");
}

/** Lines that free the lock when run $runId (a literal) holds it: for the timer, whose run is over. */
export function releaseIfOursLines(l: DeviceLayout, runId: string): string[] {
  return [
    `if [ "$(sed -n 's/^run=//p' ${q(ownerFile(l))} 2>/dev/null)" = ${q(assertRunId(runId))} ]; then rm -rf ${q(lockDir(l))}; fi`,
  ];
}

/** What the lock script says of the run holding a device's lock, and whether that run looks dead. */
export function lockHolder(text: string, here: { host: string; alive: (pid: number) => boolean }) {
  const field = (k: string) => new RegExp(`^${k}=(.*)$`, "m").exec(text)?.[1]?.trim() ?? "";
  const run = field("run");
  const holder = field("holder");
  const state = field("state") || "unknown";
  const age = Number(field("age"));
  const m = /^(\S+) pid (\d+)$/.exec(holder);
  // A run directory that is absent is normal between lock and stage: not a sign of death.
  const deadProcess = m !== null && m[1] === here.host && !here.alive(Number(m[2]));
  const stale = deadProcess
    ? `its process (pid ${m?.[2]} on this host) is gone`
    : state === "confirmed" || state === "reverted"
      ? `its run already ended on the device (${state})`
      : undefined;
  const since = Number.isFinite(age) ? `, ${age} s ago` : "";
  const describe = `run ${run || "?"} (${holder || "unknown holder"}, since ${field("time") || "?"}${since}; on the device: ${state})`;
  return { run, state, stale, deadProcess, describe };
}
