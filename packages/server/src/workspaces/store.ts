import type {
  Invitation,
  InvitationPreview,
  Member,
  Role,
  Workspace,
  WorkspaceSummary,
} from "@cogno/protocol";
import type { ExpressionBuilder, Kysely, Transaction } from "kysely";
import { isPostgres } from "../db/create-database.ts";
import { decodeCursor, pageOf } from "../db/page-cursor.ts";
import type { Database, InvitationsTable, WorkspacesTable } from "../db/schema.ts";

type Executor = Kysely<Database> | Transaction<Database>;

export function toWorkspace(row: WorkspacesTable): Workspace {
  return { id: row.id, name: row.name, createdAt: row.created_at };
}

export async function insertWorkspaceWithOwner(
  db: Kysely<Database>,
  workspace: WorkspacesTable,
  ownerId: string,
) {
  await db.transaction().execute(async (trx) => {
    await trx.insertInto("workspaces").values(workspace).execute();
    await trx
      .insertInto("memberships")
      .values({
        workspace_id: workspace.id,
        user_id: ownerId,
        role: "owner",
        joined_at: workspace.created_at,
        key_creations: 0,
      })
      .execute();
  });
}

export function findWorkspace(db: Executor, workspaceId: string) {
  return db.selectFrom("workspaces").selectAll().where("id", "=", workspaceId).executeTakeFirst();
}

export async function findRole(db: Executor, workspaceId: string, userId: string): Promise<Role | undefined> {
  const row = await db
    .selectFrom("memberships")
    .select("role")
    .where("workspace_id", "=", workspaceId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return row?.role;
}

export async function listWorkspaceSummaries(db: Executor, userId: string): Promise<WorkspaceSummary[]> {
  const rows = await db
    .selectFrom("memberships")
    .innerJoin("workspaces", "workspaces.id", "memberships.workspace_id")
    .select(["workspaces.id", "workspaces.name", "memberships.role"])
    .where("memberships.user_id", "=", userId)
    .orderBy("workspaces.created_at")
    .execute();
  return rows.map((row) => ({ id: row.id, name: row.name, role: row.role }));
}

function toMember(row: { id: string; email: string; name: string; role: Role; joined_at: string }): Member {
  return { user: { id: row.id, email: row.email, name: row.name }, role: row.role, joinedAt: row.joined_at };
}

function selectMembers(db: Executor, workspaceId: string) {
  return db
    .selectFrom("memberships")
    .innerJoin("users", "users.id", "memberships.user_id")
    .select(["users.id", "users.email", "users.name", "memberships.role", "memberships.joined_at"])
    .where("memberships.workspace_id", "=", workspaceId);
}

/** Oldest first, a page at a time: the cursor is the (joined, user id) of the last member shown. */
export async function listMembers(
  db: Executor,
  filter: { workspaceId: string; limit: number; cursor?: string | undefined },
): Promise<{ members: Member[]; nextCursor?: string }> {
  let query = selectMembers(db, filter.workspaceId);
  if (filter.cursor !== undefined) {
    const [joinedAt = "", userId = ""] = decodeCursor(filter.cursor, 2);
    query = query.where((eb) =>
      eb.or([
        eb("memberships.joined_at", ">", joinedAt),
        eb.and([eb("memberships.joined_at", "=", joinedAt), eb("users.id", ">", userId)]),
      ]),
    );
  }
  const rows = await query
    .orderBy("memberships.joined_at")
    .orderBy("users.id")
    .limit(filter.limit + 1)
    .execute();
  const { page, next } = pageOf(rows, filter.limit, (row) => [row.joined_at, row.id]);
  return { members: page.map(toMember), ...next };
}

export async function findMember(
  db: Executor,
  workspaceId: string,
  userId: string,
): Promise<Member | undefined> {
  const row = await selectMembers(db, workspaceId).where("users.id", "=", userId).executeTakeFirst();
  return row ? toMember(row) : undefined;
}

/**
 * Serialises changes to who may manage a workspace (removals, role changes): on PostgreSQL the
 * workspace row is locked until commit, so two owners lowering each other at once cannot both
 * count two owners and leave none. SQLite transactions are serial already.
 */
export async function lockWorkspace(trx: Transaction<Database>, workspaceId: string): Promise<void> {
  if (!isPostgres(trx)) return;
  await trx.selectFrom("workspaces").select("id").where("id", "=", workspaceId).forUpdate().execute();
}

export async function updateMembershipRole(
  db: Executor,
  workspaceId: string,
  userId: string,
  role: Role,
): Promise<void> {
  await db
    .updateTable("memberships")
    .set({ role })
    .where("workspace_id", "=", workspaceId)
    .where("user_id", "=", userId)
    .execute();
}

export async function countOwners(db: Executor, workspaceId: string): Promise<number> {
  const row = await db
    .selectFrom("memberships")
    .select((eb) => eb.fn.countAll().as("owners"))
    .where("workspace_id", "=", workspaceId)
    .where("role", "=", "owner")
    .executeTakeFirstOrThrow();
  return Number(row.owners);
}

export async function deleteMembership(db: Executor, workspaceId: string, userId: string): Promise<boolean> {
  const result = await db
    .deleteFrom("memberships")
    .where("workspace_id", "=", workspaceId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

export async function insertInvitation(db: Executor, row: InvitationsTable): Promise<void> {
  await db.insertInto("invitations").values(row).execute();
}

export function findInvitation(db: Executor, tokenHash: string) {
  return db.selectFrom("invitations").selectAll().where("token_hash", "=", tokenHash).executeTakeFirst();
}

/** Still usable by a newcomer at `now`: not revoked, not expired (invitation-rules.ts isPending, in SQL). */
function pendingAt(now: string) {
  return (eb: ExpressionBuilder<Database, "invitations">) =>
    eb.and([eb("invitations.revoked_at", "is", null), eb("invitations.expires_at", ">", now)]);
}

/**
 * Records a use of the link (the last person who joined by it), guarded on the link still being
 * pending: a revocation that commits first wins, and on PostgreSQL the row lock orders a revocation
 * racing this use, so nobody joins through a link after its revocation answered.
 */
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

/** What a link joins, for the page that shows it before accepting: only while it is pending. */
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

/** Pending invitations, newest first, a page at a time; the cursor is the (created, id) of the last one shown. */
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

/**
 * Revokes invitations of a workspace that are not revoked yet (the first revocation's time and
 * author stay), either by id or every one a user created. Expired ones are revoked too, so the
 * record says the link was withdrawn. Returns the ones this call revoked.
 */
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

/** Adds a membership unless one exists: false when the user was a member already. */
export async function insertMembershipIfAbsent(
  db: Executor,
  workspaceId: string,
  userId: string,
  role: Role,
  at: string,
): Promise<boolean> {
  const result = await db
    .insertInto("memberships")
    .values({ workspace_id: workspaceId, user_id: userId, role, joined_at: at, key_creations: 0 })
    .onConflict((oc) => oc.columns(["workspace_id", "user_id"]).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

/**
 * Whether someone else removed the user from the workspace at or after `since`. Read from the audit
 * log, which is append-only and written in the removal's own transaction, so it cannot disagree
 * with the removal; a member who left on their own is not counted.
 */
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
