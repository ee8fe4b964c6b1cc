import {
  API_KEY_LIMIT,
  type ApiKey,
  type CreateApiKeyResponse,
  type LeakReport,
  type RevokeApiKeyResponse,
  type RollApiKeyResponse,
  type WorkspaceSummary,
} from "@cogno/protocol";
import { useCallback, useEffect, useMemo, useState } from "react";
import { subscribeToWorkspaceEvents } from "../api/workspace-events.ts";
import { ExpiryCell, LastUsedCell, RevokedBadge } from "../components/api-key-state.tsx";
import { CreateApiKeyDialog } from "../components/create-api-key-dialog.tsx";
import { Notice } from "../components/notice.tsx";
import { usePageTitle } from "../components/page-title.ts";
import { RawKeyDialog } from "../components/raw-key-dialog.tsx";
import { RenameApiKeyDialog } from "../components/rename-api-key-dialog.tsx";
import { RevokeApiKeyDialog } from "../components/revoke-api-key-dialog.tsx";
import { RollApiKeyDialog } from "../components/roll-api-key-dialog.tsx";
import { Link, navigate, useLocation } from "../components/router.tsx";
import { useApi, useSession } from "../components/session.tsx";
import { SettingsPageHeader } from "../components/settings-page-header.tsx";
import { TimeAgo } from "../components/time-ago.tsx";
import { useNow } from "../components/use-now.ts";
import { useReloadable } from "../components/use-reloadable.ts";
import { countsTowardLimit } from "../lib/key-limit.ts";
import { mergeApiKey } from "../lib/merge-api-key.ts";
import { apiKeyPath } from "./api-key-page.tsx";

/** Leaked keys revoked this recently are called out above the list, whatever the filter. */
const LEAK_CALLOUT_MS = 30 * 86_400_000;

/** The one moment a raw key is held: from the create response until the dialog closes. */
interface Revealed {
  keyName: string;
  rawKey: string;
  prefix: string;
}

