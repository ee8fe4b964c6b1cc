/**
 * Device authorization rows. Only hashes of the two codes are stored, and the key made on
 * approval only sealed (seal.ts). Every change of state is one guarded statement, so replicas
 * and concurrent requests agree on who decided and on the single poll that gets the key.
 */
import type { Kysely } from "kysely";
import type { Database, DeviceAuthorizationsTable } from "../db/schema.ts";

export type DeviceAuthorizationRow = DeviceAuthorizationsTable;

/** Inserts a new authorization; false when its user code collides with a stored one (draw again). */
export async function insertDeviceAuthorization(
  db: Kysely<Database>,
  row: DeviceAuthorizationRow,
): Promise<boolean> {
  const result = await db
    .insertInto("device_authorizations")
    .values(row)
    .onConflict((oc) => oc.column("user_code_hash").doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

/** Forgets authorizations that ended before `before`: their codes can be drawn again. */
export async function deleteDeviceAuthorizationsExpiredBefore(
  db: Kysely<Database>,
  before: string,
): Promise<void> {
  await db.deleteFrom("device_authorizations").where("expires_at", "<", before).execute();
}

export function findByDeviceCodeHash(db: Kysely<Database>, deviceCodeHash: string) {
  return db
    .selectFrom("device_authorizations")
    .selectAll()
    .where("device_code_hash", "=", deviceCodeHash)
    .executeTakeFirst();
}

/** An authorization still waiting for a person's decision (not claimed by an approval in progress). */
export function findUndecided(db: Kysely<Database>, userCodeHash: string, now: string) {
  return db
    .selectFrom("device_authorizations")
    .selectAll()
    .where("user_code_hash", "=", userCodeHash)
    .where("status", "=", "pending")
    .where("decided_by", "is", null)
    .where("expires_at", ">", now)
    .executeTakeFirst();
}

/** Records a poll; a slow_down also lengthens the interval for every later poll. */
export async function recordPoll(
  db: Kysely<Database>,
  input: { id: string; at: string; intervalSeconds: number },
): Promise<void> {
  await db
    .updateTable("device_authorizations")
    .set({ last_polled_at: input.at, interval_seconds: input.intervalSeconds })
    .where("id", "=", input.id)
    .execute();
}

/**
 * Claims an undecided authorization for one person's approval (the key is made next): a deny,
 * another approval or the expiry can no longer take it. False when it was no longer undecided.
 */
export async function claimForApproval(
  db: Kysely<Database>,
  input: { id: string; userId: string; now: string },
): Promise<boolean> {
  const result = await db
    .updateTable("device_authorizations")
    .set({ decided_by: input.userId })
    .where("id", "=", input.id)
    .where("status", "=", "pending")
    .where("decided_by", "is", null)
    .where("expires_at", ">", input.now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Gives a claim back when no key could be made (the 25-key limit, say): the person may try again. */
export async function releaseClaim(
  db: Kysely<Database>,
  input: { id: string; userId: string },
): Promise<void> {
  await db
    .updateTable("device_authorizations")
    .set({ decided_by: null })
    .where("id", "=", input.id)
    .where("status", "=", "pending")
    .where("decided_by", "=", input.userId)
    .execute();
}

/** Completes a claimed approval with the sealed key. */
export async function markApproved(
  db: Kysely<Database>,
  input: { id: string; userId: string; workspaceId: string; apiKeyId: string; sealedKey: string },
): Promise<boolean> {
  const result = await db
    .updateTable("device_authorizations")
    .set({
      status: "approved",
      workspace_id: input.workspaceId,
      api_key_id: input.apiKeyId,
      sealed_key: input.sealedKey,
    })
    .where("id", "=", input.id)
    .where("status", "=", "pending")
    .where("decided_by", "=", input.userId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Denies an undecided authorization; false when there was none to deny. */
export async function markDenied(
  db: Kysely<Database>,
  input: { userCodeHash: string; userId: string; now: string },
): Promise<boolean> {
  const result = await db
    .updateTable("device_authorizations")
    .set({ status: "denied", decided_by: input.userId })
    .where("user_code_hash", "=", input.userCodeHash)
    .where("status", "=", "pending")
    .where("decided_by", "is", null)
    .where("expires_at", ">", input.now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Hands out the sealed key once: the approved row becomes used and its seal is cleared, in one
 * transaction. `open` runs inside it, so a seal that does not open leaves the row approved. Of
 * two polls at once, the guarded update lets one through (on PostgreSQL the second waits for the
 * first's row lock, then finds the row used). Undefined when it was not approved (any more).
 */
export function takeSealedKey<T>(
  db: Kysely<Database>,
  input: { id: string; now: string },
  open: (sealedKey: string, row: { workspaceId: string; apiKeyId: string }) => T,
): Promise<T | undefined> {
  return db.transaction().execute(async (trx) => {
    const claimed = await trx
      .updateTable("device_authorizations")
      .set({ status: "used" })
      .where("id", "=", input.id)
      .where("status", "=", "approved")
      .where("expires_at", ">", input.now)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) return undefined;
    const row = await trx
      .selectFrom("device_authorizations")
      .select(["sealed_key", "workspace_id", "api_key_id"])
      .where("id", "=", input.id)
      .executeTakeFirstOrThrow();
    if (row.sealed_key === null || row.workspace_id === null || row.api_key_id === null) return undefined;
    const opened = open(row.sealed_key, { workspaceId: row.workspace_id, apiKeyId: row.api_key_id });
    await trx
      .updateTable("device_authorizations")
      .set({ sealed_key: null })
      .where("id", "=", input.id)
      .execute();
    return opened;
  });
}
