import { describe, expect, it } from "vitest";
import { PerKeyLimits } from "./per-key-limits.ts";

describe("PerKeyLimits", () => {
  it("counts upgrades in flight toward the connection cap, per key, until released", () => {
    const limits = new PerKeyLimits({ maxConnections: 3, newWorkersPerMinute: 10 }, () => 0);
    const first = limits.reserveConnection("key_1", 1);
    const second = limits.reserveConnection("key_1", 1);
    expect(first).toBeDefined();
    expect(second).toBeDefined();
    expect(limits.reserveConnection("key_1", 1)).toBeUndefined();
    expect(limits.reserveConnection("key_2", 0)).toBeDefined();
    first?.();
    first?.(); // releasing twice frees one place, not two
    expect(limits.reserveConnection("key_1", 1)).toBeDefined();
    expect(limits.reserveConnection("key_1", 1)).toBeUndefined();
  });

  it("allows N new machines a minute per key, refills over the minute, and takes refunds", () => {
    let now = 0;
    const limits = new PerKeyLimits({ maxConnections: 10, newWorkersPerMinute: 2 }, () => now);
    expect([limits.takeNewWorker("key_1"), limits.takeNewWorker("key_1")]).toEqual([true, true]);
    expect(limits.takeNewWorker("key_1")).toBe(false);
    expect(limits.secondsUntilNewWorker("key_1")).toBe(30);
    expect(limits.takeNewWorker("key_2")).toBe(true);
    limits.refundNewWorker("key_1");
    expect(limits.takeNewWorker("key_1")).toBe(true);
    now = 30_000;
    expect(limits.takeNewWorker("key_1")).toBe(true);
    expect(limits.takeNewWorker("key_1")).toBe(false);
  });

  it("forgets buckets that are full again", () => {
    let now = 0;
    const limits = new PerKeyLimits({ maxConnections: 10, newWorkersPerMinute: 1 }, () => now);
    expect(limits.takeNewWorker("key_1")).toBe(true);
    now = 60_000;
    limits.prune();
    expect(limits.secondsUntilNewWorker("key_1")).toBe(0);
    expect(limits.takeNewWorker("key_1")).toBe(true);
  });
});
