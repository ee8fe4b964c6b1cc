/**
 * The event bus: how domains react to each other without importing each other, and how replicas
 * hear what happened on another replica. In-process on SQLite; over PostgreSQL LISTEN/NOTIFY with
 * replicas. Events carry ids, never whole records: a listener that needs the record reads it, so no
 * payload comes near PostgreSQL's 8,000-byte NOTIFY limit, whatever users type into names.
 *
 * The bus is for news that may arrive late (a page's live view, a replaced socket). Key revocation,
 * which must never arrive late, travels through the acknowledged key-change feed (key-changes.ts).
 */
import { z } from "zod";

const id = z.string().max(100);

export const domainEventSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("api_key.created"), workspaceId: id, keyId: id }),
  /** Renamed or rolled: still active. */
  z.object({ type: z.literal("api_key.updated"), workspaceId: id, keyId: id }),
  z.object({ type: z.literal("api_key.revoked"), workspaceId: id, keyId: id }),
  z.object({ type: z.literal("member.removed"), workspaceId: id, userId: id }),
  z.object({ type: z.literal("member.role_changed"), workspaceId: id, userId: id }),
  z.object({ type: z.literal("worker.updated"), workspaceId: id, workerId: id }),
  z.object({ type: z.literal("worker.removed"), workspaceId: id, workerId: id }),
  /** A browser session ended (sign-out): every replica ends the event streams it opened. */
  z.object({ type: z.literal("session.ended"), sessionId: id }),
  /** A machine connected again: whichever replica holds its older socket closes it. */
  z.object({ type: z.literal("worker.connected"), workspaceId: id, workerId: id, connectionId: id }),
  /** Stopped from the web app: whichever replica holds the worker's socket tells it who, and closes it. */
  z.object({
    type: z.literal("worker.stop_requested"),
    workspaceId: id,
    workerId: id,
    by: z.object({ id, name: z.string().max(100) }),
  }),
]);
export type DomainEvent = z.infer<typeof domainEventSchema>;

export type EventListener = (event: DomainEvent) => void;

export interface EventBus {
  /** Delivers to this replica's listeners before it returns, then to every other replica. */
  publish(event: DomainEvent): Promise<void>;
  subscribe(listener: EventListener): () => void;
  close(): Promise<void>;
}

/** Calls listeners one by one; a failing listener is reported and does not stop the others. */
export class ListenerSet<Event> {
  readonly #listeners = new Set<(event: Event) => void>();
  readonly #onError: (error: unknown, event: Event) => void;

  constructor(onError: (error: unknown, event: Event) => void) {
    this.#onError = onError;
  }

  add(listener: (event: Event) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  deliver(event: Event): void {
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
  const listeners = new ListenerSet<DomainEvent>(onError);
  return {
    async publish(event) {
      listeners.deliver(event);
    },
    subscribe: (listener) => listeners.add(listener),
    async close() {},
  };
}
