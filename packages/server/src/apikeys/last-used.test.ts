import { describe, expect, it } from "vitest";
import { LastUsedThrottle } from "./last-used.ts";

describe("LastUsedThrottle", () => {
  it("writes a key's use at most once per interval", () => {
    const throttle = new LastUsedThrottle(60_000);
    expect(throttle.shouldWrite("key_a", 0)).toBe(true);
    expect(throttle.shouldWrite("key_a", 59_999)).toBe(false);
    expect(throttle.shouldWrite("key_b", 1)).toBe(true);
    expect(throttle.shouldWrite("key_a", 60_000)).toBe(true);
  });
});
