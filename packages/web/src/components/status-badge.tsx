import type { WorkerStatus } from "@cogno/protocol";

const LABELS: Record<WorkerStatus, string> = {
  online: "Online",
  offline: "Offline",
  stopped: "Stopped",
  revoked: "Revoked",
};

/** Colour is never the only signal: the badge always carries its word. */
export function StatusBadge({ status }: { status: WorkerStatus }) {
  return (
    <span className={`badge badge-${status}`} data-status={status}>
      <span className="badge-dot" aria-hidden="true" />
      {LABELS[status]}
    </span>
  );
}
