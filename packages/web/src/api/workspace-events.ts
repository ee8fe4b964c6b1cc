/**
 * Live updates from `GET /workspaces/:id/events` (server-sent events). EventSource reconnects by
 * itself; `onOpen` fires on every (re)connection so a page can refetch what it missed meanwhile.
 */
import type { ApiKey, Worker } from "@cogno/protocol";

export interface WorkspaceEventHandlers {
  onWorkerUpdated?: (worker: Worker) => void;
  onApiKeyCreated?: (apiKey: ApiKey) => void;
  onApiKeyRevoked?: (apiKey: ApiKey) => void;
  onOpen?: () => void;
}

export function subscribeToWorkspaceEvents(
  workspaceId: string,
  handlers: WorkspaceEventHandlers,
  baseUrl = "",
): () => void {
  const source = new EventSource(`${baseUrl}/api/v1/workspaces/${encodeURIComponent(workspaceId)}/events`, {
    withCredentials: true,
  });
  const listen = <T>(event: string, handler: ((data: T) => void) | undefined) => {
    if (handler === undefined) return;
    source.addEventListener(event, (message: MessageEvent<string>) => {
      const data = parseEventData<T>(message.data);
      if (data !== null) handler(data);
    });
  };
  listen("worker.updated", handlers.onWorkerUpdated);
  listen("api_key.created", handlers.onApiKeyCreated);
  listen("api_key.revoked", handlers.onApiKeyRevoked);
  if (handlers.onOpen) source.addEventListener("open", handlers.onOpen);
  return () => source.close();
}

function parseEventData<T>(data: string): T | null {
  try {
    const parsed: unknown = JSON.parse(data);
    return typeof parsed === "object" && parsed !== null ? (parsed as T) : null;
  } catch {
    return null; // a malformed event is skipped; the next refetch corrects the view
  }
}
