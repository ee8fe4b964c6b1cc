/**
 * One key's page (API.md v1.1 `GET …/api-keys/:keyId`): its facts, where it leaked if it did, and
 * every worker that used it in the last 30 days. After a roll it shows which workers still use the
 * old key and, once none has used it since the roll, that it is safe to revoke now.
 */
import type { ApiKey, ApiKeyDetail, RollApiKeyResponse, WorkspaceSummary } from "@cogno/protocol";
import { useCallback, useEffect, useState } from "react";
import { subscribeToWorkspaceEvents } from "../api/workspace-events.ts";
import { ExpiryCell, LastUsedCell, RevokedBadge } from "../components/api-key-state.tsx";
import { settingsPath } from "../components/app-shell.tsx";
import { Notice } from "../components/notice.tsx";
import { usePageTitle } from "../components/page-title.ts";
import { RawKeyDialog } from "../components/raw-key-dialog.tsx";
import { RenameApiKeyDialog } from "../components/rename-api-key-dialog.tsx";
import { RevokeApiKeyDialog } from "../components/revoke-api-key-dialog.tsx";
import { RollApiKeyDialog } from "../components/roll-api-key-dialog.tsx";
import { Link } from "../components/router.tsx";
import { useApi } from "../components/session.tsx";
import { StatusBadge } from "../components/status-badge.tsx";
import { TimeAgo } from "../components/time-ago.tsx";
import { useNow } from "../components/use-now.ts";
import { useReloadable } from "../components/use-reloadable.ts";
import { workersStillOnOldKey } from "../lib/key-roll.ts";
import { formatExactTime } from "../lib/relative-time.ts";
import { buildPath } from "../lib/route-match.ts";

export function apiKeyPath(workspaceId: string, keyId: string): string {
  return buildPath("w", workspaceId, "settings", "api-keys", keyId);
}

/** Workers check in every few seconds; the page re-reads this often so "still on the old key" stays true. */
const REFRESH_MS = 10_000;

