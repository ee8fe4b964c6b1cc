import type { RegisterMessage } from "@cogno/protocol";
import type { ExpressionBuilder, Kysely } from "kysely";
import { isPostgres } from "../db/create-database.ts";
import { decodeCursor, pageOf } from "../db/page-cursor.ts";
import type { Database } from "../db/schema.ts";

export interface WorkerRow {
  id: string;
  workspace_id: string;
  name: string;
  hostname: string;
  os: string;
  arch: string;
  version: string;
  registered_at: string;
  connected_at: string | null;
  disconnected_at: string | null;
  stopped_at: string | null;
  last_heartbeat_at: string | null;
  last_ip: string | null;
  api_key_id: string;
  api_key_name: string;
  api_key_prefix: string;
  api_key_revoked_at: string | null;
  api_key_expires_at: string | null;
}

function selectWorkers(db: Kysely<Database>) {
  return db
    .selectFrom("workers")
    .innerJoin("api_keys", "api_keys.id", "workers.api_key_id")
    .select([
      "workers.id",
      "workers.workspace_id",
      "workers.name",
      "workers.hostname",
      "workers.os",
      "workers.arch",
      "workers.version",
      "workers.registered_at",
      "workers.connected_at",
      "workers.disconnected_at",
      "workers.stopped_at",
      "workers.last_heartbeat_at",
      "workers.last_ip",
      "api_keys.id as api_key_id",
      "api_keys.name as api_key_name",
      "api_keys.prefix as api_key_prefix",
      "api_keys.revoked_at as api_key_revoked_at",
      "api_keys.expires_at as api_key_expires_at",
    ]);
}

/** The key of a worker row is active at `now`: not revoked, not expired. */
function keyActiveAt(now: string) {
  return (eb: ExpressionBuilder<Database, "api_keys">) =>
    eb.and([
      eb("api_keys.revoked_at", "is", null),
      eb.or([eb("api_keys.expires_at", "is", null), eb("api_keys.expires_at", ">", now)]),
    ]);
}

export async function listWorkerRows(
  db: Kysely<Database>,
  filter: { workspaceId: string; limit: number; cursor?: string | undefined },
): Promise<{ rows: WorkerRow[]; next: { nextCursor?: string } }> {
  let query = selectWorkers(db).where("workers.workspace_id", "=", filter.workspaceId);
  if (filter.cursor !== undefined) {
    const [name = "", id = ""] = decodeCursor(filter.cursor, 2);
    query = query.where((eb) =>
      eb.or([
        eb("workers.name", ">", name),
        eb.and([eb("workers.name", "=", name), eb("workers.id", ">", id)]),
      ]),
    );
  }
  const rows = await query
    .orderBy("workers.name")
    .orderBy("workers.id")
    .limit(filter.limit + 1)
    .execute();
  const { page, next } = pageOf(rows, filter.limit, (row) => [row.name, row.id]);
  return { rows: page, next };
}

/** Workers that used a key since `since` (connected, heartbeating or disconnecting after it). */
export function listRecentWorkerRowsOfKey(
  db: Kysely<Database>,
  workspaceId: string,
  keyId: string,
  since: string,
): Promise<WorkerRow[]> {
  return selectWorkers(db)
    .where("workers.workspace_id", "=", workspaceId)
    .where("workers.api_key_id", "=", keyId)
    .where((eb) =>
      eb.or([
        eb("workers.last_heartbeat_at", ">=", since),
        eb("workers.connected_at", ">=", since),
        eb("workers.disconnected_at", ">=", since),
        eb.and([eb("workers.connected_at", "is not", null), eb("workers.disconnected_at", "is", null)]),
      ]),
    )
    .orderBy("workers.name")
    .orderBy("workers.id")
    .limit(1_000)
    .execute();
}

export function listWorkerRowsOfKey(
  db: Kysely<Database>,
  workspaceId: string,
  keyId: string,
): Promise<WorkerRow[]> {
  return selectWorkers(db)
    .where("workers.workspace_id", "=", workspaceId)
    .where("workers.api_key_id", "=", keyId)
    .orderBy("workers.name")
    .execute();
}

export function findWorkerRow(db: Kysely<Database>, workerId: string): Promise<WorkerRow | undefined> {
  return selectWorkers(db).where("workers.id", "=", workerId).executeTakeFirst();
}

export interface Registration {
  newId: string;
  workspaceId: string;
  ownerId: string;
  apiKeyId: string;
  connectionId: string;
  ip: string | null;
  at: string;
  hello: RegisterMessage;
}

/** What a register wrote: the row's id and whether it is a machine new to this owner. */
export type Registered = { workerId: string; created: boolean } | undefined;

/**
 * One row per machine per key owner per workspace: a machine that registers again (restart,
 * re-login, a rotated key) takes over its row and the new connection owns it. The same machine id
 * under another user's key is another row, so no one can take over someone else's worker.
 *
 * Guarded: a row is written only while its key is active, checked in the same transaction. On
 * PostgreSQL the key rows are share-locked, so a revocation either commits first (and nothing is
 * written) or waits for this write (which then happened before the revocation answered).
 *
 * Written as a group (group commit): a storm of registrations costs one transaction, one fsync on
 * SQLite, per batch instead of one per worker. Returns, in order, what each one wrote (undefined
 * when its key was no longer active).
 */
