/**
 * A worker's status as time passes on the page. The server derives status when read (online iff
 * connected and its last sign of life is within 3 heartbeat intervals: server/src/workers/status.ts),
 * but a heartbeat sends the page no event, so a worker that froze would stay "online" until the next
 * read. The page applies the same rule to the times it holds: an "online" worker turns "offline" 3
 * intervals after its last heartbeat, by the clock, whether or not the server is still reachable.
 * Only that transition is derived here; every other one arrives from the server.
 */
import type { Worker, WorkerStatus } from "@cogno/protocol";

export const DEFAULT_HEARTBEAT_INTERVAL_MS = 15_000;
/** Heartbeats missed before a connected worker counts as offline (the server's rule). */
export const MISSED_HEARTBEATS_FOR_OFFLINE = 3;

export type PresenceTimes = Pick<Worker, "status" | "connectedAt" | "lastHeartbeatAt">;

/** The interval the workers list names, or the default when an older server leaves it out. */
export function readHeartbeatInterval(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) && value > 0
    ? value
    : DEFAULT_HEARTBEAT_INTERVAL_MS;
}

/** The moment an online worker stops counting as online, or null when the clock alone changes nothing. */
export function offlineAt(worker: PresenceTimes, heartbeatIntervalMs: number): number | null {
  if (worker.status !== "online") return null;
  const lastSign = Date.parse(worker.lastHeartbeatAt ?? worker.connectedAt ?? "");
  if (Number.isNaN(lastSign)) return null;
  return lastSign + MISSED_HEARTBEATS_FOR_OFFLINE * heartbeatIntervalMs;
}

/** The status to show at `now`: the server's, except an online worker whose heartbeats stopped 3 intervals ago. */
export function statusAt(worker: PresenceTimes, now: Date, heartbeatIntervalMs: number): WorkerStatus {
  const deadline = offlineAt(worker, heartbeatIntervalMs);
  // The server's test is "last sign at or after now − 3 intervals": online up to and including the deadline.
  return deadline !== null && now.getTime() > deadline ? "offline" : worker.status;
}

/** When the next shown status will change by the clock alone (just past a deadline), or null. */
export function nextStatusChangeAt(
  workers: readonly PresenceTimes[],
  now: Date,
  heartbeatIntervalMs: number,
): number | null {
  let next: number | null = null;
  for (const worker of workers) {
    const deadline = offlineAt(worker, heartbeatIntervalMs);
    if (deadline === null || deadline < now.getTime()) continue;
    const changeAt = deadline + 1;
    if (next === null || changeAt < next) next = changeAt;
  }
  return next;
}
