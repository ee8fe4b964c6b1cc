/**
 * Opens the event plumbing for the database the server uses: in-process on SQLite (one server per
 * data directory, so every change is made here), or over PostgreSQL LISTEN/NOTIFY across replicas.
 */
import { randomBase62 } from "@cogno/protocol";
import type { Logger } from "pino";
import type { DatabaseHandle } from "../db/create-database.ts";
import { createInProcessBus, type EventBus } from "./bus.ts";
import { createInProcessKeyChangeFeed, type KeyChangeFeed } from "./key-changes.ts";
import { createPostgresBus } from "./postgres-bus.ts";
import { openPostgresChannel } from "./postgres-channel.ts";
import { createPostgresKeyChangeFeed } from "./postgres-key-changes.ts";

export interface Events {
  bus: EventBus;
  keyChanges: KeyChangeFeed;
  close(): Promise<void>;
}

export async function connectEvents(database: DatabaseHandle, log: Logger): Promise<Events> {
  if (database.postgresUrl === undefined) {
    const bus = createInProcessBus((error, event) =>
      log.error({ err: error, event: event.type }, "event listener failed"),
    );
    const keyChanges = createInProcessKeyChangeFeed((error) =>
      log.error({ err: error }, "key change listener failed"),
    );
    return { bus, keyChanges, close: async () => {} };
  }
  const replicaId = `rpl_${randomBase62(16)}`;
  const channel = await openPostgresChannel(database.postgresUrl, log);
  const bus = await createPostgresBus(channel, replicaId, log);
  const keyChanges = await createPostgresKeyChangeFeed(channel, database.db, replicaId, log);
  return {
    bus,
    keyChanges,
    async close() {
      await keyChanges.close();
      await bus.close();
      await channel.close();
    },
  };
}
