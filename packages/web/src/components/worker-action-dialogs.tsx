/**
 * Settings > Workers actions (API.md v1.1): Stop one worker without revoking a key other machines
 * may share (its daemon exits 0 and can be started again), and Forget a worker that is gone.
 */
import type { Worker } from "@cogno/protocol";
import { ApiError, isApiError } from "../api/api-error.ts";
import { ConfirmDialog } from "./confirm-dialog.tsx";
import { useApi } from "./session.tsx";

export function StopWorkerDialog({
  workspaceId,
  worker,
  onStopped,
  onDismiss,
}: {
  workspaceId: string;
  worker: Worker;
  onStopped: (worker: Worker) => void;
  onDismiss: () => void;
}) {
  const api = useApi();
  return (
    <ConfirmDialog
      title={`Stop ${worker.name}?`}
      describedBy="stop-worker-effect"
      confirmLabel="Stop worker"
      pendingLabel="Stopping…"
      onConfirm={async () => {
        const { worker: stopped } = await api.disconnectWorker(workspaceId, worker.id);
        onStopped(stopped);
      }}
      onDismiss={onDismiss}
    >
      <div id="stop-worker-effect">
        <p>
          The <code>cogno</code> daemon on <strong>{worker.hostname}</strong> disconnects and exits, saying
          who stopped it. It does not restart by itself.
        </p>
        <p>
          Its key, “{worker.apiKey.name}” (<code className="key-prefix">{worker.apiKey.prefix}…</code>), stays
          valid: other machines using it keep working, and running <code>cogno</code> on {worker.hostname}{" "}
          again reconnects this one. To cut the key off everywhere, revoke it on the API Keys page instead.
        </p>
      </div>
    </ConfirmDialog>
  );
}

export function ForgetWorkerDialog({
  workspaceId,
  worker,
  onForgotten,
  onDismiss,
  retentionDays,
}: {
  workspaceId: string;
  worker: Worker;
  onForgotten: (worker: Worker) => void;
  onDismiss: () => void;
  /** The server's COGNO_WORKER_RETENTION_DAYS, once known. */
  retentionDays: number | null;
}) {
  const api = useApi();
  return (
    <ConfirmDialog
      title={`Forget ${worker.name}?`}
      describedBy="forget-worker-effect"
      confirmLabel="Forget worker"
      pendingLabel="Forgetting…"
      onConfirm={async () => {
        try {
          await api.forgetWorker(workspaceId, worker.id);
        } catch (caught) {
          if (isApiError(caught, "worker_online")) {
            const message = `${worker.name} is connected again, so it cannot be forgotten. Stop it first.`;
            throw new ApiError(caught.status, caught.code, message);
          }
          throw caught;
        }
        onForgotten(worker);
      }}
      onDismiss={onDismiss}
    >
      <p id="forget-worker-effect">
        {worker.name} on {worker.hostname} leaves this list with its history. Nothing changes on the machine:
        if it runs <code>cogno</code> again with a valid key, it shows here again. Workers unseen for{" "}
        {retentionDays === null ? "the retention period" : `${retentionDays} days`} are forgotten by
        themselves.
      </p>
    </ConfirmDialog>
  );
}
