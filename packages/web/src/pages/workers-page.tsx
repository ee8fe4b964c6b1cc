import type { WorkspaceSummary } from "@cogno/protocol";
import { useCallback, useEffect, useState } from "react";
import { subscribeToWorkspaceEvents } from "../api/workspace-events.ts";
import { settingsPath } from "../components/app-shell.tsx";
import { CommandLine } from "../components/command-line.tsx";
import { Notice } from "../components/notice.tsx";
import { usePageTitle } from "../components/page-title.ts";
import { Link } from "../components/router.tsx";
import { useApi } from "../components/session.tsx";
import { SettingsPageHeader } from "../components/settings-page-header.tsx";
import { StatusBadge } from "../components/status-badge.tsx";
import { TimeAgo } from "../components/time-ago.tsx";
import { useNow } from "../components/use-now.ts";
import { useReloadable } from "../components/use-reloadable.ts";
import { mergeWorker, sortWorkers } from "../lib/merge-worker.ts";

/**
 * Status is derived by the server when read (a silent worker turns offline without any event), so
 * besides the live stream the list is re-read now and then.
 */
const REFRESH_INTERVAL_MS = 30_000;

export function WorkersPage({ workspace }: { workspace: WorkspaceSummary }) {
  usePageTitle(`Workers · ${workspace.name}`);
  const api = useApi();
  const now = useNow(5_000);
  const readWorkers = useCallback(
    async () => sortWorkers((await api.listWorkers(workspace.id)).workers),
    [api, workspace.id],
  );
  const {
    data: workers,
    setData: setWorkers,
    loadError,
    loading,
    reload: loadWorkers,
  } = useReloadable(readWorkers);
  const [live, setLive] = useState(false);

  useEffect(() => {
    void loadWorkers();
    const timer = window.setInterval(() => {
      if (document.visibilityState === "visible") void loadWorkers();
    }, REFRESH_INTERVAL_MS);
    return () => window.clearInterval(timer);
  }, [loadWorkers]);

  useEffect(() => {
    let opened = false;
    return subscribeToWorkspaceEvents(workspace.id, {
      onWorkerUpdated: (worker) => setWorkers((current) => mergeWorker(current ?? [], worker)),
      onOpen: () => {
        setLive(true);
        if (opened) void loadWorkers();
        opened = true;
      },
    });
  }, [workspace.id, loadWorkers, setWorkers]);

  const origin = window.location.origin;
  return (
    <section aria-labelledby="workers-heading">
      <SettingsPageHeader
        headingId="workers-heading"
        title="Workers"
        description={
          <>
            Machines running the <code>cogno</code> worker daemon for <strong>{workspace.name}</strong>.
            {live ? <span className="live-indicator"> Updating live.</span> : null}
          </>
        }
      />
      {loadError ? <Notice tone="error">{loadError}</Notice> : null}
      {loading ? <p className="muted">Loading workers…</p> : null}
      {workers !== null && workers.length === 0 ? (
        <div className="empty-state">
          <h2>No workers yet</h2>
          <p>
            Create a key in <Link to={settingsPath(workspace.id, "api-keys")}>Settings &gt; API Keys</Link>,
            then run these two commands on the machine that should work for this workspace:
          </p>
          <ol className="steps">
            <li>
              <CommandLine command={`cogno login --token - --server ${origin}`} label="login command" />
              <p className="muted small-text">It asks for the key: paste it and press Enter.</p>
            </li>
            <li>
              <CommandLine command="cogno" label="worker command" />
            </li>
          </ol>
          <p className="muted">
            The worker appears here as soon as it registers and starts sending heartbeats.
          </p>
        </div>
      ) : null}
      {workers !== null && workers.length > 0 ? (
        <div className="table-scroll">
          <table className="data-table responsive" aria-label="Workers">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Hostname</th>
                <th scope="col">OS/arch</th>
                <th scope="col">Version</th>
                <th scope="col">Key</th>
                <th scope="col">Status</th>
                <th scope="col">Last heartbeat</th>
                <th scope="col">Connected since</th>
              </tr>
            </thead>
            <tbody>
              {workers.map((worker) => (
                <tr key={worker.id} data-worker-id={worker.id}>
                  <th scope="row" data-label="Name">
                    {worker.name}
                  </th>
                  <td data-label="Hostname">{worker.hostname}</td>
                  <td data-label="OS/arch">
                    {worker.os}/{worker.arch}
                  </td>
                  <td data-label="Version">{worker.version}</td>
                  <td data-label="Key">
                    {worker.apiKey.name} <code className="muted key-prefix">{worker.apiKey.prefix}…</code>
                  </td>
                  <td data-label="Status">
                    <StatusBadge status={worker.status} />
                  </td>
                  <td data-label="Last heartbeat">
                    <TimeAgo iso={worker.lastHeartbeatAt} now={now} fallback="—" />
                  </td>
                  <td data-label="Connected since">
                    <TimeAgo
                      iso={worker.status === "online" ? worker.connectedAt : null}
                      now={now}
                      fallback="—"
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
