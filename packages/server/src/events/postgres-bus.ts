/**
 * The bus across replicas: publish delivers locally at once and NOTIFYs the others; a replica
 * ignores its own notifications (it delivered them already). Notifications lost while the
 * listening connection reconnects are not replayed: nothing on this bus must arrive (live pages
 * refetch when their stream reconnects; revocations travel through the key-change feed).
 */
import type { Logger } from "pino";
import { z } from "zod";
import { type DomainEvent, domainEventSchema, type EventBus, ListenerSet } from "./bus.ts";
import type { PostgresChannel } from "./postgres-channel.ts";

const CHANNEL = "cogno_events";

const envelopeSchema = z.object({ origin: z.string(), event: domainEventSchema });

export async function createPostgresBus(
  channel: PostgresChannel,
  replicaId: string,
  log: Logger,
): Promise<EventBus> {
  const listeners = new ListenerSet<DomainEvent>((error, event) =>
    log.error({ err: error, event: event.type }, "event listener failed"),
  );
  await channel.listen(CHANNEL, (payload) => {
    const envelope = envelopeSchema.safeParse(safeJson(payload));
    if (!envelope.success) {
      log.warn("ignored a malformed event notification");
      return;
    }
    if (envelope.data.origin !== replicaId) listeners.deliver(envelope.data.event);
  });
  return {
    async publish(event) {
      listeners.deliver(event);
      try {
        await channel.notify(CHANNEL, JSON.stringify({ origin: replicaId, event }));
      } catch (error) {
        // Delivered here; other replicas' live views catch up when they next refetch.
        log.warn({ err: error, event: event.type }, "could not announce an event to other replicas");
      }
    },
    subscribe: (listener) => listeners.add(listener),
    async close() {},
  };
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
