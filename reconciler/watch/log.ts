// One line per event of the watch loop: `time event key=value ...` for people, or one JSON object
// per line (--log-format json) for log collectors. Values are device or git text: escaped.
import { safeLine } from "../report/terminal-safe.ts";

export type LogFormat = "text" | "json";
export type WatchEvent = { event: string } & Record<string, string | number | boolean | string[] | undefined>;

export function formatEvent(e: WatchEvent, format: LogFormat, now: Date): string {
  const time = now.toISOString();
  if (format === "json") return `${JSON.stringify({ time, ...e })}\n`;
  const fields = Object.entries(e)
    .filter(([k, v]) => k !== "event" && v !== undefined)
    .map(([k, v]) => {
      const text = Array.isArray(v) ? v.join(",") : String(v);
      const safe = safeLine(text);
      return `${k}=${/[\s"=]/.test(safe) || safe === "" ? JSON.stringify(safe) : safe}`;
    });
  return `${time} ${safeLine(e.event)}${fields.length > 0 ? ` ${fields.join(" ")}` : ""}\n`;
}
