/**
 * The `replicas` table: one lease row per running replica (lease.ts explains the arithmetic).
 * Every time is the database's own clock, so replicas never compare their wall clocks.
 *
 * Written portably (SQLite and PostgreSQL) although only PostgreSQL replicas hold leases: the same
 * statements are then proven on both engines.
 */
import { type Kysely, SqliteAdapter, sql } from "kysely";
import type { Database } from "../db/schema.ts";

/** Milliseconds since the epoch by the database's clock. */
function databaseNowMs(db: Kysely<Database>) {
  return db.getExecutor().adapter instanceof SqliteAdapter
    ? sql<number>`cast(round((julianday('now') - 2440587.5) * 86400000) as integer)`
    : sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`;
}

export interface LiveReplica {
  replicaId: string;
  leaseExpiresMs: number;
  databaseNowMs: number;
}

export interface RenewInput {
  replicaId: string;
  startedAt: string;
  leaseMs: number;
  /** The highest key change applied, and those applied above the re-read floor. */
  highestApplied: number;
  floor: number;
  appliedAboveFloor: number[];
}

/**
 * Renews the lease, only if this replica has applied every key change in the log above its floor:
 * a change committed after the replica last read the log blocks the renewal, so a replica never
 * extends its lease past a change it has not applied. Returns whether the lease was renewed.
 */
export async function renewLease(db: Kysely<Database>, input: RenewInput): Promise<boolean> {
  const now = databaseNowMs(db);
  const expires = sql<number>`${now} + cast(${input.leaseMs} as bigint)`;
  const unapplied = db
    .selectFrom("key_changes")
    .select("seq")
    .where("seq", ">", input.floor)
    .$if(input.appliedAboveFloor.length > 0, (query) =>
      query.where("seq", "not in", input.appliedAboveFloor),
    );
  const renewed = await db
    .insertInto("replicas")
    .columns(["id", "started_at", "lease_expires_ms", "applied_change"])
    .expression(
      db
        .selectNoFrom([
          sql<string>`${input.replicaId}`.as("id"),
          sql<string>`${input.startedAt}`.as("started_at"),
          expires.as("lease_expires_ms"),
          sql<number>`cast(${input.highestApplied} as bigint)`.as("applied_change"),
        ])
        .where((eb) => eb.not(eb.exists(unapplied))),
    )
    .onConflict((conflict) =>
      conflict.column("id").doUpdateSet({
        lease_expires_ms: expires,
        applied_change: input.highestApplied,
      }),
    )
    .returning("id")
    .execute();
  return renewed.length > 0;
}

/** Replicas other than `replicaId` whose lease has not run out, with the database's now. */
export async function liveReplicas(db: Kysely<Database>, replicaId: string): Promise<LiveReplica[]> {
  const now = databaseNowMs(db);
  const rows = await db
    .selectFrom("replicas")
    .select(["id", "lease_expires_ms", now.as("now_ms")])
    .where("id", "<>", replicaId)
    .where("lease_expires_ms", ">", now)
    .execute();
  return rows.map((row) => ({
    replicaId: row.id,
    leaseExpiresMs: Number(row.lease_expires_ms),
    databaseNowMs: Number(row.now_ms),
  }));
}

/** A replica that stops gives its lease up, so no announcement waits for it to run out. */
export async function releaseLease(db: Kysely<Database>, replicaId: string): Promise<void> {
  await db.deleteFrom("replicas").where("id", "=", replicaId).execute();
}

/** Forgets replicas whose lease ran out more than `deadForMs` ago (killed, or gone for good). */
export async function pruneDeadReplicas(db: Kysely<Database>, deadForMs: number): Promise<number> {
  const result = await db
    .deleteFrom("replicas")
    .where("lease_expires_ms", "<", sql<number>`${databaseNowMs(db)} - cast(${deadForMs} as bigint)`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
