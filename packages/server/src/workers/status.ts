/**
 * A worker's status is derived when read, from times every replica can see, so no sweeper job is
 * needed and any replica computes the same answer.
 */
import type { WorkerStatus } from "@cogno/protocol";

/** Heartbeats missed before a connected worker counts as offline. */
export const MISSED_HEARTBEATS_FOR_OFFLINE = 3;

export interface PresenceTimes {
  keyRevokedAt: string | null;
  connectedAt: string | null;
  disconnectedAt: string | null;
  stoppedAt: string | null;
  lastHeartbeatAt: string | null;
}

export function deriveWorkerStatus(
  times: PresenceTimes,
  now: Date,
  heartbeatIntervalMs: number,
): WorkerStatus {
  if (times.keyRevokedAt !== null) return "revoked";
  if (times.stoppedAt !== null) return "stopped";
  if (times.connectedAt === null || times.disconnectedAt !== null) return "offline";
  const lastSign = times.lastHeartbeatAt ?? times.connectedAt;
  return lastSign >= onlineCutoff(now, heartbeatIntervalMs) ? "online" : "offline";
}

/** A connected worker whose last sign of life (ISO time) is at or after this is online. */
export function onlineCutoff(now: Date, heartbeatIntervalMs: number): string {
  return new Date(now.getTime() - MISSED_HEARTBEATS_FOR_OFFLINE * heartbeatIntervalMs).toISOString();
}
