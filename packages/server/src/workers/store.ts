import type { RegisterMessage } from "@cogno/protocol";
import type { Kysely } from "kysely";
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
  api_key_id: string;
  api_key_name: string;
  api_key_prefix: string;
  api_key_revoked_at: string | null;
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
      "api_keys.id as api_key_id",
      "api_keys.name as api_key_name",
      "api_keys.prefix as api_key_prefix",
      "api_keys.revoked_at as api_key_revoked_at",
    ]);
}

export function listWorkerRows(db: Kysely<Database>, workspaceId: string): Promise<WorkerRow[]> {
  return selectWorkers(db)
    .where("workers.workspace_id", "=", workspaceId)
    .orderBy("workers.name")
    .orderBy("workers.id")
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

/**
 * One row per machine per workspace: a machine that registers again (restart, re-login, a rotated
 * key) takes over its row and the new connection owns it.
 */
export async function upsertWorkerOnRegister(
  db: Kysely<Database>,
  input: {
    newId: string;
    workspaceId: string;
    apiKeyId: string;
    connectionId: string;
    at: string;
    hello: RegisterMessage;
  },
): Promise<string> {
  const { hello, at } = input;
  const live = {
    name: hello.name,
    hostname: hello.hostname,
    os: hello.os,
    arch: hello.arch,
    version: hello.version,
    api_key_id: input.apiKeyId,
    connection_id: input.connectionId,
    connected_at: at,
    disconnected_at: null,
    stopped_at: null,
    last_heartbeat_at: at,
  };
  const row = await db
    .insertInto("workers")
    .values({
      id: input.newId,
      workspace_id: input.workspaceId,
      machine_id: hello.machineId,
      registered_at: at,
      ...live,
    })
    .onConflict((oc) => oc.columns(["workspace_id", "machine_id"]).doUpdateSet(live))
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
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
        .execute();
    }
  });
}

/** Of these keys, the ones that are revoked or gone. */
export async function findRevokedKeyIds(db: Kysely<Database>, keyIds: string[]): Promise<string[]> {
  const active = new Set<string>();
  for (let start = 0; start < keyIds.length; start += 500) {
    const rows = await db
      .selectFrom("api_keys")
      .select("id")
      .where("id", "in", keyIds.slice(start, start + 500))
      .where("revoked_at", "is", null)
      .execute();
    for (const row of rows) active.add(row.id);
  }
  return keyIds.filter((id) => !active.has(id));
}
