import { describe, expect, it } from "vitest";
import { TokenBucket } from "./message-budget.ts";

describe("TokenBucket", () => {
  it("allows a burst, then refuses until time refills it", () => {
    const bucket = new TokenBucket({ burst: 3, perSecond: 1 }, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([true, true, true]);
    expect(bucket.take(0)).toBe(false);
    expect(bucket.take(999)).toBe(false);
    expect(bucket.take(1_000)).toBe(true);
    expect(bucket.take(1_000)).toBe(false);
  });

  it("never holds more than the burst, however long it waited", () => {
    const bucket = new TokenBucket({ burst: 2, perSecond: 10 }, 0);
    expect(bucket.available(60_000)).toBe(2);
    expect([bucket.take(60_000), bucket.take(60_000), bucket.take(60_000)]).toEqual([true, true, false]);
  });

  it("refills fractions: half a second at 2 per second is one token", () => {
    const bucket = new TokenBucket({ burst: 1, perSecond: 2 }, 0);
    expect(bucket.take(0)).toBe(true);
    expect(bucket.secondsUntilNext(250)).toBeCloseTo(0.25);
    expect(bucket.take(250)).toBe(false);
    expect(bucket.take(500)).toBe(true);
  });

  it("gives back a refunded token, up to the burst", () => {
    const bucket = new TokenBucket({ burst: 1, perSecond: 1 / 60 }, 0);
    expect(bucket.take(0)).toBe(true);
    bucket.refund();
    expect(bucket.take(0)).toBe(true);
    bucket.refund();
    bucket.refund();
    expect(bucket.available(0)).toBe(1);
  });

  it("a clock stepping back neither refills nor drains", () => {
    const bucket = new TokenBucket({ burst: 2, perSecond: 1 }, 10_000);
    expect(bucket.take(10_000)).toBe(true);
    expect(bucket.available(5_000)).toBe(1);
    expect(bucket.available(11_000)).toBe(2);
  });
});
