/** Invitation rows: links are stored as hashes of their secret; revocation keeps who and when. */
import type { Invitation, InvitationPreview } from "@cogno/protocol";
import type { ExpressionBuilder, Kysely, Transaction } from "kysely";
import { decodeCursor, pageOf } from "../db/page-cursor.ts";
import type { Database, InvitationsTable } from "../db/schema.ts";

type Executor = Kysely<Database> | Transaction<Database>;

export async function insertInvitation(db: Executor, row: InvitationsTable): Promise<void> {
  await db.insertInto("invitations").values(row).execute();
}

export function findInvitation(db: Executor, tokenHash: string) {
  return db.selectFrom("invitations").selectAll().where("token_hash", "=", tokenHash).executeTakeFirst();
}

function pendingAt(now: string) {
  return (eb: ExpressionBuilder<Database, "invitations">) =>
    eb.and([eb("invitations.revoked_at", "is", null), eb("invitations.expires_at", ">", now)]);
}

export async function recordInvitationUse(
  db: Executor,
  id: string,
  userId: string,
  at: string,
): Promise<boolean> {
  const result = await db
    .updateTable("invitations")
    .set({ accepted_by: userId, accepted_at: at })
    .where("id", "=", id)
    .where(pendingAt(at))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function findPendingInvitationPreview(
  db: Executor,
  tokenHash: string,
  now: string,
): Promise<InvitationPreview | undefined> {
  const row = await db
    .selectFrom("invitations")
    .innerJoin("workspaces", "workspaces.id", "invitations.workspace_id")
    .innerJoin("users", "users.id", "invitations.created_by")
    .select([
      "workspaces.id as workspace_id",
      "workspaces.name as workspace_name",
      "invitations.role",
      "invitations.expires_at",
      "users.name as inviter_name",
    ])
    .where("invitations.token_hash", "=", tokenHash)
    .where(pendingAt(now))
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    workspace: { id: row.workspace_id, name: row.workspace_name },
    role: row.role,
    invitedBy: { name: row.inviter_name },
    expiresAt: row.expires_at,
  };
}

export async function listPendingInvitations(
  db: Executor,
  filter: { workspaceId: string; now: string; limit: number; cursor?: string | undefined },
): Promise<{ invitations: Invitation[]; nextCursor?: string }> {
  let query = db
    .selectFrom("invitations")
    .innerJoin("users", "users.id", "invitations.created_by")
    .select([
      "invitations.id",
      "invitations.role",
      "invitations.created_at",
      "invitations.expires_at",
      "users.id as creator_id",
      "users.email as creator_email",
      "users.name as creator_name",
    ])
    .where("invitations.workspace_id", "=", filter.workspaceId)
    .where(pendingAt(filter.now));
  if (filter.cursor !== undefined) {
    const [createdAt = "", id = ""] = decodeCursor(filter.cursor, 2);
    query = query.where((eb) =>
      eb.or([
        eb("invitations.created_at", "<", createdAt),
        eb.and([eb("invitations.created_at", "=", createdAt), eb("invitations.id", "<", id)]),
      ]),
    );
  }
  const rows = await query
    .orderBy("invitations.created_at", "desc")
    .orderBy("invitations.id", "desc")
    .limit(filter.limit + 1)
    .execute();
  const { page, next } = pageOf(rows, filter.limit, (row) => [row.created_at, row.id]);
  return {
    invitations: page.map((row) => ({
      id: row.id,
      role: row.role,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      createdBy: { id: row.creator_id, email: row.creator_email, name: row.creator_name },
    })),
    ...next,
  };
}

export function findInvitationInWorkspace(db: Executor, workspaceId: string, invitationId: string) {
  return db
    .selectFrom("invitations")
    .select(["id", "role", "revoked_at"])
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", invitationId)
    .executeTakeFirst();
}

export async function revokeInvitations(
  db: Executor,
  input: { workspaceId: string; by: string; at: string } & ({ id: string } | { createdBy: string }),
): Promise<{ id: string; role: "admin" | "member" }[]> {
  let query = db
    .updateTable("invitations")
    .set({ revoked_at: input.at, revoked_by: input.by })
    .where("workspace_id", "=", input.workspaceId)
    .where("revoked_at", "is", null);
  query = "id" in input ? query.where("id", "=", input.id) : query.where("created_by", "=", input.createdBy);
  return query.returning(["id", "role"]).execute();
}

export async function wasRemovedByOthersSince(
  db: Executor,
  input: { workspaceId: string; userId: string; since: string },
): Promise<boolean> {
  const row = await db
    .selectFrom("audit_log")
    .select("id")
    .where("workspace_id", "=", input.workspaceId)
    .where("action", "=", "member.removed")
    .where("target_id", "=", input.userId)
    .where("at", ">=", input.since)
    .where((eb) => eb.or([eb("actor_id", "is", null), eb("actor_id", "!=", input.userId)]))
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
