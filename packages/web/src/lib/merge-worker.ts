import type { Worker, WorkerStatus } from "@cogno/protocol";

const STATUS_ORDER: Record<WorkerStatus, number> = { online: 0, offline: 1, stopped: 2, revoked: 3 };

/** Replaces or adds one worker from a live event; rows stay ordered by status, then name. */
export function mergeWorker(workers: readonly Worker[], worker: Worker): Worker[] {
  return sortWorkers([...workers.filter((existing) => existing.id !== worker.id), worker]);
}

export function sortWorkers(workers: readonly Worker[]): Worker[] {
  return [...workers].sort(
    (left, right) =>
      STATUS_ORDER[left.status] - STATUS_ORDER[right.status] ||
      left.name.localeCompare(right.name) ||
      left.id.localeCompare(right.id),
  );
}
