/**
 * The `key_changes` log, written in the same transaction as the change to the key: a change that
 * committed is never lost to a failed announcement, because every replica reads the log it has not
 * applied yet when it renews its lease or reconnects its listener.
 */
import { type RevokedReason, revokedReasonSchema } from "@cogno/protocol";
import type { Kysely, Transaction } from "kysely";
import { z } from "zod";
import type { Database } from "../db/schema.ts";
import type { KeyChange } from "./key-changes.ts";

type Executor = Kysely<Database> | Transaction<Database>;

/** Entries older than this are pruned: a replica that was away longer re-reads keys anyway. */
export const KEY_CHANGE_RETENTION_MS = 10 * 60 * 1000;

export async function recordKeyChange(
  db: Executor,
  input: { keyIds: string[]; change: KeyChange["change"]; reason: RevokedReason | null; at: string },
): Promise<KeyChange> {
  const row = await db
    .insertInto("key_changes")
    .values({
      key_ids: JSON.stringify(input.keyIds),
      change: input.change,
      reason: input.reason,
      created_at: input.at,
    })
    .returning("seq")
    .executeTakeFirstOrThrow();
  return { seq: Number(row.seq), keyIds: input.keyIds, change: input.change, reason: input.reason };
}

export async function readKeyChangesAfter(db: Executor, seq: number): Promise<KeyChange[]> {
  const rows = await db.selectFrom("key_changes").selectAll().where("seq", ">", seq).orderBy("seq").execute();
  return rows.map((row) => ({
    seq: Number(row.seq),
    keyIds: parseKeyIds(row.key_ids),
    change: row.change,
    reason: revokedReasonSchema.nullable().catch(null).parse(row.reason),
  }));
}

export async function latestKeyChange(db: Executor): Promise<number> {
  const row = await db
    .selectFrom("key_changes")
    .select((eb) => eb.fn.max("seq").as("seq"))
    .executeTakeFirst();
  return Number(row?.seq ?? 0);
}

export async function pruneKeyChanges(db: Executor, before: string): Promise<void> {
  await db.deleteFrom("key_changes").where("created_at", "<", before).execute();
}

const keyIdsSchema = z.array(z.string());

function parseKeyIds(text: string): string[] {
  return keyIdsSchema.parse(JSON.parse(text));
}
