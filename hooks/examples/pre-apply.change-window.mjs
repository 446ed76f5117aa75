#!/usr/bin/env node
// Example pre-apply hook (issue 10 §5), written with zx: refuses an apply outside the change
// window. Not active: copy (or symlink) it to hooks/pre-apply.d/ to enable it (hooks/README.md).
//
//   RECONCILER_HOOK_CHANGE_WINDOW   the windows, ";"-separated: DAYS START-END [ZONE]
//                                   e.g. "Tue,Thu 22:00-04:00 Europe/Berlin" or
//                                   "Mon-Fri 22:00-05:00 Europe/Berlin; Sat,Sun 00:00-24:00 UTC"
//                                   DAYS: Mon..Sun, comma-separated, ranges (Mon-Fri), or "daily".
//                                   A window whose END is not after START ends the next day;
//                                   it belongs to the day it opens. ZONE: IANA, default UTC.
//   RECONCILER_HOOK_CHANGE_WINDOW_OVERRIDE   a reason: apply anyway (an emergency), and say so.
//   RECONCILER_HOOK_NOW             for testing this hook only: the time to judge (ISO 8601).
//
// Without a window configured the hook refuses (it fails closed). A plan with nothing to change
// passes at any time. Exit 0: inside a window; exit 1: outside, with when the next one opens.
import { echo, stdin } from "zx";

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** Parses "Tue,Thu 22:00-04:00 Europe/Berlin" into { days: Set<0..6>, start, end (minutes), zone }. */
function parseWindows(spec) {
  return spec
    .split(";")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((text) => {
      const m = /^(\S+)\s+(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})(?:\s+(\S+))?$/.exec(text);
      if (!m) throw new Error(`change window "${text}": expected DAYS HH:MM-HH:MM [ZONE]`);
      const [, dayText, sh, sm, eh, em, zone = "UTC"] = m;
      const days = new Set();
      for (const part of dayText.split(",")) {
        if (/^(daily|\*)$/i.test(part)) for (let d = 0; d < 7; d++) days.add(d);
        else {
          const [a, b = a] = part
            .split("-")
            .map((p) => DAYS.findIndex((d) => d.toLowerCase() === p.slice(0, 3).toLowerCase()));
          if (a < 0 || b < 0) throw new Error(`change window "${text}": unknown day in "${part}" (Mon..Sun)`);
          for (let d = a; ; d = (d + 1) % 7) {
            days.add(d);
            if (d === b) break;
          }
        }
      }
      const start = Number(sh) * 60 + Number(sm);
      const end = Number(eh) * 60 + Number(em);
      if (start >= 24 * 60 || end > 24 * 60 || Number(sm) > 59 || Number(em) > 59)
        throw new Error(`change window "${text}": times are 00:00..24:00`);
      try {
        new Intl.DateTimeFormat("en", { timeZone: zone });
      } catch {
        throw new Error(`change window "${text}": unknown time zone ${zone}`);
      }
      const length = end > start ? end - start : end + 24 * 60 - start;
      return { text, days, start, length, zone };
    });
}

/** The wall-clock time in `zone` as minutes since 1970-01-01 00:00 of that clock. */
function wallMinutes(date, zone) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
    })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  return Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute) / 60000;
}

function formatWall(minutes, zone) {
  const d = new Date(minutes * 60000);
  const iso = d.toISOString();
  return `${DAYS[d.getUTCDay()]} ${iso.slice(0, 10)} ${iso.slice(11, 16)} ${zone}`;
}

/**
 * Whether `now` is inside one of the windows; if not, when the next opens (in its zone's wall
 * clock, and how long from now).
 */
function judge(windows, now) {
  let next;
  for (const w of windows) {
    const wallNow = wallMinutes(now, w.zone);
    const today = Math.floor(wallNow / 1440) * 1440;
    // Yesterday's window may still be open (it crosses midnight); then the coming eight days.
    for (let k = -1; k <= 8; k++) {
      const day = today + k * 1440;
      const weekday = new Date(day * 60000).getUTCDay();
      if (!w.days.has(weekday)) continue;
      const opens = day + w.start;
      const closes = opens + w.length;
      if (opens <= wallNow && wallNow < closes)
        return { open: true, window: w, closes: formatWall(closes, w.zone) };
      if (opens > wallNow && (!next || opens - wallNow < next.inMinutes)) {
        next = { window: w, opens: formatWall(opens, w.zone), inMinutes: opens - wallNow };
      }
    }
  }
  return { open: false, next };
}

function duration(minutes) {
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  return [d && `${d}d`, h && `${h}h`, `${m}m`].filter(Boolean).join(" ");
}

async function main() {
  const spec = process.env.RECONCILER_HOOK_CHANGE_WINDOW ?? "";
  const override = process.env.RECONCILER_HOOK_CHANGE_WINDOW_OVERRIDE ?? "";
  const now = process.env.RECONCILER_HOOK_NOW ? new Date(process.env.RECONCILER_HOOK_NOW) : new Date();
  if (Number.isNaN(now.getTime()))
    throw new Error(`RECONCILER_HOOK_NOW is not a time: ${process.env.RECONCILER_HOOK_NOW}`);

  let doc = {};
  const input = await stdin();
  if (input.trim()) doc = JSON.parse(input);
  const changing = (doc.plan?.devices ?? []).filter((d) => d.changes > 0).map((d) => d.device);
  if (doc.plan && changing.length === 0) {
    echo("change window: nothing to change, no window needed");
    return 0;
  }

  if (!spec.trim()) {
    echo("change window: RECONCILER_HOOK_CHANGE_WINDOW is not set; refusing (set it, or remove this hook)");
    return 1;
  }
  const verdict = judge(parseWindows(spec), now);
  if (verdict.open) {
    echo(`change window open: "${verdict.window.text}" until ${verdict.closes}`);
    return 0;
  }
  const when = verdict.next
    ? `the next window opens ${verdict.next.opens} (in ${duration(verdict.next.inMinutes)}): "${verdict.next.window.text}"`
    : "no window opens in the coming week";
  if (override.trim()) {
    echo(`change window closed, OVERRIDDEN (${override.trim()}); ${when}`);
    return 0;
  }
  echo(`outside the change window at ${now.toISOString()}: ${when}`);
  return 1;
}

try {
  process.exitCode = await main();
} catch (err) {
  echo(`change window: ${err.message}`);
  process.exitCode = 2;
}
