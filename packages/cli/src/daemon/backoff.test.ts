import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeBackoffCeiling, computeBackoffDelay, DEFAULT_BACKOFF } from "./backoff.ts";
import { computeHeartbeatDelay, HEARTBEAT_INTERVAL_MIN_MS } from "./heartbeat.ts";

describe("reconnect backoff", () => {
  it("doubles from about 1 s and stops growing at 15 s (it grew to 60 s, so workers came back 50 s late)", () => {
    const ceilings = Array.from({ length: 9 }, (_, attempt) => computeBackoffCeiling(attempt));
    expect(ceilings).toEqual([1_000, 2_000, 4_000, 8_000, 15_000, 15_000, 15_000, 15_000, 15_000]);
    expect(computeBackoffCeiling(10_000)).toBe(DEFAULT_BACKOFF.capMs);
  });

  it("draws the whole delay from the random source (full jitter), never above the ceiling", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 2_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, draw) => {
          const delay = computeBackoffDelay(attempt, () => draw);
          const ceiling = computeBackoffCeiling(attempt);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThan(ceiling);
          expect(delay).toBe(Math.floor(draw * ceiling));
        },
      ),
    );
  });

  it("spreads workers that drop at the same moment", () => {
    const draws = [0.05, 0.5, 0.95];
    const delays = draws.map((draw) => computeBackoffDelay(5, () => draw));
    expect(new Set(delays).size).toBe(3);
    expect(delays).toEqual([750, 7_500, 14_250]);
  });

  it("stays bounded when the random source misbehaves", () => {
    for (const draw of [Number.NaN, -1, 1, 7, Number.POSITIVE_INFINITY]) {
      const delay = computeBackoffDelay(3, () => draw);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(computeBackoffCeiling(3));
    }
  });
});

describe("heartbeat delay", () => {
  it("stays within 90–100 % of the server's interval, so jitter never makes a heartbeat late", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1_000, max: 60_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (interval, draw) => {
          const delay = computeHeartbeatDelay(interval, () => draw);
          expect(delay).toBeLessThanOrEqual(interval);
          expect(delay).toBeGreaterThanOrEqual(Math.floor(interval * 0.9));
        },
      ),
    );
  });

  it("varies with the random source", () => {
    expect(computeHeartbeatDelay(15_000, () => 0)).toBe(15_000);
    expect(computeHeartbeatDelay(15_000, () => 1)).toBe(13_500);
  });

  it("refuses to spin on a zero or negative interval from the server", () => {
    expect(computeHeartbeatDelay(0, () => 0)).toBe(HEARTBEAT_INTERVAL_MIN_MS);
    expect(computeHeartbeatDelay(-5, () => 0)).toBe(HEARTBEAT_INTERVAL_MIN_MS);
  });
});
