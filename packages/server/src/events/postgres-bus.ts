/**
 * The bus across replicas: every replica LISTENs on one channel; publish delivers locally at once
 * and NOTIFYs the others. A replica ignores its own notifications (it delivered them already).
 * If the listening connection drops, it reconnects with backoff; events published meanwhile by
 * other replicas are missed, which is why no decision depends on the bus alone (authentication
 * always reads the database).
 */

import { randomBase62 } from "@cogno/protocol";
import pg from "pg";
import type { Logger } from "pino";
import { type DomainEvent, type EventBus, ListenerSet } from "./bus.ts";

const CHANNEL = "cogno_events";

interface Envelope {
  origin: string;
  event: DomainEvent;
}

export async function createPostgresBus(connectionString: string, log: Logger): Promise<EventBus> {
  const replicaId = randomBase62(12);
  const listeners = new ListenerSet((error, event) =>
    log.error({ err: error, event: event.type }, "event listener failed"),
  );
  // Nothing waits for ever on a database that stopped answering (the publish fails instead).
  const timeouts = { connectionTimeoutMillis: 5_000, query_timeout: 10_000, keepAlive: true };
  const publisher = new pg.Pool({ connectionString, max: 2, ...timeouts });
  // A connection that PostgreSQL ends (restart, failover) emits "error"; unheard, the event would
  // crash the process. The pool hears idle connections; each connection gets its own listener for
  // while a publish runs on it (that publish then fails). The next publish opens a new connection.
  publisher.on("error", (error) => log.warn({ error: error.message }, "event bus publisher connection lost"));
  publisher.on("connect", (client) => client.on("error", () => {}));
  let listener: pg.Client | undefined;
  let closed = false;
  let retryDelayMs = 100;

  const connectListener = async (): Promise<void> => {
    const client = new pg.Client({ connectionString, ...timeouts });
    client.on("notification", (message) => {
      if (message.channel !== CHANNEL || !message.payload) return;
      const envelope = JSON.parse(message.payload) as Envelope;
      if (envelope.origin !== replicaId) listeners.deliver(envelope.event);
    });
    client.on("error", (error) => {
      log.warn({ error: error.message }, "event bus connection lost; reconnecting");
      listener = undefined;
      void client.end().catch(() => {});
      scheduleReconnect();
    });
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    listener = client;
    retryDelayMs = 100;
  };

  const scheduleReconnect = (): void => {
    if (closed) return;
    const delay = retryDelayMs;
    retryDelayMs = Math.min(retryDelayMs * 2, 5_000);
    setTimeout(() => {
      if (closed) return;
      connectListener().catch((error: unknown) => {
        log.warn({ err: error }, "event bus reconnect failed");
        scheduleReconnect();
      });
    }, delay).unref();
  };

  await connectListener();

  return {
    async publish(event) {
      listeners.deliver(event);
      const envelope: Envelope = { origin: replicaId, event };
      await publisher.query("select pg_notify($1, $2)", [CHANNEL, JSON.stringify(envelope)]);
    },
    subscribe: (fn) => listeners.add(fn),
    async close() {
      closed = true;
      await listener?.end().catch(() => {});
      await publisher.end();
    },
  };
}
