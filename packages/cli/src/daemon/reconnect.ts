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

/**
 * After that 1001, a connection that fails (the server restarting: nothing listens yet, or the old
 * one still drains) is tried again over the same window, this many times (about 15 s in all), before
 * the worker backs off as usual. So a restart of a few seconds has its whole fleet back within about
 * 2 s of its return, instead of leaving the workers that failed three or four times in a row 8–15 s
 * away. A refused connection costs the server nothing; once it listens, the fleet arrives spread
 * over 2 s.
 */
export const DRAIN_RETRIES = 15;

export interface LostConnection {
  cause: LostCause;
  registered: boolean;
  retryAfterMs: number | undefined;
}

/** What one reconnect decision hands the next. */
export interface ReconnectState {
  /** Failed attempts in a row, for the exponential backoff. */
  failures: number;
  /** Failed connections still to be retried over the drain window (DRAIN_RETRIES). */
  drainRetries: number;
}

export const FIRST_CONNECT: ReconnectState = { failures: 0, drainRetries: 0 };

export interface ReconnectPlan {
  delayMs: number;
  next: ReconnectState;
}

function drainDelay(random: RandomSource): number {
  return Math.floor(clampUnit(random()) * DRAIN_RECONNECT_SPREAD_MS);
}

export function planReconnect(
  lost: LostConnection,
  before: ReconnectState,
  random: RandomSource,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
): ReconnectPlan {
  if (lost.cause === "draining" && lost.registered) {
    return { delayMs: drainDelay(random), next: { failures: 0, drainRetries: DRAIN_RETRIES } };
  }
  if ((lost.cause === "unreachable" || lost.cause === "draining") && before.drainRetries > 0) {
    return { delayMs: drainDelay(random), next: { failures: 0, drainRetries: before.drainRetries - 1 } };
  }
  // A registration proves the server works again, so one blip after hours online reconnects within a
  // second instead of inheriting an old, long delay. Not after a "try again later", though: a server
  // enforcing a limit would otherwise be asked again every second.
  const failures = lost.registered && lost.cause !== "busy" ? 0 : before.failures;
  const retryAfter = Math.min(lost.retryAfterMs ?? 0, RETRY_AFTER_MAX_MS);
  return {
    delayMs: Math.max(computeBackoffDelay(failures, random, policy), retryAfter),
    next: { failures: failures + 1, drainRetries: 0 },
  };
}
