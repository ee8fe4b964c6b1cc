import type { ApiKey, RevokeApiKeyResponse, Worker } from "@cogno/protocol";
import { useEffect, useState } from "react";
import { describeError } from "../api/api-error.ts";
import { ConfirmDialog } from "./confirm-dialog.tsx";
import { useApi } from "./session.tsx";
import { StatusBadge } from "./status-badge.tsx";
import { TimeAgo } from "./time-ago.tsx";
import { useNow } from "./use-now.ts";

type ConnectedWorkers =
  | { state: "loading" }
  | { state: "loaded"; workers: Worker[] }
  | { state: "failed"; message: string };

/**
 * Names the key and every worker that used it in the last 30 days, online or not, with its status
 * and last heartbeat: a laptop asleep for a minute is about to lose access as surely as a connected
 * one, and "no worker is connected" would hide it.
 */
export function RevokeApiKeyDialog({
  workspaceId,
  apiKey,
  showOwner,
  onRevoked,
  onDismiss,
}: {
  workspaceId: string;
  apiKey: ApiKey;
  showOwner: boolean;
  onRevoked: (result: RevokeApiKeyResponse) => void;
  onDismiss: () => void;
}) {
  const api = useApi();
  const [connected, setConnected] = useState<ConnectedWorkers>({ state: "loading" });

  useEffect(() => {
    let current = true;
    api.getApiKey(workspaceId, apiKey.id).then(
      (detail) => {
        if (current) setConnected({ state: "loaded", workers: detail.recentWorkers });
      },
      (caught: unknown) => {
        if (current) setConnected({ state: "failed", message: describeError(caught) });
      },
    );
    return () => {
      current = false;
    };
  }, [api, workspaceId, apiKey.id]);

  return (
    <ConfirmDialog
      title={`Revoke “${apiKey.name}”?`}
      describedBy="revoke-summary"
      confirmLabel="Revoke"
      pendingLabel="Revoking…"
      onConfirm={async () => onRevoked(await api.revokeApiKey(workspaceId, apiKey.id))}
      onDismiss={onDismiss}
    >
      <div id="revoke-summary">
        <p>
          Key <strong>{apiKey.name}</strong> <code className="key-prefix">{apiKey.prefix}…</code>
          {showOwner ? ` owned by ${apiKey.owner.name} (${apiKey.owner.email})` : ""}.
        </p>
        <p>
          <strong>Revocation is immediate and irreversible.</strong> Every worker using this key loses access
          at once, and the key can never be used again. If continuity matters, create and install a
          replacement key first.
        </p>
      </div>
      <div className="connected-workers" aria-live="polite">
        {connected.state === "loading" ? <p className="muted">Checking which workers use this key…</p> : null}
        {connected.state === "failed" ? (
          <p className="field-error">Could not list the workers that use this key: {connected.message}</p>
        ) : null}
        {connected.state === "loaded" ? <RecentWorkersSummary workers={connected.workers} /> : null}
      </div>
    </ConfirmDialog>
  );
}

function RecentWorkersSummary({ workers }: { workers: Worker[] }) {
  const now = useNow();
  if (workers.length === 0) {
    return <p>No worker used this key in the last 30 days.</p>;
  }
  return (
    <div className="callout danger">
      <p>
        <strong>
          {workers.length === 1
            ? "1 worker used this key in the last 30 days and will lose access"
            : `${workers.length} workers used this key in the last 30 days and will lose access`}
          :
        </strong>
      </p>
      <ul className="recent-workers" aria-label="Workers that will lose access">
        {workers.map((worker) => (
          <li key={worker.id}>
            <strong>{worker.name}</strong>
            {worker.hostname === worker.name ? "" : ` (${worker.hostname})`}{" "}
            <StatusBadge status={worker.status} />{" "}
            <span className="muted">
              last heartbeat <TimeAgo iso={worker.lastHeartbeatAt} now={now} fallback="never" />
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
