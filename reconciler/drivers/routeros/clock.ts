// The device's clock and its way of writing dates (ISO from 7.10, `mon/dd/yyyy` before): the
// scheduler's start and the WireGuard handshake ages are counted on it.
import { CommandError } from "../../model/errors.ts";
import type { CliSession } from "../../transport/session.ts";
import type { ApplyContext } from "../apply-contract.ts";
import { details, send } from "./console.ts";

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/**
 * The device's clock, and how it spells dates (ISO from 7.10, `mon/dd/yyyy` before): the
 * scheduler's start-date is written the same way.
 */
export interface DeviceTime {
  at: Date;
  /** The date of `t` (same clock) as this device writes it. */
  date(t: Date): string;
}

export async function deviceTime(session: CliSession): Promise<DeviceTime | undefined> {
  const r = await send(
    session,
    `:put ("@@clock " . [/system clock get date] . " " . [/system clock get time])`,
    "clock",
  );
  if (!r.ok) return undefined;
  const iso = /@@clock (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)/.exec(r.out);
  if (iso) return { at: new Date(`${iso[1]}T${iso[2]}Z`), date: (t) => t.toISOString().slice(0, 10) };
  const old = /@@clock ([a-z]{3})\/(\d\d)\/(\d{4}) (\d\d:\d\d:\d\d)/.exec(r.out);
  const month = old ? MONTHS.indexOf(old[1] as string) : -1;
  if (!old || month < 0) return undefined;
  return {
    at: new Date(`${old[3]}-${String(month + 1).padStart(2, "0")}-${old[2]}T${old[4]}Z`),
    date: (t) =>
      `${MONTHS[t.getUTCMonth()]}/${String(t.getUTCDate()).padStart(2, "0")}/${t.getUTCFullYear()}`,
  };
}

export async function deviceClock(session: CliSession): Promise<Date | undefined> {
  return (await deviceTime(session))?.at;
}

/** `start-date=… start-time=…` timeoutS from the device's now. */
export async function startAt(
  session: CliSession,
  ctx: ApplyContext,
  step: string,
  timeoutS: number,
): Promise<string> {
  const t = await deviceTime(session);
  if (!t) throw new CommandError(`${step}: the device's clock could not be read`, details(ctx, step), 1);
  const at = new Date(t.at.getTime() + Math.max(1, Math.ceil(timeoutS)) * 1000);
  return `start-date=${t.date(at)} start-time=${at.toISOString().slice(11, 19)}`;
}
