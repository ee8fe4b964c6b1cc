/**
 * API key rows. The only module that sees key hashes: raw keys never reach it, and hashes never
 * leave it (STYLE rule 8).
 */
import type { ApiKey, RevokedReason } from "@cogno/protocol";
import type { ExpressionBuilder, Kysely, Transaction } from "kysely";
import { decodeCursor, pageOf } from "../db/page-cursor.ts";
import type { ApiKeysTable, Database } from "../db/schema.ts";
import { recordKeyChange } from "../events/key-change-log.ts";
import type { KeyChange } from "../events/key-changes.ts";

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
  "api_keys.revoked_reason",
  "api_keys.expires_at",
  "api_keys.last_used_ip",
  "api_keys.rolled_at",
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
  revoked_reason: ApiKeysTable["revoked_reason"];
  expires_at: string | null;
  last_used_ip: string | null;
  rolled_at: string | null;
  owner_id: string;
  owner_email: string;
  owner_name: string;
}

/**
 * A row as the contract shows it at `now`: a key whose expiry has passed is revoked from that
 * moment (API.md v1.1), whether or not the sweep has written it yet, so every replica answers the
 * same on time.
 */
function toApiKey(row: ApiKeyRow, now: string): ApiKey {
  const expired = row.revoked_at === null && row.expires_at !== null && row.expires_at <= now;
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scope: row.scope,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    lastUsedIp: row.last_used_ip,
    expiresAt: row.expires_at,
    revokedAt: expired ? row.expires_at : row.revoked_at,
    revokedReason: expired ? (row.rolled_at === null ? "expired" : "rolled") : row.revoked_reason,
    owner: { id: row.owner_id, email: row.owner_email, name: row.owner_name },
  };
}

/** Active at `now`: not revoked, not past its expiry. In SQL, for lists and the 25-key count. */
export function activeAt(now: string) {
  return (eb: ExpressionBuilder<Database, "api_keys">) =>
    eb.and([
      eb("api_keys.revoked_at", "is", null),
      eb.or([eb("api_keys.expires_at", "is", null), eb("api_keys.expires_at", ">", now)]),
    ]);
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
 * Inserts a key unless its owner already has `limit` keys counting toward the limit in the
 * workspace: active ones, except those a roll gave an expiry (API.md v1.1). The first statement
 * updates the owner's membership row, which takes that row's write lock (PostgreSQL) or the
 * database write lock (SQLite) until commit: concurrent creates by the same user in the same
 * workspace queue here, so each counts only committed keys and the limit cannot be overshot.
 * `countsToward` runs inside the same transaction before the count (a roll marks the old key there,
 * so it no longer counts); `afterInsert` runs after the insert, before the commit (the audit entry).
 */
export function insertApiKeyWithinLimit(
  db: Kysely<Database>,
  row: ApiKeysTable,
  input: {
    limit: number;
    now: string;
    countsToward?: (trx: Transaction<Database>) => Promise<void>;
    afterInsert?: (trx: Transaction<Database>, apiKey: ApiKey) => Promise<void>;
  },
): Promise<GuardedInsert> {
  return db.transaction().execute(async (trx) => {
    const locked = await trx
      .updateTable("memberships")
      .set((eb) => ({ key_creations: eb("key_creations", "+", 1) }))
      .where("workspace_id", "=", row.workspace_id)
      .where("user_id", "=", row.owner_id)
      .executeTakeFirst();
    if (Number(locked.numUpdatedRows) !== 1) return { outcome: "not_member" };
    await input.countsToward?.(trx);
    const counted = await countKeysTowardLimit(trx, row.workspace_id, row.owner_id, input.now);
    if (counted >= input.limit) return { outcome: "limit_reached" };
    await trx.insertInto("api_keys").values(row).execute();
    const inserted = await selectApiKeys(trx).where("api_keys.id", "=", row.id).executeTakeFirstOrThrow();
    const apiKey = toApiKey(inserted, input.now);
    await input.afterInsert?.(trx, apiKey);
    return { outcome: "inserted", apiKey };
  });
}

/** The keys that count toward the 25: active, and not given an expiry by a roll. */
export async function countKeysTowardLimit(
  db: Executor,
  workspaceId: string,
  ownerId: string,
  now: string,
): Promise<number> {
  const { counted } = await db
    .selectFrom("api_keys")
    .select((eb) => eb.fn.countAll().as("counted"))
    .where("workspace_id", "=", workspaceId)
    .where("owner_id", "=", ownerId)
    .where("rolled_at", "is", null)
    .where(activeAt(now))
    .executeTakeFirstOrThrow();
  return Number(counted);
}

export async function listApiKeyRows(
  db: Executor,
  filter: {
    workspaceId: string;
    ownerId: string | undefined;
    includeRevoked: boolean;
    now: string;
    limit: number;
    cursor?: string | undefined;
  },
): Promise<{ apiKeys: ApiKey[]; nextCursor?: string }> {
  let query = selectApiKeys(db).where("api_keys.workspace_id", "=", filter.workspaceId);
  if (filter.ownerId !== undefined) query = query.where("api_keys.owner_id", "=", filter.ownerId);
  if (!filter.includeRevoked) query = query.where(activeAt(filter.now));
  if (filter.cursor !== undefined) {
    const [createdAt = "", id = ""] = decodeCursor(filter.cursor, 2);
    query = query.where((eb) =>
      eb.or([
        eb("api_keys.created_at", "<", createdAt),
        eb.and([eb("api_keys.created_at", "=", createdAt), eb("api_keys.id", "<", id)]),
      ]),
    );
  }
  const rows = await query
    .orderBy("api_keys.created_at", "desc")
    .orderBy("api_keys.id", "desc")
    .limit(filter.limit + 1)
    .execute();
  const { page, next } = pageOf(rows, filter.limit, (row) => [row.created_at, row.id]);
  return { apiKeys: page.map((row) => toApiKey(row, filter.now)), ...next };
}

export async function findApiKeyInWorkspace(
  db: Executor,
  workspaceId: string,
  keyId: string,
  now: string,
): Promise<ApiKey | undefined> {
  const row = await selectApiKeys(db)
    .where("api_keys.workspace_id", "=", workspaceId)
    .where("api_keys.id", "=", keyId)
    .executeTakeFirst();
  return row ? toApiKey(row, now) : undefined;
}

export async function findApiKeysByIds(db: Executor, keyIds: string[], now: string): Promise<ApiKey[]> {
  if (keyIds.length === 0) return [];
  const rows = await selectApiKeys(db).where("api_keys.id", "in", keyIds).execute();
  return rows.map((row) => toApiKey(row, now));
}

export interface KeyIdentity {
  apiKey: ApiKey;
  keyHash: string;
  workspace: { id: string; name: string };
}

/** The hot path of a bearer request that misses the cache: one indexed look-up by hash. */
export async function findApiKeyByHash(
  db: Executor,
  keyHash: string,
  now: string,
): Promise<KeyIdentity | undefined> {
  const row = await selectApiKeys(db)
    .innerJoin("workspaces", "workspaces.id", "api_keys.workspace_id")
    .select(["api_keys.key_hash", "workspaces.name as workspace_name"])
    .where("api_keys.key_hash", "=", keyHash)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    apiKey: toApiKey(row, now),
    keyHash: row.key_hash,
    workspace: { id: row.workspace_id, name: row.workspace_name },
  };
}

