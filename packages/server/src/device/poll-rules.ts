/** What a poll of the token endpoint answers (RFC 8628 §3.5): a pure decision, applied by service.ts. */

export type DeviceStatus = "pending" | "approved" | "denied" | "used";

export interface PollState {
  status: DeviceStatus;
  expiresAt: string;
  lastPolledAt: string | null;
  intervalSeconds: number;
}

export type PollDecision =
  | { kind: "issue" }
  | { kind: "authorization_pending" }
  | { kind: "slow_down"; intervalSeconds: number }
  | { kind: "access_denied" }
  | { kind: "expired_token" };

/** RFC 8628 §3.5: each slow_down adds 5 seconds to the interval, for this and every later poll. */
export const SLOW_DOWN_STEP_SECONDS = 5;
/** Replicas' clocks differ by a few milliseconds: a poll this much early is not "too fast". */
export const POLL_CLOCK_TOLERANCE_MS = 250;

/**
 * Unknown, expired or already used: expired_token (one answer, so a poll reveals nothing more).
 * Denied: access_denied. Approved: the key, once. Pending: authorization_pending, or slow_down when
 * the poll came sooner than the interval after the one before (a variant of pending, as §3.5 says,
 * so it never stands between a client and a decision already made).
 */
export function decidePoll(state: PollState | undefined, now: Date): PollDecision {
  if (state === undefined || state.status === "used") return { kind: "expired_token" };
  if (state.expiresAt <= now.toISOString()) return { kind: "expired_token" };
  if (state.status === "denied") return { kind: "access_denied" };
  if (state.status === "approved") return { kind: "issue" };
  if (state.lastPolledAt !== null) {
    const elapsedMs = now.getTime() - Date.parse(state.lastPolledAt);
    if (elapsedMs + POLL_CLOCK_TOLERANCE_MS < state.intervalSeconds * 1000) {
      return { kind: "slow_down", intervalSeconds: state.intervalSeconds + SLOW_DOWN_STEP_SECONDS };
    }
  }
  return { kind: "authorization_pending" };
}
