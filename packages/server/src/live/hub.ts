/**
 * The one listener on the bus for every event stream of this replica. Events carry ids; the record
 * is read from the database once here (a `worker.updated` loads its worker once, however many pages
 * are open), then handed to each stream of its workspace, which applies its own visibility rules.
 */
import type { ApiKey, Worker } from "@cogno/protocol";
import type { Logger } from "pino";
import type { DomainEvent, EventBus } from "../events/bus.ts";

/** What a stream may pass on to its page, already loaded. */
export type LiveUpdate =
  | { type: "worker.updated"; worker: Worker }
  | { type: "api_key.created" | "api_key.updated" | "api_key.revoked"; apiKey: ApiKey };

/** One open event stream, as the hub sees it. */
export interface LiveStream {
  readonly workspaceId: string;
  readonly userId: string;
  /** The browser session that opened it: the stream ends when the session does. */
  readonly sessionId: string;
  /** Sends the update if this stream's reader may see it. */
  deliver(update: LiveUpdate): void;
  /** Checks again that the session and the membership that opened the stream still hold. */
  recheckAccess(): void;
  end(): void;
}

export interface LiveHub {
  /** Starts handing events to the stream; returns how to stop. */
  add(stream: LiveStream): () => void;
  /** Stops listening and ends every open stream, so the server can close promptly. */
  closeAll(): void;
}

export interface LiveHubDeps {
  bus: EventBus;
  log: Logger;
  loadWorker(workerId: string): Promise<Worker | undefined>;
  loadApiKey(keyId: string): Promise<ApiKey | undefined>;
}

export function createLiveHub(deps: LiveHubDeps): LiveHub {
  const byWorkspace = new Map<string, Set<LiveStream>>();
  /**
   * Workers being loaded. An update that arrives meanwhile asks for one more load after it, so a
   * burst costs at most two reads per worker, and the last read is delivered last.
   */
  const loading = new Map<string, { again: boolean }>();

  const streamsOf = (workspaceId: string): LiveStream[] => [...(byWorkspace.get(workspaceId) ?? [])];

  const loadAndDeliver = (workspaceId: string, workerId: string): void => {
    const inFlight = loading.get(workerId);
    if (inFlight) {
      inFlight.again = true;
      return;
    }
    const load = { again: false };
    loading.set(workerId, load);
    deps
      .loadWorker(workerId)
      .then((worker) => {
        if (!worker) return;
        for (const stream of streamsOf(workspaceId)) stream.deliver({ type: "worker.updated", worker });
      })
      .catch((error: unknown) => deps.log.warn({ err: error }, "could not load a worker for event streams"))
      .finally(() => {
        loading.delete(workerId);
        if (load.again && byWorkspace.has(workspaceId)) loadAndDeliver(workspaceId, workerId);
      });
  };

  const onEvent = (event: DomainEvent): void => {
    if (event.type === "session.ended") {
      for (const streams of byWorkspace.values()) {
        for (const stream of [...streams]) if (stream.sessionId === event.sessionId) stream.end();
      }
      return;
    }
    if (!byWorkspace.has(event.workspaceId)) return;
    switch (event.type) {
      case "worker.updated":
        loadAndDeliver(event.workspaceId, event.workerId);
        break;
      case "api_key.created":
      case "api_key.updated":
      case "api_key.revoked": {
        const { type, workspaceId } = event;
        deps
          .loadApiKey(event.keyId)
          .then((apiKey) => {
            if (!apiKey) return;
            for (const stream of streamsOf(workspaceId)) stream.deliver({ type, apiKey });
          })
          .catch((error: unknown) => deps.log.warn({ err: error }, "could not load a key for event streams"));
        break;
      }
      case "member.removed":
        // Removed: their streams end now. Anyone else: roles may have changed with the list.
        for (const stream of streamsOf(event.workspaceId)) {
          if (stream.userId === event.userId) stream.end();
          else stream.recheckAccess();
        }
        break;
      case "member.role_changed":
        // What their streams may show (every key, or their own) follows the new role.
        for (const stream of streamsOf(event.workspaceId)) {
          if (stream.userId === event.userId) stream.recheckAccess();
        }
        break;
      default:
        break;
    }
  };

  const unsubscribe = deps.bus.subscribe(onEvent);

  return {
    add(stream) {
      let streams = byWorkspace.get(stream.workspaceId);
      if (!streams) {
        streams = new Set();
        byWorkspace.set(stream.workspaceId, streams);
      }
      streams.add(stream);
      return () => {
        streams.delete(stream);
        if (streams.size === 0 && byWorkspace.get(stream.workspaceId) === streams) {
          byWorkspace.delete(stream.workspaceId);
        }
      };
    },
    closeAll() {
      unsubscribe();
      for (const streams of [...byWorkspace.values()]) for (const stream of [...streams]) stream.end();
    },
  };
}