export function ApiKeysPage({ workspace }: { workspace: WorkspaceSummary }) {
  usePageTitle(`API Keys · ${workspace.name}`);
  const api = useApi();
  const { me } = useSession();
  const tick = useNow();
  const location = useLocation();
  const showRevoked = location.search.get("state") === "all";
  const canSeeAll = workspace.role !== "member";

  const [creating, setCreating] = useState(false);
  const [revealed, setRevealed] = useState<Revealed | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [renaming, setRenaming] = useState<ApiKey | null>(null);
  const [rolling, setRolling] = useState<ApiKey | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  // Every key, revoked ones too: the toggle only filters what is shown, and a key revoked because
  // it leaked is called out whatever the toggle says.
  const readKeys = useCallback(
    async () => (await api.listApiKeys(workspace.id, { includeRevoked: true })).apiKeys,
    [api, workspace.id],
  );
  const {
    data: apiKeys,
    setData: setApiKeys,
    loadError,
    loading,
    reload: loadKeys,
  } = useReloadable(readKeys);

  useEffect(() => {
    void loadKeys();
  }, [loadKeys]);

  useEffect(() => {
    // A member only ever sees their own keys, whatever the stream carries.
    const isVisible = (apiKey: ApiKey) => canSeeAll || apiKey.owner.id === me.user.id;
    const merge = (apiKey: ApiKey) => {
      if (isVisible(apiKey)) setApiKeys((keys) => (keys ? mergeApiKey(keys, apiKey, true) : keys));
    };
    return subscribeToWorkspaceEvents(workspace.id, {
      onApiKeyCreated: merge,
      onApiKeyUpdated: merge,
      onApiKeyRevoked: merge,
      onOpen: () => {
        // Read again on every opening: a reconnection may have missed events, and the first read may
        // predate the stream (a key created in between would show only at the next read).
        void loadKeys();
      },
    });
  }, [workspace.id, canSeeAll, me.user.id, loadKeys, setApiKeys]);

  // The clock is read again whenever the list changes, so a key just created is measured from now,
  // not from the last tick (a 7-day key was flagged "Expires soon" only up to 15 s after it appeared).
  // biome-ignore lint/correctness/useExhaustiveDependencies: a change of the list is the trigger
  const now = useMemo(() => new Date(Math.max(tick.getTime(), Date.now())), [tick, apiKeys]);
  const activeKeys = (apiKeys ?? []).filter((key) => key.revokedAt === null);
  const shownKeys = apiKeys === null ? null : showRevoked ? apiKeys : activeKeys;
  const myActiveKeys = activeKeys.filter((key) => key.owner.id === me.user.id);
  // A key in a roll's grace window still works but no longer counts toward the 25.
  const myCountedKeys = myActiveKeys.filter((key) => countsTowardLimit(key, myActiveKeys));
  const atLimit = myCountedKeys.length >= API_KEY_LIMIT;
  const recentlyLeaked = (apiKeys ?? []).filter(
    (key) =>
      key.revokedReason === "leaked" &&
      key.revokedAt !== null &&
      now.getTime() - Date.parse(key.revokedAt) < LEAK_CALLOUT_MS,
  );

  const handleCreated = (created: CreateApiKeyResponse) => {
    setApiKeys((keys) => mergeApiKey(keys ?? [], created.apiKey, true));
    setCreating(false);
    setNotice(null);
    setRevealed({ keyName: created.apiKey.name, rawKey: created.key, prefix: created.apiKey.prefix });
  };

  const handleRolled = (result: RollApiKeyResponse) => {
    setApiKeys((keys) => mergeApiKey(mergeApiKey(keys ?? [], result.previous, true), result.apiKey, true));
    setRolling(null);
    setNotice(null);
    setRevealed({ keyName: result.apiKey.name, rawKey: result.key, prefix: result.apiKey.prefix });
  };

  const handleRevoked = (result: RevokeApiKeyResponse) => {
    setApiKeys((keys) => mergeApiKey(keys ?? [], result.apiKey, true));
    setRevoking(null);
    const count = result.disconnectedWorkers;
    setNotice(
      `Revoked “${result.apiKey.name}” (${result.apiKey.prefix}…). ${
        count === 0
          ? "No workers were connected with it."
          : `${count} ${count === 1 ? "worker was" : "workers were"} disconnected.`
      }`,
    );
  };

  const toggleRevoked = (checked: boolean) => {
    const params = new URLSearchParams(location.search);
    if (checked) params.set("state", "all");
    else params.delete("state");
    const query = params.toString();
    navigate(`${location.pathname}${query ? `?${query}` : ""}`, { replace: true });
  };

  return (
    <section aria-labelledby="api-keys-heading">
      <SettingsPageHeader
        headingId="api-keys-heading"
        title="API Keys"
        description={
          <>
            Keys let <code>cogno</code> workers connect to <strong>{workspace.name}</strong>. Each key is
            shown once, when it is created.
          </>
        }
        action={
          // Disabled at the limit, and described by the counter that says why, before anyone types a name.
          <button
            type="button"
            className="button primary"
            onClick={() => setCreating(true)}
            disabled={atLimit}
            aria-describedby={atLimit ? "key-counter" : undefined}
          >
            Create
          </button>
        }
      />

      <p id="key-counter" className={`key-counter${atLimit ? " at-limit" : ""}`} data-testid="key-counter">
        <strong>
          {myCountedKeys.length} of {API_KEY_LIMIT} active keys
        </strong>
        {canSeeAll ? <span className="muted"> (yours; the limit is per person)</span> : null}
        {atLimit ? (
          <span> · That is the limit: revoke a key you no longer use before creating another.</span>
        ) : null}
      </p>

      {notice ? <Notice onDismiss={() => setNotice(null)}>{notice}</Notice> : null}
      {loadError ? <Notice tone="error">{loadError}</Notice> : null}
      {recentlyLeaked.length > 0 ? (
        <div className="callout danger" data-testid="leaked-keys">
          <p>
            <strong>
              {recentlyLeaked.length === 1
                ? "A key was revoked because it was found published"
                : `${recentlyLeaked.length} keys were revoked because they were found published`}
              :
            </strong>
          </p>
          <ul>
            {recentlyLeaked.map((key) => (
              <li key={key.id}>
                <Link to={apiKeyPath(workspace.id, key.id)}>{key.name}</Link>{" "}
                <code className="key-prefix">{key.prefix}…</code>,{" "}
                <LeakWhere workspaceId={workspace.id} keyId={key.id} />{" "}
                <TimeAgo iso={key.revokedAt} now={now} />. Create a new key for its machines.
              </li>
            ))}
          </ul>
        </div>
      ) : null}

      <div className="toolbar">
        <label className="checkbox">
          <input
            type="checkbox"
            checked={showRevoked}
            onChange={(event) => toggleRevoked(event.target.checked)}
          />
          Show revoked keys
        </label>
      </div>

      {loading ? <p className="muted">Loading keys…</p> : null}
      {shownKeys !== null && shownKeys.length === 0 ? (
        <div className="empty-state">
          <h2>No {showRevoked ? "" : "active "}keys yet</h2>
          <p>
            Create a key and copy it, then run <code>cogno login --token -</code> on the worker machine and
            paste the key when it asks.
          </p>
        </div>
      ) : null}
      {shownKeys !== null && shownKeys.length > 0 ? (
        <div className="table-scroll">
          <table className="data-table responsive" aria-label="API keys">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Prefix</th>
                {canSeeAll ? <th scope="col">Owner</th> : null}
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {shownKeys.map((apiKey) => (
                <tr
                  key={apiKey.id}
                  data-key-id={apiKey.id}
                  className={apiKey.revokedAt ? "revoked-row" : undefined}
                >
                  <th scope="row" data-label="Name" className="key-name">
                    <Link to={apiKeyPath(workspace.id, apiKey.id)}>{apiKey.name}</Link>
                  </th>
                  <td data-label="Prefix">
                    <code className="key-prefix">{apiKey.prefix}…</code>
                  </td>
                  {canSeeAll ? (
                    <td data-label="Owner">
                      <span title={apiKey.owner.email}>{apiKey.owner.name}</span>
                    </td>
                  ) : null}
                  <td data-label="Created">
                    <TimeAgo iso={apiKey.createdAt} now={now} />
                  </td>
                  <td data-label="Last used">
                    <LastUsedCell apiKey={apiKey} now={now} />
                  </td>
                  <td data-label="Expires">
                    <ExpiryCell apiKey={apiKey} now={now} />
                  </td>
                  <td data-label="Actions" className="actions">
                    {apiKey.revokedAt ? (
                      <>
                        <RevokedBadge apiKey={apiKey} now={now} />
                        {apiKey.revokedReason === "leaked" ? (
                          <span className="small-text leak-where">
                            {" "}
                            <LeakWhere workspaceId={workspace.id} keyId={apiKey.id} />
                          </span>
                        ) : null}
                      </>
                    ) : (
                      <span className="row-actions">
                        <button
                          type="button"
                          className="button secondary small"
                          aria-label={`Rename ${apiKey.name} (${apiKey.prefix}…)`}
                          onClick={() => setRenaming(apiKey)}
                        >
                          Rename
                        </button>
                        <button
                          type="button"
                          className="button secondary small"
                          aria-label={`Roll ${apiKey.name} (${apiKey.prefix}…)`}
                          onClick={() => setRolling(apiKey)}
                        >
                          Roll
                        </button>
                        <button
                          type="button"
                          className="icon-button danger"
                          // The prefix makes each button's name unique, even for keys that share a name.
                          aria-label={`Revoke ${apiKey.name} (${apiKey.prefix}…)`}
                          title={`Revoke ${apiKey.name} (${apiKey.prefix}…)`}
                          onClick={() => setRevoking(apiKey)}
                        >
                          <RevokeIcon />
                        </button>
                      </span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}

      {creating ? (
        <CreateApiKeyDialog
          workspaceId={workspace.id}
          existingKeys={activeKeys.map((key) => ({
            name: key.name,
            prefix: key.prefix,
            otherOwner: key.owner.id === me.user.id ? null : key.owner.name,
          }))}
          ownActiveKeyCount={myActiveKeys.length}
          onCreated={handleCreated}
          onDismiss={() => setCreating(false)}
        />
      ) : null}
      {revealed ? (
        <RawKeyDialog
          keyName={revealed.keyName}
          rawKey={revealed.rawKey}
          displayPrefix={revealed.prefix}
          onClosed={() => setRevealed(null)}
        />
      ) : null}
      {renaming ? (
        <RenameApiKeyDialog
          workspaceId={workspace.id}
          apiKey={renaming}
          onRenamed={(renamed) => {
            setApiKeys((keys) => mergeApiKey(keys ?? [], renamed, true));
            setRenaming(null);
            setNotice(`Renamed to “${renamed.name}” (${renamed.prefix}…).`);
          }}
          onDismiss={() => setRenaming(null)}
        />
      ) : null}
      {rolling ? (
        <RollApiKeyDialog
          workspaceId={workspace.id}
          apiKey={rolling}
          onRolled={handleRolled}
          onDismiss={() => setRolling(null)}
        />
      ) : null}
      {revoking ? (
        <RevokeApiKeyDialog
          workspaceId={workspace.id}
          apiKey={revoking}
          showOwner={canSeeAll}
          onRevoked={handleRevoked}
          onDismiss={() => setRevoking(null)}
        />
      ) : null}
    </section>
  );
}

/** Where a leaked key was found, read from its page's data (the list does not carry it). */
function LeakWhere({ workspaceId, keyId }: { workspaceId: string; keyId: string }) {
  const api = useApi();
  const [report, setReport] = useState<LeakReport | null>(null);
  useEffect(() => {
    let current = true;
    api.getApiKey(workspaceId, keyId).then(
      (detail) => {
        if (current && detail.leakReport) setReport(detail.leakReport);
      },
      () => {
        // The reason stands without the place.
      },
    );
    return () => {
      current = false;
    };
  }, [api, workspaceId, keyId]);
  if (report === null) return <>reported leaked</>;
  return (
    <>
      found at <span className="mono">{report.url || "an unnamed place"}</span>
      {report.source ? ` (${report.source})` : ""}
    </>
  );
}

function RevokeIcon() {
  return (
    <svg viewBox="0 0 20 20" width="18" height="18" aria-hidden="true" focusable="false">
      <circle cx="10" cy="10" r="7.5" fill="none" stroke="currentColor" strokeWidth="1.8" />
      <path d="M4.8 15.2 15.2 4.8" stroke="currentColor" strokeWidth="1.8" />
    </svg>
  );
}
