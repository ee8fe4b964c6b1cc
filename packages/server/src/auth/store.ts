import type { User } from "@cogno/protocol";
import type { Kysely } from "kysely";
import type { Database, UsersTable } from "../db/schema.ts";

export function toUser(row: Pick<UsersTable, "id" | "email" | "name">): User {
  return { id: row.id, email: row.email, name: row.name };
}

/** Returns false when the email is taken (the unique index decides, not a read before the write). */
export async function insertUser(db: Kysely<Database>, row: UsersTable): Promise<boolean> {
  const result = await db
    .insertInto("users")
    .values(row)
    .onConflict((oc) => oc.column("email").doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

export function findUserByEmail(db: Kysely<Database>, email: string) {
  return db.selectFrom("users").selectAll().where("email", "=", email).executeTakeFirst();
}

export async function insertSession(db: Kysely<Database>, row: Database["sessions"]): Promise<void> {
  await db.insertInto("sessions").values(row).execute();
}

export async function findSession(
  db: Kysely<Database>,
  tokenHash: string,
  now: string,
): Promise<{ id: string; user: User } | undefined> {
  const row = await db
    .selectFrom("sessions")
    .innerJoin("users", "users.id", "sessions.user_id")
    .select(["sessions.id as session_id", "users.id", "users.email", "users.name"])
    .where("sessions.token_hash", "=", tokenHash)
    .where("sessions.expires_at", ">", now)
    .executeTakeFirst();
  return row ? { id: row.session_id, user: toUser(row) } : undefined;
}

/** Deletes the session; returns its id, or undefined when there was none. */
export async function deleteSession(db: Kysely<Database>, tokenHash: string): Promise<string | undefined> {
  const row = await db
    .deleteFrom("sessions")
    .where("token_hash", "=", tokenHash)
    .returning("id")
    .executeTakeFirst();
  return row?.id;
}
