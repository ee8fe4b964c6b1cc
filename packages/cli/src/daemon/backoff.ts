/**
 * Reconnect delays: exponential with full jitter (a uniform draw between 0 and the exponential
 * ceiling), so a fleet of workers dropped by one server restart does not reconnect in lock step.
 * The ceiling stops at 15 s: a worker is back within 15 s of its server's return, however long the
 * outage (with a 60 s cap, a 10 s outage kept some workers away for 50 s).
 */
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 15_000 };

/** A source of numbers in [0, 1): `Math.random` in production, a fixed sequence in tests. */
export type RandomSource = () => number;

export function clampUnit(value: number): number {
  if (!Number.isFinite(value) || value < 0) return 0;
  return value >= 1 ? 1 - Number.EPSILON : value;
}

/** The ceiling for the `attempt`-th retry (0-based): base·2^attempt, never above the cap. */
export function computeBackoffCeiling(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const exponent = Math.max(0, Math.floor(attempt));
  return Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
}

export function computeBackoffDelay(
  attempt: number,
  random: RandomSource,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
): number {
  return Math.floor(clampUnit(random()) * computeBackoffCeiling(attempt, policy));
}
