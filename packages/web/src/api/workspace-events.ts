/**
 * Live updates from `GET /workspaces/:id/events` (server-sent events). EventSource reconnects by
 * itself after a dropped connection, but gives up for good when a reconnection gets an HTTP error
 * (a proxy's 502 while the server restarts); then a new one is opened after a pause that grows to
 * 10 s. `onOpen` fires on every (re)connection so a page can refetch what it missed meanwhile;
 * `onError` when the stream is lost, so a page can say so.
 */
import type { ApiKey, Worker } from "@cogno/protocol";

export interface WorkspaceEventHandlers {
  onWorkerUpdated?: (worker: Worker) => void;
  onApiKeyCreated?: (apiKey: ApiKey) => void;
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
    const listen = <T>(event: string, handler: ((data: T) => void) | undefined) => {
      if (handler === undefined) return;
      current.addEventListener(event, (message: MessageEvent<string>) => {
        const data = parseEventData<T>(message.data);
        if (data !== null) handler(data);
      });
    };
    listen("worker.updated", handlers.onWorkerUpdated);
    listen("api_key.created", handlers.onApiKeyCreated);
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

function parseEventData<T>(data: string): T | null {
  try {
    const parsed: unknown = JSON.parse(data);
    return typeof parsed === "object" && parsed !== null ? (parsed as T) : null;
  } catch {
    return null; // a malformed event is skipped; the next refetch corrects the view
  }
}
