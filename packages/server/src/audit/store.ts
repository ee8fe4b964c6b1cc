/**
 * The audit log: append-only. Entries are inserted in the same transaction as the change they
 * record, so a change and its entry commit together; nothing here updates or deletes an entry.
 */
import type { AuditAction, AuditEntry } from "@cogno/protocol";
import type { Kysely, Transaction } from "kysely";
import { z } from "zod";
import { decodeCursor, pageOf } from "../db/page-cursor.ts";
import type { AuditLogTable, Database } from "../db/schema.ts";
import { newId } from "../ids.ts";

type Executor = Kysely<Database> | Transaction<Database>;

/** Who did it, from where: a person (with the request's address and user agent), the system, or a reporter. */
export interface AuditActor {
  type: AuditEntry["actor"]["type"];
  id: string | null;
  name: string;
  ip: string | null;
  userAgent: string | null;
}

export interface NewAuditEntry {
  workspaceId: string;
  at: string;
  action: AuditAction;
  actor: AuditActor;
  target: AuditEntry["target"];
  details?: Record<string, unknown>;
}

export const SYSTEM_ACTOR: AuditActor = {
  type: "system",
  id: null,
  name: "Cogno",
  ip: null,
  userAgent: null,
};

export async function recordAudit(db: Executor, entries: NewAuditEntry | NewAuditEntry[]): Promise<void> {
  const rows: AuditLogTable[] = (Array.isArray(entries) ? entries : [entries]).map((entry) => ({
    id: newId("aud"),
    workspace_id: entry.workspaceId,
    at: entry.at,
    action: entry.action,
    actor_type: entry.actor.type,
    actor_id: entry.actor.id,
    actor_name: entry.actor.name,
    target_type: entry.target.type,
    target_id: entry.target.id,
    target_name: entry.target.name,
    ip: entry.actor.ip,
    user_agent: entry.actor.userAgent,
    details: JSON.stringify(entry.details ?? {}),
  }));
  if (rows.length > 0) await db.insertInto("audit_log").values(rows).execute();
}

export interface AuditFilter {
  workspaceId: string;
  action: AuditAction | undefined;
  /** An actor's user id, or "system" / "reporter". */
  actor: string | undefined;
}

function filtered(db: Executor, filter: AuditFilter) {
  let query = db.selectFrom("audit_log").selectAll().where("workspace_id", "=", filter.workspaceId);
  if (filter.action !== undefined) query = query.where("action", "=", filter.action);
  if (filter.actor === "system" || filter.actor === "reporter") {
    query = query.where("actor_type", "=", filter.actor);
  } else if (filter.actor !== undefined) {
    query = query.where("actor_id", "=", filter.actor);
  }
  return query.orderBy("at", "desc").orderBy("id", "desc");
}

/** One page, newest first; `before` is the cursor of the page before. */
export async function listAuditEntries(
  db: Executor,
  filter: AuditFilter & { before: string | undefined; limit: number },
): Promise<{ entries: AuditEntry[]; nextCursor: string | null }> {
  let query = filtered(db, filter);
  if (filter.before !== undefined) {
    const [at = "", id = ""] = decodeCursor(filter.before, 2, "before");
    query = query.where((eb) => eb.or([eb("at", "<", at), eb.and([eb("at", "=", at), eb("id", "<", id)])]));
  }
  const rows = await query.limit(filter.limit + 1).execute();
  const { page, next } = pageOf(rows, filter.limit, (row) => [row.at, row.id]);
  return { entries: page.map(toAuditEntry), nextCursor: next.nextCursor ?? null };
}

/** Every entry, newest first, in batches: for the JSON-lines export, which must not hold them all in memory. */
export async function* streamAuditEntries(
  db: Executor,
  filter: AuditFilter,
  batchSize = 500,
): AsyncGenerator<AuditEntry> {
  let before: string | undefined;
  for (;;) {
    const { entries, nextCursor } = await listAuditEntries(db, { ...filter, before, limit: batchSize });
    yield* entries;
    if (nextCursor === null) return;
    before = nextCursor;
  }
}

const detailsSchema = z.record(z.string(), z.unknown());

function toAuditEntry(row: AuditLogTable): AuditEntry {
  const details = detailsSchema.safeParse(JSON.parse(row.details));
  return {
    id: row.id,
    at: row.at,
    action: row.action,
    actor: { type: row.actor_type, id: row.actor_id, name: row.actor_name },
    target: { type: row.target_type, id: row.target_id, name: row.target_name },
    ip: row.ip,
    userAgent: row.user_agent,
    details: details.success ? details.data : {},
  };
}
