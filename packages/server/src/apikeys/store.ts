/**
 * API key rows. The only module that sees key hashes: raw keys never reach it, and hashes never
 * leave it (STYLE rule 8).
 */
import type { ApiKey } from "@cogno/protocol";
import type { Kysely, Transaction } from "kysely";
import type { ApiKeysTable, Database } from "../db/schema.ts";

type Executor = Kysely<Database> | Transaction<Database>;

const API_KEY_COLUMNS = [
  "api_keys.id",
  "api_keys.workspace_id",
  "api_keys.name",
  "api_keys.prefix",
  "api_keys.scope",
  "api_keys.created_at",
  "api_keys.last_used_at",
  "api_keys.revoked_at",
  "users.id as owner_id",
  "users.email as owner_email",
  "users.name as owner_name",
] as const;

interface ApiKeyRow {
  id: string;
  workspace_id: string;
  name: string;
  prefix: string;
  scope: "worker";
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
  owner_id: string;
  owner_email: string;
  owner_name: string;
}

function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scope: row.scope,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
    owner: { id: row.owner_id, email: row.owner_email, name: row.owner_name },
  };
}

function selectApiKeys(db: Executor) {
  return db
    .selectFrom("api_keys")
    .innerJoin("users", "users.id", "api_keys.owner_id")
    .select(API_KEY_COLUMNS);
}

export type GuardedInsert =
  | { outcome: "inserted"; apiKey: ApiKey }
  | { outcome: "not_member" }
  | { outcome: "limit_reached" };

/**
 * Inserts a key unless its owner already has `limit` active keys in the workspace. The first
 * statement updates the owner's membership row, which takes that row's write lock (PostgreSQL) or
 * the database write lock (SQLite) until commit: concurrent creates by the same user in the same
 * workspace queue here, so each counts only committed keys and the limit cannot be overshot.
 */
export function insertApiKeyWithinLimit(
  db: Kysely<Database>,
  row: ApiKeysTable,
  limit: number,
): Promise<GuardedInsert> {
  return db.transaction().execute(async (trx) => {
    const locked = await trx
      .updateTable("memberships")
      .set((eb) => ({ key_creations: eb("key_creations", "+", 1) }))
      .where("workspace_id", "=", row.workspace_id)
      .where("user_id", "=", row.owner_id)
      .executeTakeFirst();
    if (Number(locked.numUpdatedRows) !== 1) return { outcome: "not_member" };
    const { active } = await trx
      .selectFrom("api_keys")
      .select((eb) => eb.fn.countAll().as("active"))
      .where("workspace_id", "=", row.workspace_id)
      .where("owner_id", "=", row.owner_id)
      .where("revoked_at", "is", null)
      .executeTakeFirstOrThrow();
    if (Number(active) >= limit) return { outcome: "limit_reached" };
    await trx.insertInto("api_keys").values(row).execute();
    const inserted = await selectApiKeys(trx).where("api_keys.id", "=", row.id).executeTakeFirstOrThrow();
    return { outcome: "inserted", apiKey: toApiKey(inserted) };
  });
}

export async function countActiveKeys(db: Executor, workspaceId: string, ownerId: string): Promise<number> {
  const { active } = await db
    .selectFrom("api_keys")
    .select((eb) => eb.fn.countAll().as("active"))
    .where("workspace_id", "=", workspaceId)
    .where("owner_id", "=", ownerId)
    .where("revoked_at", "is", null)
    .executeTakeFirstOrThrow();
  return Number(active);
}

export async function listApiKeyRows(
  db: Executor,
  filter: { workspaceId: string; ownerId: string | undefined; includeRevoked: boolean },
): Promise<ApiKey[]> {
  let query = selectApiKeys(db).where("api_keys.workspace_id", "=", filter.workspaceId);
  if (filter.ownerId !== undefined) query = query.where("api_keys.owner_id", "=", filter.ownerId);
  if (!filter.includeRevoked) query = query.where("api_keys.revoked_at", "is", null);
  const rows = await query.orderBy("api_keys.created_at", "desc").orderBy("api_keys.id", "desc").execute();
  return rows.map(toApiKey);
}

export async function findApiKeyInWorkspace(
  db: Executor,
  workspaceId: string,
  keyId: string,
): Promise<ApiKey | undefined> {
  const row = await selectApiKeys(db)
    .where("api_keys.workspace_id", "=", workspaceId)
    .where("api_keys.id", "=", keyId)
    .executeTakeFirst();
  return row ? toApiKey(row) : undefined;
}

export interface KeyIdentity {
  apiKey: ApiKey;
  keyHash: string;
  workspace: { id: string; name: string };
}

/** The hot path of every bearer request: one indexed look-up by hash. */
export async function findApiKeyByHash(db: Executor, keyHash: string): Promise<KeyIdentity | undefined> {
  const row = await selectApiKeys(db)
    .innerJoin("workspaces", "workspaces.id", "api_keys.workspace_id")
    .select(["api_keys.key_hash", "workspaces.name as workspace_name"])
    .where("api_keys.key_hash", "=", keyHash)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    apiKey: toApiKey(row),
    keyHash: row.key_hash,
    workspace: { id: row.workspace_id, name: row.workspace_name },
  };
}

/** Revokes once: the first revocation's time and author stay, whoever asks again. */
export async function markApiKeyRevoked(
  db: Executor,
  keyId: string,
  revokedBy: string,
  at: string,
): Promise<void> {
  await db
    .updateTable("api_keys")
    .set({ revoked_at: at, revoked_by: revokedBy })
    .where("id", "=", keyId)
    .where("revoked_at", "is", null)
    .execute();
}

export async function revokeKeysOfOwner(
  db: Transaction<Database>,
  workspaceId: string,
  ownerId: string,
  revokedBy: string,
  at: string,
): Promise<ApiKey[]> {
  const active = await listApiKeyRows(db, { workspaceId, ownerId, includeRevoked: false });
  if (active.length === 0) return [];
  await db
    .updateTable("api_keys")
    .set({ revoked_at: at, revoked_by: revokedBy })
    .where("workspace_id", "=", workspaceId)
    .where("owner_id", "=", ownerId)
    .where("revoked_at", "is", null)
    .execute();
  return active.map((apiKey) => ({ ...apiKey, revokedAt: at }));
}

/** Records use, at most once per `staleBefore`: across replicas the condition keeps it one write. */
export async function touchLastUsed(
  db: Executor,
  keyId: string,
  at: string,
  staleBefore: string,
): Promise<void> {
  await db
    .updateTable("api_keys")
    .set({ last_used_at: at })
    .where("id", "=", keyId)
    .where((eb) => eb.or([eb("last_used_at", "is", null), eb("last_used_at", "<", staleBefore)]))
    .execute();
}
