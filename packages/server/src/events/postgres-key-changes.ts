/**
 * The key-change feed across PostgreSQL replicas. Each change is in the `key_changes` log before it
 * is announced; the announcement (a NOTIFY carrying the change's ids) reaches the other replicas,
 * and a replica whose listening connection reconnects reads the log it missed.
 *
 * This replica does not yet hold a lease, so it never trusts memory (`memoryTrusted` is false: keys
 * are verified in the database on every request) and `announce` does not wait for the others.
 */
import type { Kysely } from "kysely";
import type { Logger } from "pino";
import { z } from "zod";
import type { Database } from "../db/schema.ts";
import { ListenerSet } from "./bus.ts";
import { latestKeyChange, readKeyChangesAfter } from "./key-change-log.ts";
import type { KeyChange, KeyChangeFeed } from "./key-changes.ts";
import { safeJson } from "./postgres-bus.ts";
import type { PostgresChannel } from "./postgres-channel.ts";

const CHANNEL = "cogno_key_changes";

const announcementSchema = z.object({
  origin: z.string(),
  seq: z.number().int(),
  keyIds: z.array(z.string()).max(200),
  change: z.enum(["revoked", "updated"]),
  reason: z.enum(["revoked", "expired", "leaked", "member_removed", "rolled"]).nullable(),
});

export async function createPostgresKeyChangeFeed(
  channel: PostgresChannel,
  db: Kysely<Database>,
  replicaId: string,
  log: Logger,
): Promise<KeyChangeFeed> {
  const listeners = new ListenerSet<KeyChange>((error) =>
    log.error({ err: error }, "key change listener failed"),
  );
  let applied = await latestKeyChange(db);
  const apply = (change: KeyChange): void => {
    listeners.deliver(change);
    applied = Math.max(applied, change.seq);
  };

  await channel.listen(CHANNEL, (payload) => {
    const parsed = announcementSchema.safeParse(safeJson(payload));
    if (!parsed.success) {
      log.warn("ignored a malformed key change notification");
      return;
    }
    const { origin, ...change } = parsed.data;
    if (origin !== replicaId) apply(change);
  });
  channel.onReconnect(() => {
    readKeyChangesAfter(db, applied)
      .then((missed) => {
        for (const change of missed) apply(change);
      })
      .catch((error: unknown) => log.warn({ err: error }, "could not catch up on key changes"));
  });

  return {
    async announce(change) {
      apply(change);
      try {
        await channel.notify(CHANNEL, JSON.stringify({ origin: replicaId, ...change }));
      } catch (error) {
        log.warn({ err: error }, "could not announce a key change; other replicas read it from the log");
      }
    },
    subscribe: (listener) => listeners.add(listener),
    memoryTrusted: () => false,
    async close() {},
  };
}