export async function upsertWorkersOnRegister(
  db: Kysely<Database>,
  registrations: Registration[],
): Promise<Registered[]> {
  if (registrations.length === 0) return [];
  return db.transaction().execute(async (trx) => {
    const keyIds = [...new Set(registrations.map((item) => item.apiKeyId))];
    // Checked at the latest time of the batch: a key that expires within it counts as expired.
    const at =
      registrations
        .map((item) => item.at)
        .sort()
        .at(-1) ?? "";
    const active = new Set<string>();
    for (let start = 0; start < keyIds.length; start += 500) {
      let keyCheck = trx
        .selectFrom("api_keys")
        .select("id")
        .where("id", "in", keyIds.slice(start, start + 500))
        .where(keyActiveAt(at));
      if (isPostgres(trx)) keyCheck = keyCheck.forShare();
      for (const row of await keyCheck.execute()) active.add(row.id);
    }
    const results: Registered[] = [];
    for (const input of registrations) {
      if (!active.has(input.apiKeyId)) {
        results.push(undefined);
        continue;
      }
      const { hello } = input;
      const live = {
        name: hello.name,
        hostname: hello.hostname,
        os: hello.os,
        arch: hello.arch,
        version: hello.version,
        api_key_id: input.apiKeyId,
        connection_id: input.connectionId,
        connected_at: input.at,
        disconnected_at: null,
        stopped_at: null,
        last_heartbeat_at: input.at,
        last_ip: input.ip,
      };
      const row = await trx
        .insertInto("workers")
        .values({
          id: input.newId,
          workspace_id: input.workspaceId,
          owner_id: input.ownerId,
          machine_id: hello.machineId,
          registered_at: input.at,
          ...live,
        })
        .onConflict((oc) => oc.columns(["workspace_id", "owner_id", "machine_id"]).doUpdateSet(live))
        .returning("id")
        .executeTakeFirstOrThrow();
      results.push({ workerId: row.id, created: row.id === input.newId });
    }
    return results;
  });
}

/** One registration on its own (see upsertWorkersOnRegister): the row's id, or undefined. */
export async function upsertWorkerOnRegister(
  db: Kysely<Database>,
  registration: Registration,
): Promise<string | undefined> {
  const [registered] = await upsertWorkersOnRegister(db, [registration]);
  return registered?.workerId;
}

/** Whether this owner already has a row for this machine in this workspace. */
export async function workerExists(
  db: Kysely<Database>,
  input: { workspaceId: string; ownerId: string; machineId: string },
): Promise<boolean> {
  const row = await db
    .selectFrom("workers")
    .select("id")
    .where("workspace_id", "=", input.workspaceId)
    .where("owner_id", "=", input.ownerId)
    .where("machine_id", "=", input.machineId)
    .executeTakeFirst();
  return row !== undefined;
}

export interface Disconnect {
  workerId: string;
  connectionId: string;
  at: string;
  stopped: boolean;
}

/**
 * Marks workers disconnected (or stopped), in one transaction for a whole batch. Only the
 * connection that owns a row may mark it: a late close of a replaced socket changes nothing.
 * Returns the ids of the rows that changed.
 */
export async function markWorkersDisconnected(
  db: Kysely<Database>,
  disconnects: Disconnect[],
): Promise<string[]> {
  if (disconnects.length === 0) return [];
  return db.transaction().execute(async (trx) => {
    const changed: string[] = [];
    for (const item of disconnects) {
      const result = await trx
        .updateTable("workers")
        .set(item.stopped ? { disconnected_at: item.at, stopped_at: item.at } : { disconnected_at: item.at })
        .where("id", "=", item.workerId)
        .where("connection_id", "=", item.connectionId)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1) changed.push(item.workerId);
    }
    return changed;
  });
}

/** Workers connected with a key whose last sign of life is recent: the rule of status.ts, counted in SQL. */
export async function countOnlineWorkersOfKey(
  db: Kysely<Database>,
  keyId: string,
  cutoff: string,
): Promise<number> {
  const { online } = await db
    .selectFrom("workers")
    .select((eb) => eb.fn.countAll().as("online"))
    .where("api_key_id", "=", keyId)
    .where("connected_at", "is not", null)
    .where("disconnected_at", "is", null)
    .where("stopped_at", "is", null)
    .where((eb) => eb(eb.fn.coalesce("last_heartbeat_at", "connected_at"), ">=", cutoff))
    .executeTakeFirstOrThrow();
  return Number(online);
}

/**
 * Writes a batch of heartbeats in one transaction. Each is guarded: only the connection that owns
 * the row, and only while the row's key is active, so a socket that outlived its key writes nothing.
 */
