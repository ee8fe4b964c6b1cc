import {
  API_KEY_LIMIT,
  type ApiKey,
  type CreateApiKeyResponse,
  type RevokeApiKeyResponse,
  type WorkspaceSummary,
} from "@cogno/protocol";
import { useCallback, useEffect, useRef, useState } from "react";
import { subscribeToWorkspaceEvents } from "../api/workspace-events.ts";
import { CreateApiKeyDialog } from "../components/create-api-key-dialog.tsx";
import { Notice } from "../components/notice.tsx";
import { usePageTitle } from "../components/page-title.ts";
import { RawKeyDialog } from "../components/raw-key-dialog.tsx";
import { RevokeApiKeyDialog } from "../components/revoke-api-key-dialog.tsx";
import { navigate, useLocation } from "../components/router.tsx";
import { useApi, useSession } from "../components/session.tsx";
import { SettingsPageHeader } from "../components/settings-page-header.tsx";
import { TimeAgo } from "../components/time-ago.tsx";
import { useNow } from "../components/use-now.ts";
import { useReloadable } from "../components/use-reloadable.ts";
import { mergeApiKey } from "../lib/merge-api-key.ts";

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
  const now = useNow();
  const location = useLocation();
  const showRevoked = location.search.get("state") === "all";
  const canSeeAll = workspace.role !== "member";

  const [creating, setCreating] = useState(false);
  const [revealed, setRevealed] = useState<Revealed | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const showRevokedRef = useRef(showRevoked);
  showRevokedRef.current = showRevoked;

  // The toggle is read through a ref so that flipping it re-reads without reopening the event stream.
  const readKeys = useCallback(
    async () => (await api.listApiKeys(workspace.id, { includeRevoked: showRevokedRef.current })).apiKeys,
    [api, workspace.id],
  );
  const {
    data: apiKeys,
    setData: setApiKeys,
    loadError,
    loading,
    reload: loadKeys,
  } = useReloadable(readKeys);

  // biome-ignore lint/correctness/useExhaustiveDependencies: reload when the revoked toggle changes
  useEffect(() => {
    void loadKeys();
  }, [loadKeys, showRevoked]);

  useEffect(() => {
    let opened = false;
    // A member only ever sees their own keys, whatever the stream carries.
    const isVisible = (apiKey: ApiKey) => canSeeAll || apiKey.owner.id === me.user.id;
    return subscribeToWorkspaceEvents(workspace.id, {
      onApiKeyCreated: (apiKey) => {
        if (isVisible(apiKey))
          setApiKeys((keys) => (keys ? mergeApiKey(keys, apiKey, showRevokedRef.current) : keys));
      },
      onApiKeyRevoked: (apiKey) => {
        if (isVisible(apiKey))
          setApiKeys((keys) => (keys ? mergeApiKey(keys, apiKey, showRevokedRef.current) : keys));
      },
      onOpen: () => {
        // The first open follows the initial load; later ones are reconnections that may have missed events.
        if (opened) void loadKeys();
        opened = true;
      },
    });
  }, [workspace.id, canSeeAll, me.user.id, loadKeys, setApiKeys]);

  const activeKeys = (apiKeys ?? []).filter((key) => key.revokedAt === null);
  const myActiveKeys = activeKeys.filter((key) => key.owner.id === me.user.id);
  const atLimit = myActiveKeys.length >= API_KEY_LIMIT;

  const handleCreated = (created: CreateApiKeyResponse) => {
    setApiKeys((keys) => mergeApiKey(keys ?? [], created.apiKey, showRevokedRef.current));
    setCreating(false);
    setNotice(null);
    setRevealed({ keyName: created.apiKey.name, rawKey: created.key, prefix: created.apiKey.prefix });
  };

  const handleRevoked = (result: RevokeApiKeyResponse) => {
    setApiKeys((keys) => mergeApiKey(keys ?? [], result.apiKey, showRevokedRef.current));
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
          {myActiveKeys.length} of {API_KEY_LIMIT} active keys
        </strong>
        {canSeeAll ? <span className="muted"> (yours; the limit is per person)</span> : null}
        {atLimit ? (
          <span> · That is the limit: revoke a key you no longer use before creating another.</span>
        ) : null}
      </p>

      {notice ? <Notice onDismiss={() => setNotice(null)}>{notice}</Notice> : null}
      {loadError ? <Notice tone="error">{loadError}</Notice> : null}

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
      {apiKeys !== null && apiKeys.length === 0 ? (
        <div className="empty-state">
          <h2>No {showRevoked ? "" : "active "}keys yet</h2>
          <p>
            Create a key and copy it, then run <code>cogno login --token -</code> on the worker machine and
            paste the key when it asks.
          </p>
        </div>
      ) : null}
      {apiKeys !== null && apiKeys.length > 0 ? (
        <div className="table-scroll">
          <table className="data-table responsive" aria-label="API keys">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Prefix</th>
                {canSeeAll ? <th scope="col">Owner</th> : null}
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {apiKeys.map((apiKey) => (
                <tr
                  key={apiKey.id}
                  data-key-id={apiKey.id}
                  className={apiKey.revokedAt ? "revoked-row" : undefined}
                >
                  <th scope="row" data-label="Name" className="key-name">
                    {apiKey.name}
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
                    <TimeAgo iso={apiKey.lastUsedAt} now={now} fallback="never" />
                  </td>
                  <td data-label="Actions" className="actions">
                    {apiKey.revokedAt ? (
                      <span className="badge badge-revoked">
                        Revoked <TimeAgo iso={apiKey.revokedAt} now={now} />
                      </span>
                    ) : (
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

function RevokeIcon() {
  return (
    <svg viewBox="0 0 20 20" width="18" height="18" aria-hidden="true" focusable="false">
      <circle cx="10" cy="10" r="7.5" fill="none" stroke="currentColor" strokeWidth="1.8" />
      <path d="M4.8 15.2 15.2 4.8" stroke="currentColor" strokeWidth="1.8" />
    </svg>
  );
}
