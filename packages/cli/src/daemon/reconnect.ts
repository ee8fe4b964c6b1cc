/**
 * When to connect again after a lost connection: a pure decision from how the connection ended and
 * how many attempts in a row have failed, so the daemon loop only waits and prints.
 */
import {
  type BackoffPolicy,
  clampUnit,
  computeBackoffDelay,
  DEFAULT_BACKOFF,
  type RandomSource,
} from "./backoff.ts";
import type { LostCause } from "./connection.ts";

/**
 * After a close 1001 from a draining server the worker comes back at once, spread over this window
 * so a whole fleet does not land on the remaining replicas in the same millisecond.
 */
export const DRAIN_RECONNECT_SPREAD_MS = 2_000;
/** The longest Retry-After honoured: the server asked for it, but a stuck proxy must not park a worker for hours. */
export const RETRY_AFTER_MAX_MS = 60_000;

export interface LostConnection {
  cause: LostCause;
  registered: boolean;
  retryAfterMs: number | undefined;
}

export interface ReconnectPlan {
  delayMs: number;
  /** Failed attempts in a row after this one, for the next decision. */
  failures: number;
}

export function planReconnect(
  lost: LostConnection,
  failuresBefore: number,
  random: RandomSource,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
): ReconnectPlan {
  if (lost.cause === "draining" && lost.registered) {
    return { delayMs: Math.floor(clampUnit(random()) * DRAIN_RECONNECT_SPREAD_MS), failures: 0 };
  }
  // A registration proves the server works again, so one blip after hours online reconnects within a
  // second instead of inheriting an old, long delay. Not after a "try again later", though: a server
  // enforcing a limit would otherwise be asked again every second.
  const failures = lost.registered && lost.cause !== "busy" ? 0 : failuresBefore;
  const retryAfter = Math.min(lost.retryAfterMs ?? 0, RETRY_AFTER_MAX_MS);
  return {
    delayMs: Math.max(computeBackoffDelay(failures, random, policy), retryAfter),
    failures: failures + 1,
  };
}