export async function writeHeartbeats(
  db: Kysely<Database>,
  beats: { workerId: string; connectionId: string; at: string }[],
): Promise<void> {
  if (beats.length === 0) return;
  await db.transaction().execute(async (trx) => {
    for (const beat of beats) {
      await trx
        .updateTable("workers")
        .set({ last_heartbeat_at: beat.at })
        .where("id", "=", beat.workerId)
        .where("connection_id", "=", beat.connectionId)
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom("api_keys")
              .select("api_keys.id")
              .whereRef("api_keys.id", "=", "workers.api_key_id")
              .where(keyActiveAt(beat.at)),
          ),
        )
        .execute();
    }
  });
}

/** Of these keys, the ones that are revoked, expired or gone at `now`. */
export async function findRevokedKeyIds(
  db: Kysely<Database>,
  keyIds: string[],
  now: string,
): Promise<string[]> {
  const active = new Set<string>();
  for (let start = 0; start < keyIds.length; start += 500) {
    const rows = await db
      .selectFrom("api_keys")
      .select("id")
      .where("id", "in", keyIds.slice(start, start + 500))
      .where(keyActiveAt(now))
      .execute();
    for (const row of rows) active.add(row.id);
  }
  return keyIds.filter((id) => !active.has(id));
}

// ── Fleet control from the web app (workers/service.ts): reads, the stop mark, and deletes. ──

export interface ActionableWorkerRow extends WorkerRow {
  /** The live connection that owns the row (the one a stop is guarded on). */
  connection_id: string | null;
  /** Whose key the worker uses: members act only on workers of their own keys. */
  key_owner_id: string;
}

export function findWorkerRowInWorkspace(
  db: Kysely<Database>,
  workspaceId: string,
  workerId: string,
): Promise<ActionableWorkerRow | undefined> {
  return selectWorkers(db)
    .select(["workers.connection_id", "api_keys.owner_id as key_owner_id"])
    .where("workers.workspace_id", "=", workspaceId)
    .where("workers.id", "=", workerId)
    .executeTakeFirst();
}

/**
 * Marks a worker stopped from the web app, guarded on the connection that owned the row when it was
 * read: if the machine connected again meanwhile, its new connection is not marked by this older
 * decision (the caller reads again). An earlier stop keeps its time. Returns whether the row changed.
 */
export async function markWorkerStopped(
  db: Kysely<Database>,
  input: { workerId: string; connectionId: string | null; at: string },
): Promise<boolean> {
  const result = await db
    .updateTable("workers")
    .set((eb) => ({
      stopped_at: eb.fn.coalesce("stopped_at", eb.val(input.at)),
      disconnected_at: eb.fn.coalesce("disconnected_at", eb.val(input.at)),
    }))
    .where("id", "=", input.workerId)
    .where("connection_id", input.connectionId === null ? "is" : "=", input.connectionId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Deletes a worker unless it is online at `now` by the rule of status.ts (connected, not stopped,
 * a sign of life within 3 intervals, its key active), decided in the same statement, so a machine
 * that reconnects between the check and the delete is not forgotten. Returns whether it was deleted.
 */
export async function deleteWorkerUnlessOnline(
  db: Kysely<Database>,
  input: { workspaceId: string; workerId: string; now: string; onlineCutoff: string },
): Promise<boolean> {
  const result = await db
    .deleteFrom("workers")
    .where("workspace_id", "=", input.workspaceId)
    .where("id", "=", input.workerId)
    .where((eb) =>
      eb.not(
        eb.and([
          eb("connected_at", "is not", null),
          eb("disconnected_at", "is", null),
          eb("stopped_at", "is", null),
          eb(eb.fn.coalesce("last_heartbeat_at", "connected_at"), ">=", input.onlineCutoff),
          eb.exists(
            eb
              .selectFrom("api_keys")
              .select("api_keys.id")
              .whereRef("api_keys.id", "=", "workers.api_key_id")
              .where(keyActiveAt(input.now)),
          ),
        ]),
      ),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/** No sign of the worker since `cutoff`: registered, connected, heartbeating, disconnected, stopped. */
function unseenSince(cutoff: string) {
  return (eb: ExpressionBuilder<Database, "workers">) =>
    eb.and([
      eb("workers.registered_at", "<", cutoff),
      ...(["connected_at", "last_heartbeat_at", "disconnected_at", "stopped_at"] as const).map((column) =>
        eb.or([eb(`workers.${column}`, "is", null), eb(`workers.${column}`, "<", cutoff)]),
      ),
    ]);
}

/**
 * Deletes up to `limit` workers not seen since `cutoff` and returns them. The condition is checked
 * again by the delete itself, so replicas sweeping at once (or a machine that just came back)
 * never delete a worker that was seen meanwhile; each row is returned by one sweep only.
 */
export async function deleteWorkersUnseenSince(
  trx: Kysely<Database>,
  cutoff: string,
  limit: number,
): Promise<{ id: string; workspace_id: string; name: string }[]> {
  const candidates = await trx
    .selectFrom("workers")
    .select("workers.id")
    .where(unseenSince(cutoff))
    .limit(limit)
    .execute();
  if (candidates.length === 0) return [];
  return trx
    .deleteFrom("workers")
    .where(
      "workers.id",
      "in",
      candidates.map((row) => row.id),
    )
    .where(unseenSince(cutoff))
    .returning(["workers.id", "workers.workspace_id", "workers.name"])
    .execute();
}
