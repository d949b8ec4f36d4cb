/** Objects, not [unit, seconds] pairs: destructuring those costs the panel bundle a ~1 KB Babel helper. */
const UNITS: ReadonlyArray<{ unit: Intl.RelativeTimeFormatUnit; size: number }> = [
  { unit: "year", size: 365 * 24 * 3600 },
  { unit: "month", size: 30 * 24 * 3600 },
  { unit: "week", size: 7 * 24 * 3600 },
  { unit: "day", size: 24 * 3600 },
  { unit: "hour", size: 3600 },
  { unit: "minute", size: 60 },
  { unit: "second", size: 1 },
];

/** "3 min. ago" / "3분 전": the largest whole unit, in the user's language. */
export function relativeTime(when: Date, now: Date, locale: string): string {
  const seconds = Math.round((when.getTime() - now.getTime()) / 1000);
  const format = new Intl.RelativeTimeFormat(locale, { numeric: "auto", style: "short" });
  for (const { unit, size } of UNITS) {
    if (Math.abs(seconds) >= size || unit === "second") return format.format(Math.trunc(seconds / size), unit);
  }
  return format.format(0, "second");
}

/** An absolute date and time for tooltips and the timeline. */
export function dateTime(when: Date, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(when);
}
