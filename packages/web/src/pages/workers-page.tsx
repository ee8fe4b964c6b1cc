import type { ServerInfo, Worker, WorkspaceSummary } from "@cogno/protocol";
import { useCallback, useEffect, useRef, useState } from "react";
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
import { ForgetWorkerDialog, StopWorkerDialog } from "../components/worker-action-dialogs.tsx";
import { mergeWorker, sortWorkers } from "../lib/merge-worker.ts";
import { formatExactTime } from "../lib/relative-time.ts";
import {
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  nextStatusChangeAt,
  readHeartbeatInterval,
  statusAt,
} from "../lib/worker-presence.ts";

/**
 * Heartbeats send the page no event, so while a worker is shown online the list is re-read every
 * half interval: a healthy worker's last heartbeat then never looks older than 3 intervals, and a
 * frozen one turns offline by the clock (worker-presence.ts) right when the server would say so.
 * With no worker online, events carry every change and the list is re-read only now and then.
 */
const IDLE_REFRESH_INTERVAL_MS = 30_000;

/** The event stream: not yet open, open, or lost (since when) while the browser reconnects. */
type Connection = { state: "connecting" } | { state: "live" } | { state: "lost"; since: Date };

export function WorkersPage({ workspace }: { workspace: WorkspaceSummary }) {
  usePageTitle(`Workers · ${workspace.name}`);
  const api = useApi();
  const [heartbeatIntervalMs, setHeartbeatIntervalMs] = useState(DEFAULT_HEARTBEAT_INTERVAL_MS);
  const [retentionDays, setRetentionDays] = useState<number | null>(null);
  const serverInfo = useRef<Promise<ServerInfo> | null>(null);
  const readWorkers = useCallback(async () => {
    // The server's settings do not change while it runs: asked once per page.
    serverInfo.current ??= api.getServerInfo();
    const [listed, server] = await Promise.all([api.listWorkers(workspace.id), serverInfo.current]);
    setHeartbeatIntervalMs(readHeartbeatInterval(server.heartbeatIntervalMs));
    setRetentionDays(server.workerRetentionDays);
    return sortWorkers(listed.workers);
  }, [api, workspace.id]);
  const {
    data: workers,
    setData: setWorkers,
    loadError,
    loading,
    reload: loadWorkers,
  } = useReloadable(readWorkers);
  const [connection, setConnection] = useState<Connection>({ state: "connecting" });
  const [acting, setActing] = useState<{ action: "stop" | "forget"; worker: Worker } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const ownKeyIds = useOwnKeyIds(workspace);
  // Owners and admins act on any worker; members on workers of their own keys (API.md v1.1).
  const mayAct = (worker: Worker) =>
    workspace.role !== "member" || (ownKeyIds?.has(worker.apiKey.id) ?? false);

  // The shown status of each worker moves with the clock: re-rendered every few seconds for the
  // relative times, and at the very moment the next worker's heartbeats are 3 intervals old.
  const [wakeAt, setWakeAt] = useState<number | null>(null);
  const now = useNow(5_000, wakeAt);
  const shown =
    workers === null
      ? null
      : sortWorkers(
          workers.map((worker) => ({ ...worker, status: statusAt(worker, now, heartbeatIntervalMs) })),
        );
  const nextChange = workers ? nextStatusChangeAt(workers, now, heartbeatIntervalMs) : null;
  useEffect(() => setWakeAt(nextChange), [nextChange]);
  const anyOnline = shown?.some((worker) => worker.status === "online") ?? false;

  useEffect(() => {
    void loadWorkers();
  }, [loadWorkers]);

  const refreshMs = anyOnline ? heartbeatIntervalMs / 2 : IDLE_REFRESH_INTERVAL_MS;
  useEffect(() => {
    const timer = window.setInterval(() => {
      if (document.visibilityState === "visible") void loadWorkers();
    }, refreshMs);
    return () => window.clearInterval(timer);
  }, [loadWorkers, refreshMs]);

  // A tab in the background is not re-read; coming back, it reads at once rather than show stale times.
  useEffect(() => {
    const onVisible = () => {
      if (document.visibilityState === "visible") void loadWorkers();
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => document.removeEventListener("visibilitychange", onVisible);
  }, [loadWorkers]);

  useEffect(() => {
    return subscribeToWorkspaceEvents(workspace.id, {
      onWorkerUpdated: (worker) => setWorkers((current) => mergeWorker(current ?? [], worker)),
      onWorkerRemoved: ({ id }) =>
        setWorkers((current) => current?.filter((worker) => worker.id !== id) ?? null),
      onOpen: () => {
        setConnection({ state: "live" });
        // Read the list again on every opening: events sent while the stream was down are lost, and
        // the first read may predate the stream (a worker that registered in between was shown only
        // at the next refresh, 30 s later).
        void loadWorkers();
      },
      onError: () => {
        setConnection((current) =>
          current.state === "lost" ? current : { state: "lost", since: new Date() },
        );
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
            {connection.state === "live" ? (
              <span className="live-indicator" data-testid="connection-state">
                {" "}
                Updating live.
              </span>
            ) : null}
          </>
        }
      />
      {connection.state === "lost" ? (
        <Notice tone="error">
          <strong data-testid="connection-state">Lost contact with the server</strong> at{" "}
          {formatExactTime(connection.since)}. Reconnecting… Until then this list does not update: a worker
          whose heartbeats stop still turns offline here after 3 intervals, but new workers and changes do not
          show.
        </Notice>
      ) : null}
      {notice ? <Notice onDismiss={() => setNotice(null)}>{notice}</Notice> : null}
      {/* While the stream is lost, a failed re-read has the same cause: one message says it. */}
      {loadError && connection.state !== "lost" ? <Notice tone="error">{loadError}</Notice> : null}
      {loading ? <p className="muted">Loading workers…</p> : null}
      {shown !== null && shown.length === 0 ? (
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
      {shown !== null && shown.length > 0 ? (
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
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((worker) => (
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
                  <td data-label="Actions" className="actions">
                    {mayAct(worker) ? (
                      <WorkerActions
                        worker={worker}
                        // Forget is for workers that are gone; the server still says 409 if it is connected.
                        connected={workers?.find((held) => held.id === worker.id)?.status === "online"}
                        onStop={() => setActing({ action: "stop", worker })}
                        onForget={() => setActing({ action: "forget", worker })}
                      />
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {acting?.action === "stop" ? (
        <StopWorkerDialog
          workspaceId={workspace.id}
          worker={acting.worker}
          onDismiss={() => setActing(null)}
          onStopped={(stopped) => {
            setWorkers((current) => mergeWorker(current ?? [], stopped));
            setActing(null);
            setNotice(
              `Stopped ${stopped.name}: its daemon exited. The key stays valid; run cogno on ${stopped.hostname} to start it again.`,
            );
          }}
        />
      ) : null}
      {acting?.action === "forget" ? (
        <ForgetWorkerDialog
          retentionDays={retentionDays}
          workspaceId={workspace.id}
          worker={acting.worker}
          onDismiss={() => setActing(null)}
          onForgotten={(forgotten) => {
            setWorkers((current) => current?.filter((worker) => worker.id !== forgotten.id) ?? null);
            setActing(null);
            setNotice(`Forgot ${forgotten.name}. If it runs again with a valid key, it shows here again.`);
          }}
        />
      ) : null}
    </section>
  );
}

function WorkerActions({
  worker,
  connected,
  onStop,
  onForget,
}: {
  worker: Worker;
  connected: boolean;
  onStop: () => void;
  onForget: () => void;
}) {
  // Names may repeat across machines; the hostname and id make each button's name unique.
  const which = `${worker.name} (${worker.hostname}, ${worker.id})`;
  return connected ? (
    <button type="button" className="button secondary small" aria-label={`Stop ${which}`} onClick={onStop}>
      Stop
    </button>
  ) : (
    <button
      type="button"
      className="button secondary small"
      aria-label={`Forget ${which}`}
      onClick={onForget}
    >
      Forget
    </button>
  );
}

/** A member's own key ids (their list holds only theirs), to offer actions only where the server allows them. */
function useOwnKeyIds(workspace: WorkspaceSummary): ReadonlySet<string> | null {
  const api = useApi();
  const [ids, setIds] = useState<ReadonlySet<string> | null>(null);
  useEffect(() => {
    if (workspace.role !== "member") return;
    let current = true;
    api.listApiKeys(workspace.id, { includeRevoked: true }).then(
      ({ apiKeys }) => {
        if (current) setIds(new Set(apiKeys.map((apiKey) => apiKey.id)));
      },
      () => {
        // Without the list a member sees no actions; the server would refuse others' workers anyway.
      },
    );
    return () => {
      current = false;
    };
  }, [api, workspace.id, workspace.role]);
  return ids;
}
