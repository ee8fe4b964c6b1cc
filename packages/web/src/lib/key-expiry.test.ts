import { ROLL_GRACE_MAX_SECONDS } from "@cogno/protocol";
import { describe, expect, it } from "vitest";
import { expiresAtFor, GRACE_CHOICES, isNearExpiry, localDateInputValue } from "./key-expiry.ts";

const now = new Date("2026-06-15T12:00:00.000Z");

describe("expiresAtFor", () => {
  it("sends null for never and now + N days for the presets", () => {
    expect(expiresAtFor("never", now, "")).toEqual({ ok: true, expiresAt: null });
    expect(expiresAtFor("7", now, "")).toEqual({ ok: true, expiresAt: "2026-06-22T12:00:00.000Z" });
    expect(expiresAtFor("30", now, "")).toEqual({ ok: true, expiresAt: "2026-07-15T12:00:00.000Z" });
    expect(expiresAtFor("90", now, "")).toEqual({ ok: true, expiresAt: "2026-09-13T12:00:00.000Z" });
  });

  it("makes a custom day usable through its end, and refuses a day in the past or no day", () => {
    const result = expiresAtFor("custom", now, "2026-07-01");
    expect(result.ok).toBe(true);
    if (result.ok && result.expiresAt !== null) {
      const at = new Date(result.expiresAt);
      expect(localDateInputValue(at)).toBe("2026-07-01");
      expect([at.getHours(), at.getMinutes(), at.getSeconds()]).toEqual([23, 59, 59]);
    }
    expect(expiresAtFor("custom", now, "2026-06-01")).toMatchObject({ ok: false });
    expect(expiresAtFor("custom", now, "")).toMatchObject({ ok: false });
  });
});

describe("isNearExpiry", () => {
  const at = (days: number) => new Date(now.getTime() + days * 86_400_000).toISOString();
  it("flags an active key within 7 days of its expiry, and nothing else", () => {
    expect(isNearExpiry({ expiresAt: at(6.9), revokedAt: null }, now)).toBe(true);
    expect(isNearExpiry({ expiresAt: at(7), revokedAt: null }, now)).toBe(true);
    expect(isNearExpiry({ expiresAt: at(7.1), revokedAt: null }, now)).toBe(false);
    expect(isNearExpiry({ expiresAt: null, revokedAt: null }, now)).toBe(false);
    expect(isNearExpiry({ expiresAt: at(-1), revokedAt: null }, now)).toBe(false);
    expect(isNearExpiry({ expiresAt: at(1), revokedAt: at(-1) }, now)).toBe(false);
  });
});

describe("GRACE_CHOICES", () => {
  it("offers now, 1 h, 24 h, 7 d and 30 d, all within the contract's bound", () => {
    expect(GRACE_CHOICES.map((choice) => choice.seconds)).toEqual([0, 3_600, 86_400, 604_800, 2_592_000]);
    for (const choice of GRACE_CHOICES) expect(choice.seconds).toBeLessThanOrEqual(ROLL_GRACE_MAX_SECONDS);
  });
});
