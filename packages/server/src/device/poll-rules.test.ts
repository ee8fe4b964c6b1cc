import { describe, expect, it } from "vitest";
import { decidePoll, type PollState } from "./poll-rules.ts";

const now = new Date("2026-06-01T12:00:00.000Z");
const pending: PollState = {
  status: "pending",
  expiresAt: "2026-06-01T12:10:00.000Z",
  lastPolledAt: null,
  intervalSeconds: 5,
};
const secondsAgo = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString();

describe("decidePoll", () => {
  it("answers authorization_pending while nobody decided, polled at the interval", () => {
    expect(decidePoll(pending, now)).toEqual({ kind: "authorization_pending" });
    expect(decidePoll({ ...pending, lastPolledAt: secondsAgo(5) }, now)).toEqual({
      kind: "authorization_pending",
    });
  });

  it("answers slow_down, with the interval 5 s longer, to a poll sooner than the interval", () => {
    expect(decidePoll({ ...pending, lastPolledAt: secondsAgo(1) }, now)).toEqual({
      kind: "slow_down",
      intervalSeconds: 10,
    });
    // The longer interval holds for every later poll.
    expect(decidePoll({ ...pending, intervalSeconds: 10, lastPolledAt: secondsAgo(6) }, now)).toEqual({
      kind: "slow_down",
      intervalSeconds: 15,
    });
  });

  it("gives the key once approved, access_denied once denied, whatever the pace", () => {
    expect(decidePoll({ ...pending, status: "approved", lastPolledAt: secondsAgo(1) }, now)).toEqual({
      kind: "issue",
    });
    expect(decidePoll({ ...pending, status: "denied", lastPolledAt: secondsAgo(1) }, now)).toEqual({
      kind: "access_denied",
    });
  });

  it("answers expired_token for an unknown, used or expired code, approved or not", () => {
    expect(decidePoll(undefined, now)).toEqual({ kind: "expired_token" });
    expect(decidePoll({ ...pending, status: "used" }, now)).toEqual({ kind: "expired_token" });
    for (const status of ["pending", "approved", "denied"] as const) {
      expect(decidePoll({ ...pending, status, expiresAt: now.toISOString() }, now)).toEqual({
        kind: "expired_token",
      });
    }
  });
});
