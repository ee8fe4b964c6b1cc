/**
 * A key's life in time (API.md v1.1): the expiry chosen at creation, the grace window of a roll,
 * and the "expires soon" flag of the list. Pure, so the choices and the flag are tested without a page.
 */
import { ROLL_GRACE_MAX_SECONDS } from "@cogno/protocol";

const DAY_MS = 86_400_000;

export const EXPIRY_CHOICES = [
  { value: "never", label: "Never" },
  { value: "7", label: "7 days" },
  { value: "30", label: "30 days" },
  { value: "90", label: "90 days" },
  { value: "custom", label: "Custom date…" },
] as const;
export type ExpiryChoice = (typeof EXPIRY_CHOICES)[number]["value"];

export type ExpiryResult = { ok: true; expiresAt: string | null } | { ok: false; message: string };

/**
 * The `expiresAt` to send for a choice. A custom date means "usable through that day": the key
 * expires at the end of that day in the browser's time zone, which must be in the future.
 */
export function expiresAtFor(choice: ExpiryChoice, now: Date, customDate: string): ExpiryResult {
  if (choice === "never") return { ok: true, expiresAt: null };
  if (choice !== "custom")
    return { ok: true, expiresAt: new Date(now.getTime() + Number(choice) * DAY_MS).toISOString() };
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(customDate);
  if (match === null) return { ok: false, message: "Pick the last day the key should work." };
  const [, year, month, day] = match;
  const endOfDay = new Date(Number(year), Number(month) - 1, Number(day), 23, 59, 59, 999);
  if (Number.isNaN(endOfDay.getTime()) || endOfDay.getTime() <= now.getTime())
    return { ok: false, message: "Pick a day from today on: a key cannot expire in the past." };
  return { ok: true, expiresAt: endOfDay.toISOString() };
}

/** `YYYY-MM-DD` of a date in the browser's time zone, for a date input's `min`. */
export function localDateInputValue(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** Keys that stop working within this long are flagged in the list (issue 9). */
export const NEAR_EXPIRY_MS = 7 * DAY_MS;

/** An active key whose expiry (set at creation or by a roll) is within 7 days. */
export function isNearExpiry(
  apiKey: { expiresAt: string | null; revokedAt: string | null },
  now: Date,
): boolean {
  if (apiKey.expiresAt === null || apiKey.revokedAt !== null) return false;
  const left = Date.parse(apiKey.expiresAt) - now.getTime();
  return left > 0 && left <= NEAR_EXPIRY_MS;
}

/** The grace windows a roll offers (API.md v1.1: 0 to 30 days). */
export const GRACE_CHOICES = [
  { seconds: 0, label: "Now: the old key stops at once" },
  { seconds: 3_600, label: "1 hour" },
  { seconds: 86_400, label: "24 hours" },
  { seconds: 7 * 86_400, label: "7 days" },
  { seconds: ROLL_GRACE_MAX_SECONDS, label: "30 days" },
] as const;
