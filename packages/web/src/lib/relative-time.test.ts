import { describe, expect, it } from "vitest";
import { formatExactTime, formatRelativeTime } from "./relative-time.ts";

const now = new Date("2026-06-15T12:00:00.000Z");
const ago = (milliseconds: number) => new Date(now.getTime() - milliseconds);

describe("formatRelativeTime", () => {
  it("calls the last few seconds just now", () => {
    expect(formatRelativeTime(now, now)).toBe("just now");
    expect(formatRelativeTime(ago(9_000), now)).toBe("just now");
  });

  it("treats a timestamp slightly ahead of the browser clock as just now", () => {
    expect(formatRelativeTime(ago(-20_000), now)).toBe("just now");
  });

  it("counts seconds, minutes, hours, days, months and years with plurals", () => {
    expect(formatRelativeTime(ago(30_000), now)).toBe("30 seconds ago");
    expect(formatRelativeTime(ago(60_000), now)).toBe("1 minute ago");
    expect(formatRelativeTime(ago(5 * 60_000 + 59_000), now)).toBe("5 minutes ago");
    expect(formatRelativeTime(ago(3_600_000), now)).toBe("1 hour ago");
    expect(formatRelativeTime(ago(26 * 3_600_000), now)).toBe("1 day ago");
    expect(formatRelativeTime(ago(40 * 86_400_000), now)).toBe("1 month ago");
    expect(formatRelativeTime(ago(800 * 86_400_000), now)).toBe("2 years ago");
  });

  it("speaks of the future when a time is well ahead", () => {
    expect(formatRelativeTime(ago(-2 * 86_400_000), now)).toBe("in 2 days");
    // regression: a 7-day link read "in 6 days" a second after it was made
    expect(formatRelativeTime(ago(-(7 * 86_400_000 - 1_000)), now)).toBe("in 7 days");
    expect(formatRelativeTime(ago(-(90 * 60_000)), now)).toBe("in 2 hours");
    expect(formatRelativeTime(ago(-(3_600_000 - 500)), now)).toBe("in 1 hour");
  });
});

describe("formatExactTime", () => {
  it("includes the date, the time to the second and the zone", () => {
    const text = formatExactTime(new Date("2026-06-15T09:05:07Z"), "en-GB", "UTC");
    expect(text).toContain("2026");
    expect(text).toContain("09:05:07");
    expect(text).toContain("UTC");
  });
});
