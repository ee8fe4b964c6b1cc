/**
 * The rows of a key's life after its creation: rename, roll, expiry and leak reports, and what the
 * key's page shows of them. Each write is one guarded statement run inside the caller's
 * transaction, so a change, its audit entry and its key-change log entry commit together.
 */
import type { LeakReport, Roll } from "@cogno/protocol";
import { type Kysely, sql, type Transaction } from "kysely";
import type { Database } from "../db/schema.ts";
import { activeAt } from "./store.ts";

type Executor = Kysely<Database> | Transaction<Database>;

export async function renameKeyRow(trx: Transaction<Database>, keyId: string, name: string): Promise<void> {
  await trx.updateTable("api_keys").set({ name }).where("id", "=", keyId).execute();
}

/**
 * Marks a key as rolled at `at`: replaced by `replacedBy`, working until `expiresAt` (its grace
 * window, never later than an expiry it already had). With no grace (`expiresAt` = `at`) it is
 * revoked now, for reason "rolled". Only an active key that was not rolled before is marked: the
 * condition decides between concurrent rolls and revocations. Returns whether this call marked it.
 */
export async function markKeyRolled(
  trx: Transaction<Database>,
  input: { keyId: string; at: string; expiresAt: string; replacedBy: string; by: string },
): Promise<boolean> {
  const endsNow = input.expiresAt <= input.at;
  const marked = await trx
    .updateTable("api_keys")
    .set((eb) => ({
      rolled_at: input.at,
      replaced_by: input.replacedBy,
      expires_at: eb
        .case()
        .when(eb.and([eb("expires_at", "is not", null), eb("expires_at", "<", input.expiresAt)]))
        .then(eb.ref("expires_at"))
        .else(input.expiresAt)
        .end(),
      ...(endsNow ? { revoked_at: input.at, revoked_by: input.by, revoked_reason: "rolled" as const } : {}),
    }))
    .where("id", "=", input.keyId)
    .where("rolled_at", "is", null)
    .where(activeAt(input.at))
    .returning("id")
    .executeTakeFirst();
  return marked !== undefined;
}

export interface ExpiredKey {
  id: string;
  workspaceId: string;
  name: string;
  prefix: string;
  expiresAt: string;
  /** "rolled" when a roll set the expiry (its grace window ended), else "expired". */
  reason: "expired" | "rolled";
}

/**
 * Whether any key is past its expiry but not yet marked revoked. The sweep asks this every few
 * seconds on every replica, so it reads the partial index `api_keys_due_expiry` and writes nothing.
 */
export async function hasDueExpiries(db: Executor, now: string): Promise<boolean> {
  const row = await db
    .selectFrom("api_keys")
    .select("id")
    .where("revoked_at", "is", null)
    .where("expires_at", "is not", null)
    .where("expires_at", "<=", now)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Marks up to `limit` keys whose expiry has passed as revoked at their expiry, and returns those
 * this statement marked. The conditions are checked again on each row under its write lock, so when
 * replicas sweep at the same moment each key is returned to exactly one of them. A limit keeps one
 * statement (and its audit insert) within the engines' bound on parameters when many keys expire
 * together.
 */
export async function expireDueKeys(
  trx: Transaction<Database>,
  now: string,
  limit: number,
): Promise<ExpiredKey[]> {
  const rows = await trx
    .updateTable("api_keys")
    .set((eb) => ({
      revoked_at: eb.ref("expires_at"),
      revoked_reason: sql<"expired" | "rolled">`case when rolled_at is null then 'expired' else 'rolled' end`,
    }))
    .where("id", "in", (eb) =>
      eb
        .selectFrom("api_keys")
        .select("id")
        .where("revoked_at", "is", null)
        .where("expires_at", "is not", null)
        .where("expires_at", "<=", now)
        .limit(limit),
    )
    .where("revoked_at", "is", null)
    .where("expires_at", "<=", now)
    .returning(["id", "workspace_id", "name", "prefix", "expires_at", "revoked_reason"])
    .execute();
  return rows.map((row) => ({
    id: row.id,
    workspaceId: row.workspace_id,
    name: row.name,
    prefix: row.prefix,
    expiresAt: row.expires_at ?? now,
    reason: row.revoked_reason === "rolled" ? "rolled" : "expired",
  }));
}

/** Where a key was reported leaked: the first report is kept (later ones are in the audit log). */
export async function recordLeakReport(
  trx: Transaction<Database>,
  input: { keyId: string; url: string; source: string; at: string },
): Promise<void> {
  await trx
    .updateTable("api_keys")
    .set({ leak_url: input.url, leak_source: input.source, leak_reported_at: input.at })
    .where("id", "=", input.keyId)
    .where("leak_reported_at", "is", null)
    .execute();
}

/** What the key's page shows of its history: the roll that replaced it, and where it leaked. */
export async function findKeyHistory(
  db: Executor,
  keyId: string,
): Promise<{ roll?: Roll; leakReport?: LeakReport }> {
  const row = await db
    .selectFrom("api_keys as key")
    .leftJoin("api_keys as replacement", "replacement.id", "key.replaced_by")
    .select([
      "key.rolled_at",
      "key.leak_url",
      "key.leak_source",
      "key.leak_reported_at",
      "replacement.id as replacement_id",
      "replacement.name as replacement_name",
      "replacement.prefix as replacement_prefix",
    ])
    .where("key.id", "=", keyId)
    .executeTakeFirst();
  if (!row) return {};
  const history: { roll?: Roll; leakReport?: LeakReport } = {};
  if (row.rolled_at !== null) {
    history.roll = {
      rolledAt: row.rolled_at,
      replacedBy:
        row.replacement_id !== null && row.replacement_name !== null && row.replacement_prefix !== null
          ? { id: row.replacement_id, name: row.replacement_name, prefix: row.replacement_prefix }
          : null,
    };
  }
  if (row.leak_reported_at !== null) {
    history.leakReport = {
      url: row.leak_url ?? "",
      source: row.leak_source ?? "",
      reportedAt: row.leak_reported_at,
    };
  }
  return history;
}