/**
 * Revokes the active keys among `keyIds` (once: the first revocation's time, author and reason
 * stay) and logs the change for every replica, inside the caller's transaction. Returns the
 * change, or undefined when none of them was still active.
 */
export async function revokeKeys(
  trx: Transaction<Database>,
  input: { keyIds: string[]; by: string | null; reason: RevokedReason; at: string },
): Promise<KeyChange | undefined> {
  if (input.keyIds.length === 0) return undefined;
  const rows = await trx
    .updateTable("api_keys")
    .set({ revoked_at: input.at, revoked_by: input.by, revoked_reason: input.reason })
    .where("id", "in", input.keyIds)
    .where(activeAt(input.at))
    .returning("id")
    .execute();
  if (rows.length === 0) return undefined;
  return recordKeyChange(trx, {
    keyIds: rows.map((row) => row.id),
    change: "revoked",
    reason: input.reason,
    at: input.at,
  });
}

/** The active keys an owner holds in a workspace (member removal revokes them). */
export async function findActiveKeyIdsOfOwner(
  db: Executor,
  workspaceId: string,
  ownerId: string,
  now: string,
): Promise<string[]> {
  const rows = await db
    .selectFrom("api_keys")
    .select("id")
    .where("workspace_id", "=", workspaceId)
    .where("owner_id", "=", ownerId)
    .where(activeAt(now))
    .execute();
  return rows.map((row) => row.id);
}

/** Records use (time and client address), at most once per `staleBefore`: across replicas the condition keeps it one write. */
export interface KeyUse {
  keyId: string;
  at: string;
  ip: string | null;
  /** The use is written only over a last use older than this (or none). */
  staleBefore: string;
}

/** Writes the last uses of keys, in one transaction (one commit for a burst of them). */
export async function touchLastUsed(db: Kysely<Database>, uses: readonly KeyUse[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const use of uses) {
      await trx
        .updateTable("api_keys")
        .set({ last_used_at: use.at, last_used_ip: use.ip })
        .where("id", "=", use.keyId)
        .where((eb) => eb.or([eb("last_used_at", "is", null), eb("last_used_at", "<", use.staleBefore)]))
        .execute();
    }
  });
}

/** The keys among `keyHashes` (hashes of reported tokens), by hash: for leaked-key reports. */
export async function findKeysByHashes(
  db: Executor,
  keyHashes: string[],
): Promise<Map<string, { id: string; workspaceId: string; name: string; prefix: string }>> {
  if (keyHashes.length === 0) return new Map();
  const rows = await db
    .selectFrom("api_keys")
    .select(["id", "workspace_id", "name", "prefix", "key_hash"])
    .where("key_hash", "in", keyHashes)
    .execute();
  return new Map(
    rows.map((row) => [
      row.key_hash,
      { id: row.id, workspaceId: row.workspace_id, name: row.name, prefix: row.prefix },
    ]),
  );
}
