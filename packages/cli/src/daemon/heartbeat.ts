import type { RandomSource } from "./backoff.ts";

/** Bounds on the interval the server asks for, so a bad value cannot make the worker spin or go silent. */
export const HEARTBEAT_INTERVAL_MIN_MS = 100;
export const HEARTBEAT_INTERVAL_MAX_MS = 10 * 60_000;
/** Heartbeats go out between 90 % and 100 % of the interval. */
export const HEARTBEAT_JITTER = 0.1;

export function clampHeartbeatInterval(intervalMs: number): number {
  if (!Number.isFinite(intervalMs)) return HEARTBEAT_INTERVAL_MAX_MS;
  return Math.min(HEARTBEAT_INTERVAL_MAX_MS, Math.max(HEARTBEAT_INTERVAL_MIN_MS, intervalMs));
}

/**
 * The wait before the next heartbeat. Jitter only ever shortens the wait: the server marks a worker
 * offline after 3 missed intervals, and a heartbeat that arrives early never eats into that margin.
 */
export function computeHeartbeatDelay(intervalMs: number, random: RandomSource): number {
  const interval = clampHeartbeatInterval(intervalMs);
  const draw = Math.min(Math.max(random(), 0), 1);
  return Math.round(interval * (1 - HEARTBEAT_JITTER * draw));
}
