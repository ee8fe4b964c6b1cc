/**
 * One LISTEN connection per replica, shared by everything that hears other replicas (the bus, the
 * key-change feed), and a small pool to NOTIFY with. When the listening connection drops (a
 * database restart, a failover) it reconnects with backoff and tells its users, who then catch up
 * from the database on what they may have missed: notifications sent meanwhile are lost.
 */
import pg from "pg";
import type { Logger } from "pino";

export interface PostgresChannel {
  listen(channel: string, onPayload: (payload: string) => void): Promise<void>;
  notify(channel: string, payload: string): Promise<void>;
  /**
   * NOTIFY over the listening connection, which nothing else queues on: key changes and their
   * acknowledgements must not wait behind a burst of bus events (1,000 workers disconnecting) in
   * the small notify pool. Falls back to that pool while the listening connection is down.
   */
  notifyNow(channel: string, payload: string): Promise<void>;
  /** Called after every successful reconnection of the listening connection (not the first connect). */
  onReconnect(listener: () => void): void;
  /** Called the moment the listening connection is found lost: notifications may be missed from now. */
  onDisconnect(listener: () => void): void;
  /** Whether the listening connection is up now. */
  listening(): boolean;
  close(): Promise<void>;
}

// Short: while it is down, this replica trusts no memory and announcements wait on its lease.
const MAX_RETRY_DELAY_MS = 500;
/** Nothing waits for ever on a database that stopped answering: a notify fails instead. */
const TIMEOUTS = { connectionTimeoutMillis: 5_000, query_timeout: 10_000, keepAlive: true };

export async function openPostgresChannel(connectionString: string, log: Logger): Promise<PostgresChannel> {
  const handlers = new Map<string, (payload: string) => void>();
  const reconnectListeners: (() => void)[] = [];
  const disconnectListeners: (() => void)[] = [];
  const publisher = new pg.Pool({ connectionString, max: 2, ...TIMEOUTS });
  // Idle and busy connections that PostgreSQL ends are reported here and on each client; unheard,
  // the event would crash the process. The pool drops the connection; the next notify opens one.
  publisher.on("error", (error) => log.warn({ err: error }, "notify connection lost"));
  publisher.on("connect", (client) =>
    client.on("error", (error) => log.warn({ err: error }, "notify connection lost")),
  );
  let listener: pg.Client | undefined;
  let closed = false;
  let retryDelayMs = 50;

  const connectListener = async (): Promise<void> => {
    const client = new pg.Client({ connectionString, ...TIMEOUTS });
    client.on("notification", (message) => {
      if (message.payload === undefined) return;
      handlers.get(message.channel)?.(message.payload);
    });
    client.on("error", (error) => {
      if (listener !== client) return;
      log.warn({ err: error }, "listening connection lost; reconnecting");
      listener = undefined;
      for (const notify of disconnectListeners) notify();
      void client.end().catch(() => {});
      scheduleReconnect();
    });
    try {
      await client.connect();
      for (const channel of handlers.keys()) await client.query(`LISTEN ${channel}`);
    } catch (error) {
      void client.end().catch(() => {});
      throw error;
    }
    listener = client;
    retryDelayMs = 50;
  };

  const scheduleReconnect = (): void => {
    if (closed) return;
    const delay = retryDelayMs;
    retryDelayMs = Math.min(retryDelayMs * 2, MAX_RETRY_DELAY_MS);
    setTimeout(() => {
      if (closed) return;
      connectListener()
        .then(() => {
          log.info("listening connection back");
          for (const notify of reconnectListeners) notify();
        })
        .catch((error: unknown) => {
          log.warn({ err: error }, "listening connection: reconnect failed");
          scheduleReconnect();
        });
    }, delay).unref();
  };

  await connectListener();

  return {
    async listen(channel, onPayload) {
      if (!/^[a-z_]+$/.test(channel)) throw new Error(`bad channel name ${channel}`);
      handlers.set(channel, onPayload);
      await listener?.query(`LISTEN ${channel}`);
    },
    async notify(channel, payload) {
      await publisher.query("select pg_notify($1, $2)", [channel, payload]);
    },
    async notifyNow(channel, payload) {
      const client = listener;
      if (client === undefined) await publisher.query("select pg_notify($1, $2)", [channel, payload]);
      else await client.query("select pg_notify($1, $2)", [channel, payload]);
    },
    onReconnect: (notify) => void reconnectListeners.push(notify),
    onDisconnect: (notify) => void disconnectListeners.push(notify),
    listening: () => listener !== undefined,
    async close() {
      closed = true;
      await listener?.end().catch(() => {});
      await publisher.end();
    },
  };
}
