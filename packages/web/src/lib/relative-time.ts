/**
 * Short English phrases for "how long ago", as the key and worker lists show them.
 * Written by hand rather than with Intl.RelativeTimeFormat so the wording is the same in every
 * browser locale and can be asserted in tests.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const MONTH = 30 * DAY;
const YEAR = 365 * DAY;

const UNITS: ReadonlyArray<{ name: string; size: number; below: number }> = [
  { name: "second", size: SECOND, below: MINUTE },
  { name: "minute", size: MINUTE, below: HOUR },
  { name: "hour", size: HOUR, below: DAY },
  { name: "day", size: DAY, below: MONTH },
  { name: "month", size: MONTH, below: YEAR },
  { name: "year", size: YEAR, below: Number.POSITIVE_INFINITY },
];

/** Below this age a time is "just now": second-level precision would only flicker. */
const JUST_NOW = 10 * SECOND;

export function formatRelativeTime(then: Date, now: Date): string {
  const elapsed = now.getTime() - then.getTime();
  // A timestamp slightly ahead of the browser clock is clock skew, not the future.
  if (Math.abs(elapsed) < JUST_NOW || (elapsed < 0 && -elapsed < MINUTE)) return "just now";
  const magnitude = Math.abs(elapsed);
  // The past is floored ("1 minute ago" until a full 2); the future is rounded, so a link or key
  // made to last 7 days reads "in 7 days" when made, not "in 6 days" a second later (and an hour
  // is "in 1 hour", not "in 60 minutes").
  const countIn = (size: number) =>
    Math.max(1, elapsed >= 0 ? Math.floor(magnitude / size) : Math.round(magnitude / size));
  const unit =
    UNITS.find((candidate) => countIn(candidate.size) * candidate.size < candidate.below) ??
    UNITS[UNITS.length - 1];
  if (unit === undefined) return "just now";
  const count = countIn(unit.size);
  const phrase = `${count} ${unit.name}${count === 1 ? "" : "s"}`;
  return elapsed >= 0 ? `${phrase} ago` : `in ${phrase}`;
}

/** The exact time for a hover title: local time with its zone, unambiguous across teams. */
export function formatExactTime(then: Date, locale?: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale, {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    timeZoneName: "short",
    timeZone,
  }).format(then);
}
