import type { Member, Role, Workspace, WorkspaceSummary } from "@cogno/protocol";
import type { Kysely, Transaction } from "kysely";
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

export async function listMembers(db: Executor, workspaceId: string): Promise<Member[]> {
  const rows = await db
    .selectFrom("memberships")
    .innerJoin("users", "users.id", "memberships.user_id")
    .select(["users.id", "users.email", "users.name", "memberships.role", "memberships.joined_at"])
    .where("memberships.workspace_id", "=", workspaceId)
    .orderBy("memberships.joined_at")
    .execute();
  return rows.map((row) => ({
    user: { id: row.id, email: row.email, name: row.name },
    role: row.role,
    joinedAt: row.joined_at,
  }));
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

/** Marks the invitation used, once: false when another accept got there first. */
export async function markInvitationAccepted(
  db: Executor,
  id: string,
  userId: string,
  at: string,
): Promise<boolean> {
  const result = await db
    .updateTable("invitations")
    .set({ accepted_by: userId, accepted_at: at })
    .where("id", "=", id)
    .where("accepted_by", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Adds a membership unless one exists; returns the role the user now has. */
export async function insertMembershipIfAbsent(
  db: Executor,
  workspaceId: string,
  userId: string,
  role: Role,
  at: string,
): Promise<void> {
  await db
    .insertInto("memberships")
    .values({ workspace_id: workspaceId, user_id: userId, role, joined_at: at, key_creations: 0 })
    .onConflict((oc) => oc.columns(["workspace_id", "user_id"]).doNothing())
    .execute();
}
