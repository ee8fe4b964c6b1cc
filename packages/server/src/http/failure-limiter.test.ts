import { describe, expect, it } from "vitest";
import { ManualClock } from "../testing/test-deps.ts";
import { AppError } from "./errors.ts";
import { FailureLimiter } from "./failure-limiter.ts";

function refused(action: () => unknown): string | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    return error instanceof AppError ? `${error.code} ${error.retryAfter}` : "other";
  }
}

describe("FailureLimiter", () => {
  it("refuses a client after its failures for the minute, with Retry-After, and forgives after it", () => {
    const clock = new ManualClock();
    const limiter = new FailureLimiter(3, clock);
    for (let i = 0; i < 3; i++) limiter.recordFailure("a");
    clock.advance(20_000);
    expect(refused(() => limiter.assertAllowed("a"))).toBe("rate_limited 40");
    expect(refused(() => limiter.assertAllowed("b"))).toBeUndefined();
    clock.advance(40_000);
    expect(refused(() => limiter.assertAllowed("a"))).toBeUndefined();
  });

  it("regression: parallel attempts count from their start, so a burst cannot outrun the limit", () => {
    const limiter = new FailureLimiter(3, new ManualClock());
    const attempts = [limiter.begin("a"), limiter.begin("a"), limiter.begin("a")];
    expect(refused(() => limiter.begin("a"))).toMatch(/^rate_limited/);
    attempts[0]?.end();
    const fourth = limiter.begin("a");
    for (const attempt of [attempts[1], attempts[2], fourth]) attempt?.fail();
    expect(refused(() => limiter.begin("a"))).toMatch(/^rate_limited/);
  });

  it("counts an attempt once, however it is ended", () => {
    const limiter = new FailureLimiter(2, new ManualClock());
    const attempt = limiter.begin("a");
    attempt.fail();
    attempt.end();
    attempt.fail();
    expect(refused(() => limiter.begin("a"))).toBeUndefined();
  });
});
