/**
 * The event bus: how domains react to each other without importing each other, and how replicas
 * hear what happened on another replica. `apikeys` publishes "key revoked"; the worker gateway
 * listens and closes sockets. In-process on SQLite; over PostgreSQL LISTEN/NOTIFY with replicas.
 */
import type { ApiKey } from "@cogno/protocol";

export type DomainEvent =
  | { type: "api_key.created"; workspaceId: string; apiKey: ApiKey }
  | { type: "api_key.revoked"; workspaceId: string; apiKey: ApiKey }
  | { type: "member.removed"; workspaceId: string; userId: string }
  | { type: "worker.updated"; workspaceId: string; workerId: string }
  /** A browser session ended (sign-out): every replica ends the event streams it opened. */
  | { type: "session.ended"; sessionId: string }
  /** A machine connected again: whichever replica holds its older socket closes it. */
  | { type: "worker.connected"; workspaceId: string; workerId: string; connectionId: string };

export type EventListener = (event: DomainEvent) => void;

export interface EventBus {
  /**
   * Delivers to this replica's listeners before it returns (so a revocation has closed local
   * sockets before the DELETE answers), then to every other replica.
   */
  publish(event: DomainEvent): Promise<void>;
  subscribe(listener: EventListener): () => void;
  close(): Promise<void>;
}

/** Calls listeners one by one; a failing listener is reported and does not stop the others. */
export class ListenerSet {
  readonly #listeners = new Set<EventListener>();
  readonly #onError: (error: unknown, event: DomainEvent) => void;

  constructor(onError: (error: unknown, event: DomainEvent) => void) {
    this.#onError = onError;
  }

  add(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  deliver(event: DomainEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.#onError(error, event);
      }
    }
  }
}

export function createInProcessBus(onError: (error: unknown, event: DomainEvent) => void): EventBus {
  const listeners = new ListenerSet(onError);
  return {
    async publish(event) {
      listeners.deliver(event);
    },
    subscribe: (listener) => listeners.add(listener),
    async close() {},
  };
}
