/**
 * Live updates from `GET /workspaces/:id/events` (server-sent events). EventSource reconnects by
 * itself after a dropped connection, but gives up for good when a reconnection gets an HTTP error
 * (a proxy's 502 while the server restarts); then a new one is opened after a pause that grows to
 * 10 s. `onOpen` fires on every (re)connection so a page can refetch what it missed meanwhile;
 * `onError` when the stream is lost, so a page can say so.
 */
import {
  type ApiKey,
  type Worker,
  type WorkspaceEventData,
  type WorkspaceEventName,
  workspaceEventSchemas,
} from "@cogno/protocol";

export interface WorkspaceEventHandlers {
  onWorkerUpdated?: (worker: Worker) => void;
  /** A worker was forgotten (from another tab, or after the retention period). */
  onWorkerRemoved?: (worker: { id: string }) => void;
  onApiKeyCreated?: (apiKey: ApiKey) => void;
  /** Renamed or rolled: still active. */
  onApiKeyUpdated?: (apiKey: ApiKey) => void;
  onApiKeyRevoked?: (apiKey: ApiKey) => void;
  onOpen?: () => void;
  onError?: () => void;
}

const FIRST_REOPEN_DELAY_MS = 2_000;
const MAX_REOPEN_DELAY_MS = 10_000;

export function subscribeToWorkspaceEvents(
  workspaceId: string,
  handlers: WorkspaceEventHandlers,
  baseUrl = "",
): () => void {
  const url = `${baseUrl}/api/v1/workspaces/${encodeURIComponent(workspaceId)}/events`;
  let source: EventSource | undefined;
  let reopenTimer: ReturnType<typeof setTimeout> | undefined;
  let reopenDelay = FIRST_REOPEN_DELAY_MS;
  let ended = false;

  const open = () => {
    const current = new EventSource(url, { withCredentials: true });
    source = current;
    const listen = <Name extends WorkspaceEventName>(
      event: Name,
      handler: ((data: WorkspaceEventData<Name>) => void) | undefined,
    ) => {
      if (handler === undefined) return;
      current.addEventListener(event, (message: MessageEvent<string>) => {
        const data = parseEventData(event, message.data);
        if (data !== null) handler(data);
      });
    };
    listen("worker.updated", handlers.onWorkerUpdated);
    listen("worker.removed", handlers.onWorkerRemoved);
    listen("api_key.created", handlers.onApiKeyCreated);
    listen("api_key.updated", handlers.onApiKeyUpdated);
    listen("api_key.revoked", handlers.onApiKeyRevoked);
    current.addEventListener("open", () => {
      reopenDelay = FIRST_REOPEN_DELAY_MS;
      handlers.onOpen?.();
    });
    current.addEventListener("error", () => {
      if (ended) return;
      handlers.onError?.();
      if (current.readyState !== EventSource.CLOSED) return; // the browser retries by itself
      reopenTimer = setTimeout(open, reopenDelay);
      reopenDelay = Math.min(reopenDelay * 2, MAX_REOPEN_DELAY_MS);
    });
  };
  open();

  return () => {
    ended = true;
    clearTimeout(reopenTimer);
    source?.close();
  };
}

/**
 * The event's data parsed with the contract's schema for its name. A malformed or off-contract
 * event is skipped: the next refetch (on reconnection or on a page's own timer) corrects the view.
 */
export function parseEventData<Name extends WorkspaceEventName>(
  event: Name,
  data: string,
): WorkspaceEventData<Name> | null {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return null;
  }
  const parsed = workspaceEventSchemas[event].safeParse(json);
  // Only a name for the type: the data was parsed by the schema of this very event name.
  return parsed.success ? (parsed.data as WorkspaceEventData<Name>) : null;
}
