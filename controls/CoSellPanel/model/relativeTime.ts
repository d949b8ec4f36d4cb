import { formatter } from "./formatters";

/** Largest first, each with its length in seconds. */
const UNITS: ReadonlyArray<readonly [Intl.RelativeTimeFormatUnit, number]> = [
  ["year", 365 * 24 * 3600], ["month", 30 * 24 * 3600], ["week", 7 * 24 * 3600], ["day", 24 * 3600], ["hour", 3600], ["minute", 60], ["second", 1],
];

/** "3 min. ago" / "3분 전": the largest whole unit, in the user's language. */
export function relativeTime(when: Date, now: Date, locale: string): string {
  const seconds = Math.round((when.getTime() - now.getTime()) / 1000);
  const format = formatter(`r${locale}`, () => new Intl.RelativeTimeFormat(locale, { numeric: "auto", style: "short" }));
  // The last unit (a second) is taken when none fits, for less than a second.
  const [unit, length] = UNITS.find(([, unitSeconds]) => Math.abs(seconds) >= unitSeconds) ?? UNITS[UNITS.length - 1];
  return format.format(Math.trunc(seconds / length), unit);
}

/** An absolute date and time for tooltips and the timeline. */
export function dateTime(when: Date, locale: string): string {
  return formatter(`t${locale}`, () => new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" })).format(when);
}