export function ApiKeyPage({ workspace, keyId }: { workspace: WorkspaceSummary; keyId: string }) {
  const api = useApi();
  const now = useNow();
  const read = useCallback(() => api.getApiKey(workspace.id, keyId), [api, workspace.id, keyId]);
  const { data: detail, setData, loadError, loading, reload } = useReloadable<ApiKeyDetail>(read);
  usePageTitle(`${detail?.apiKey.name ?? "API key"} · ${workspace.name}`);
  const [dialog, setDialog] = useState<"rename" | "roll" | "revoke" | null>(null);
  const [revealed, setRevealed] = useState<RollApiKeyResponse | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    void reload();
    const timer = window.setInterval(() => {
      if (document.visibilityState === "visible") void reload();
    }, REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [reload]);

  useEffect(
    () =>
      subscribeToWorkspaceEvents(workspace.id, {
        onWorkerUpdated: () => void reload(),
        onApiKeyUpdated: (apiKey) => {
          if (apiKey.id === keyId) void reload();
        },
        onApiKeyRevoked: (apiKey) => {
          if (apiKey.id === keyId) void reload();
        },
      }),
    [workspace.id, keyId, reload],
  );

  const setKey = (apiKey: ApiKey) => setData((current) => (current ? { ...current, apiKey } : current));
  const apiKey = detail?.apiKey;
  const active = apiKey !== undefined && apiKey.revokedAt === null;
  const roll = detail?.roll;
  const stillOnOldKey =
    detail && roll ? workersStillOnOldKey(detail.recentWorkers, keyId, roll.rolledAt) : [];

  return (
    <section aria-labelledby="api-key-heading">
      <p className="breadcrumb">
        <Link to={settingsPath(workspace.id, "api-keys")}>← API Keys</Link>
      </p>
      <h1 id="api-key-heading" tabIndex={-1}>
        {apiKey ? `Key “${apiKey.name}”` : "API key"}
      </h1>
      {notice ? <Notice onDismiss={() => setNotice(null)}>{notice}</Notice> : null}
      {loadError ? <Notice tone="error">{loadError}</Notice> : null}
      {loading ? <p className="muted">Loading the key…</p> : null}
      {apiKey && detail ? (
        <>
          <div className="panel">
            <dl className="key-detail-facts" aria-label="Key">
              <dt>Prefix</dt>
              <dd>
                <code className="key-prefix">{apiKey.prefix}…</code>
              </dd>
              <dt>Owner</dt>
              <dd>
                {apiKey.owner.name} ({apiKey.owner.email})
              </dd>
              <dt>Created</dt>
              <dd>
                <TimeAgo iso={apiKey.createdAt} now={now} />
              </dd>
              <dt>Last used</dt>
              <dd>
                <LastUsedCell apiKey={apiKey} now={now} />
              </dd>
              <dt>Expires</dt>
              <dd>
                <ExpiryCell apiKey={apiKey} now={now} />
                {active && apiKey.expiresAt ? (
                  <span className="muted"> ({formatExactTime(new Date(apiKey.expiresAt))})</span>
                ) : null}
              </dd>
              <dt>State</dt>
              <dd>{active ? "Active" : <RevokedBadge apiKey={apiKey} now={now} />}</dd>
            </dl>
            {active ? (
              <div className="button-row">
                <button type="button" className="button secondary" onClick={() => setDialog("rename")}>
                  Rename
                </button>
                {roll ? null : (
                  <button type="button" className="button secondary" onClick={() => setDialog("roll")}>
                    Roll
                  </button>
                )}
                <button type="button" className="button danger" onClick={() => setDialog("revoke")}>
                  Revoke
                </button>
              </div>
            ) : null}
          </div>

          {detail.leakReport ? (
            <div className="callout danger" role="note">
              <p>
                <strong>Reported leaked</strong> <TimeAgo iso={detail.leakReport.reportedAt} now={now} />:
                found at <span className="mono">{detail.leakReport.url || "an unnamed place"}</span>
                {detail.leakReport.source ? ` (${detail.leakReport.source})` : ""}. It was revoked at once;
                create a new key for the machines that used it, and remove this one from where it was
                published.
              </p>
            </div>
          ) : null}

          {roll ? (
            <section className="panel" aria-labelledby="roll-heading">
              <h2 id="roll-heading">Roll</h2>
              <p>
                Rolled <TimeAgo iso={roll.rolledAt} now={now} />
                {roll.replacedBy ? (
                  <>
                    , replaced by{" "}
                    <Link to={apiKeyPath(workspace.id, roll.replacedBy.id)}>
                      “{roll.replacedBy.name}” ({roll.replacedBy.prefix}…)
                    </Link>
                  </>
                ) : null}
                .{" "}
                {active && apiKey.expiresAt ? (
                  <>
                    This key stops working <TimeAgo iso={apiKey.expiresAt} now={now} />.
                  </>
                ) : null}
              </p>
              {active && stillOnOldKey.length > 0 ? (
                <div className="callout warning" data-testid="roll-status">
                  <p>
                    <strong>
                      {stillOnOldKey.length === 1
                        ? "1 worker still uses this key"
                        : `${stillOnOldKey.length} workers still use this key`}
                      :
                    </strong>{" "}
                    {stillOnOldKey.map((worker) => worker.name).join(", ")}. Log each in with the new key and
                    restart <code>cogno</code> there.
                  </p>
                </div>
              ) : null}
              {active && stillOnOldKey.length === 0 ? (
                <div className="callout success" data-testid="roll-status">
                  <p>
                    <strong>Safe to revoke now:</strong> no worker has used this key since the roll.
                  </p>
                </div>
              ) : null}
            </section>
          ) : null}

          <h2 id="recent-workers-heading">Workers that used this key in the last 30 days</h2>
          {detail.recentWorkers.length === 0 ? (
            <p className="muted">None.</p>
          ) : (
            <div className="table-scroll">
              <table className="data-table responsive" aria-labelledby="recent-workers-heading">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Hostname</th>
                    <th scope="col">Status</th>
                    <th scope="col">Last heartbeat</th>
                    <th scope="col">Last IP</th>
                  </tr>
                </thead>
                <tbody>
                  {detail.recentWorkers.map((worker) => (
                    <tr key={worker.id}>
                      <th scope="row" data-label="Name">
                        {worker.name}
                      </th>
                      <td data-label="Hostname">{worker.hostname}</td>
                      <td data-label="Status">
                        <StatusBadge status={worker.status} />
                      </td>
                      <td data-label="Last heartbeat">
                        <TimeAgo iso={worker.lastHeartbeatAt} now={now} fallback="—" />
                      </td>
                      <td data-label="Last IP" className="mono">
                        {worker.lastIp ?? "—"}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}

          {dialog === "rename" ? (
            <RenameApiKeyDialog
              workspaceId={workspace.id}
              apiKey={apiKey}
              onRenamed={(renamed) => {
                setKey(renamed);
                setDialog(null);
                setNotice(`Renamed to “${renamed.name}”.`);
              }}
              onDismiss={() => setDialog(null)}
            />
          ) : null}
          {dialog === "roll" ? (
            <RollApiKeyDialog
              workspaceId={workspace.id}
              apiKey={apiKey}
              onRolled={(result) => {
                setKey(result.previous);
                setDialog(null);
                setRevealed(result);
                void reload();
              }}
              onDismiss={() => setDialog(null)}
            />
          ) : null}
          {dialog === "revoke" ? (
            <RevokeApiKeyDialog
              workspaceId={workspace.id}
              apiKey={apiKey}
              showOwner={workspace.role !== "member"}
              onRevoked={(result) => {
                setKey(result.apiKey);
                setDialog(null);
                setNotice(`Revoked “${result.apiKey.name}” (${result.apiKey.prefix}…).`);
                void reload();
              }}
              onDismiss={() => setDialog(null)}
            />
          ) : null}
          {revealed ? (
            <RawKeyDialog
              keyName={revealed.apiKey.name}
              rawKey={revealed.key}
              displayPrefix={revealed.apiKey.prefix}
              onClosed={() => setRevealed(null)}
            />
          ) : null}
        </>
      ) : null}
    </section>
  );
}
