import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RandomSource } from "./backoff.ts";
import type { LostCause } from "./connection.ts";
import {
  DRAIN_RECONNECT_SPREAD_MS,
  DRAIN_RETRIES,
  FIRST_CONNECT,
  type LostConnection,
  planReconnect,
  type ReconnectState,
} from "./reconnect.ts";

const lost = (cause: LostCause, registered = false, retryAfterMs?: number): LostConnection => ({
  cause,
  registered,
  retryAfterMs,
});

/** A small seeded generator (mulberry32), so a simulated fleet draws the same numbers every run. */
function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A refused connection attempt is not free: it takes at least a round trip. */
const ATTEMPT_MS = 20;

/**
 * One worker through an outage of `outageMs` that began when its registered connection dropped:
 * every attempt before the server is back fails as unreachable. Returns how long after the server's
 * return the worker connected again.
 */
function lateness(outageMs: number, random: RandomSource, ended: LostCause = "dropped"): number {
  let plan = planReconnect(lost(ended, true), FIRST_CONNECT, random);
  let at = plan.delayMs;
  while (at < outageMs) {
    plan = planReconnect(lost("unreachable"), plan.next, random);
    at += ATTEMPT_MS + plan.delayMs;
  }
  return at - outageMs;
}

/** How late the last of a fleet of 1,000 is after its server's return. */
function lastOfFleet(outageMs: number, ended: LostCause, seed = 2026): number {
  const random = seededRandom(seed);
  return Math.max(...Array.from({ length: 1_000 }, () => lateness(outageMs, random, ended)));
}

const state = (failures: number, drainRetries = 0): ReconnectState => ({ failures, drainRetries });

describe("planning a reconnect", () => {
  it("brings a fleet of 1,000 workers back within 15 s of the server's return after a 10 s outage (it took 56 s)", () => {
    const random = seededRandom(2026);
    const late = Array.from({ length: 1_000 }, () => lateness(10_000, random)).sort((a, b) => a - b);
    expect(late.at(-1)).toBeLessThan(15_000);
    // Spread, not in lock step: the fleet does not arrive in one instant.
    expect(late.at(-1) ?? 0).toBeGreaterThan(5_000);
  });

  it("never keeps a worker away more than 15 s after its server is back, whatever the outage and draws", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 600_000 }),
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1 }),
        (outageMs, draws) => {
          let index = 0;
          const random = () => draws[index++ % draws.length] ?? 0;
          expect(lateness(outageMs, random)).toBeLessThan(15_000 + ATTEMPT_MS);
          expect(lateness(outageMs, random, "draining")).toBeLessThan(15_000 + ATTEMPT_MS);
        },
      ),
    );
  });

  it("on 1001 from a draining server after a registration comes back at once, spread over 0–2 s", () => {
    for (const draw of [0, 0.5, 0.999]) {
      const plan = planReconnect(lost("draining", true), state(3), () => draw);
      expect(plan.delayMs).toBe(Math.floor(draw * DRAIN_RECONNECT_SPREAD_MS));
      expect(plan.next).toEqual(state(0, DRAIN_RETRIES));
    }
    // A 1001 before any registration is no proof the server works: back off as usual.
    expect(planReconnect(lost("draining", false), state(3), () => 0.5)).toEqual({
      delayMs: 4_000,
      next: state(4),
    });
  });

  it("on 1013 (try again later) backs off normally, even when the connection had registered", () => {
    let before = FIRST_CONNECT;
    const delays: number[] = [];
    for (let attempt = 0; attempt < 4; attempt += 1) {
      const plan = planReconnect(lost("busy", true), before, () => 0.5);
      delays.push(plan.delayMs);
      before = plan.next;
    }
    expect(delays).toEqual([500, 1_000, 2_000, 4_000]);
  });

  it("starts again from about 1 s after a connection that registered and then dropped", () => {
    expect(planReconnect(lost("dropped", true), state(6), () => 0.5)).toEqual({
      delayMs: 500,
      next: state(1),
    });
  });

  it("honours a Retry-After up to 60 s", () => {
    expect(planReconnect(lost("busy", false, 30_000), FIRST_CONNECT, () => 0.5).delayMs).toBe(30_000);
    expect(planReconnect(lost("busy", false, 3_600_000), FIRST_CONNECT, () => 0.5).delayMs).toBe(60_000);
  });

  it("after a 1001, retries a restarting server over the 0–2 s window: the whole fleet is back within 2 s of its return (it took up to 15 s)", () => {
    for (const restartMs of [500, 1_500, 3_000, 5_000]) {
      expect(lastOfFleet(restartMs, "draining")).toBeLessThan(DRAIN_RECONNECT_SPREAD_MS + ATTEMPT_MS);
      // The plain backoff, which the fleet used before, for comparison: most of the 15-s cap.
      expect(lastOfFleet(restartMs, "dropped")).toBeGreaterThan(3 * DRAIN_RECONNECT_SPREAD_MS);
    }
  });

  it("after a 1001, backs off as usual once the drain window's retries are used up, or at a 'try again later'", () => {
    let plan = planReconnect(lost("draining", true), FIRST_CONNECT, () => 0.5);
    for (let retry = 0; retry < DRAIN_RETRIES; retry += 1) {
      plan = planReconnect(lost("unreachable"), plan.next, () => 0.5);
      expect(plan.delayMs).toBe(DRAIN_RECONNECT_SPREAD_MS / 2);
    }
    expect(plan.next).toEqual(state(0));
    const delays = [1, 2, 3].map(() => {
      plan = planReconnect(lost("unreachable"), plan.next, () => 0.5);
      return plan.delayMs;
    });
    expect(delays).toEqual([500, 1_000, 2_000]);

    const busy = planReconnect(lost("busy", false, 5_000), state(0, DRAIN_RETRIES), () => 0.5);
    expect(busy).toEqual({ delayMs: 5_000, next: state(1) });
  });
});
