import { afterEach, describe, expect, it, vi } from "vitest";
import { KeyExpiryTimers } from "./key-expiry-timers.ts";

afterEach(() => {
  vi.useRealTimers();
});

describe("KeyExpiryTimers", () => {
  it("calls back at the key's expiry, once", () => {
    vi.useFakeTimers({ now: 0 });
    const due: string[] = [];
    const timers = new KeyExpiryTimers(Date.now, (keyId) => due.push(keyId));
    timers.set("key_1", new Date(5_000).toISOString());
    vi.advanceTimersByTime(4_999);
    expect(due).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(due).toEqual(["key_1"]);
    vi.advanceTimersByTime(60_000);
    expect(due).toEqual(["key_1"]);
  });

  it("moves a timer when the expiry changes, and clears it with null", () => {
    vi.useFakeTimers({ now: 0 });
    const due: string[] = [];
    const timers = new KeyExpiryTimers(Date.now, (keyId) => due.push(keyId));
    timers.set("key_1", new Date(1_000).toISOString());
    timers.set("key_1", new Date(3_000).toISOString());
    timers.set("key_2", new Date(2_000).toISOString());
    timers.set("key_2", null);
    vi.advanceTimersByTime(2_500);
    expect(due).toEqual([]);
    vi.advanceTimersByTime(500);
    expect(due).toEqual(["key_1"]);
  });

  it("re-arms an expiry beyond setTimeout's range instead of firing early", () => {
    vi.useFakeTimers({ now: 0 });
    const due: string[] = [];
    const timers = new KeyExpiryTimers(Date.now, (keyId) => due.push(keyId));
    const thirtyDays = 30 * 24 * 3_600_000;
    timers.set("key_1", new Date(thirtyDays).toISOString());
    vi.advanceTimersByTime(2 ** 31);
    expect(due).toEqual([]);
    vi.advanceTimersByTime(thirtyDays - 2 ** 31);
    expect(due).toEqual(["key_1"]);
  });

  it("an expiry already past fires at once; clearAll stops everything", () => {
    vi.useFakeTimers({ now: 10_000 });
    const due: string[] = [];
    const timers = new KeyExpiryTimers(Date.now, (keyId) => due.push(keyId));
    timers.set("key_past", new Date(1_000).toISOString());
    timers.set("key_later", new Date(20_000).toISOString());
    vi.advanceTimersByTime(0);
    expect(due).toEqual(["key_past"]);
    timers.clearAll();
    vi.advanceTimersByTime(60_000);
    expect(due).toEqual(["key_past"]);
  });
});
