import type { ApiKey, RevokeApiKeyResponse, Worker } from "@cogno/protocol";
import { useEffect, useState } from "react";
import { describeError } from "../api/api-error.ts";
import { ConfirmDialog } from "./confirm-dialog.tsx";
import { useApi } from "./session.tsx";

type ConnectedWorkers =
  | { state: "loading" }
  | { state: "loaded"; workers: Worker[] }
  | { state: "failed"; message: string };

/** Names the key and the workers connected with it right now, so nobody revokes the wrong worker by surprise. */
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
        if (current) setConnected({ state: "loaded", workers: detail.workers });
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
          <p className="field-error">Could not list the connected workers: {connected.message}</p>
        ) : null}
        {connected.state === "loaded" ? <ConnectedWorkersSummary workers={connected.workers} /> : null}
      </div>
    </ConfirmDialog>
  );
}

function ConnectedWorkersSummary({ workers }: { workers: Worker[] }) {
  if (workers.length === 0) {
    return <p>No worker is connected with this key right now.</p>;
  }
  const names = workers
    .map((worker) => (worker.hostname === worker.name ? worker.name : `${worker.name} (${worker.hostname})`))
    .join(", ");
  return (
    <div className="callout danger">
      <p>
        <strong>
          {workers.length === 1 ? "1 worker will lose access" : `${workers.length} workers will lose access`}:
        </strong>{" "}
        {names}
      </p>
    </div>
  );
}
