/** Workspace and membership rows; invitation rows are in invitation-store.ts. */
import type { Member, Role, Workspace, WorkspaceSummary } from "@cogno/protocol";
import type { Kysely, Transaction } from "kysely";
import { isPostgres } from "../db/create-database.ts";
import { decodeCursor, pageOf } from "../db/page-cursor.ts";
import type { Database, WorkspacesTable } from "../db/schema.ts";

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

/** Still usable by a newcomer at `now`: not revoked, not expired (invitation-rules.ts isPending, in SQL). */
/**
 * Records a use of the link (the last person who joined by it), guarded on the link still being
 * pending: a revocation that commits first wins, and on PostgreSQL the row lock orders a revocation
 * racing this use, so nobody joins through a link after its revocation answered.
 */
/** What a link joins, for the page that shows it before accepting: only while it is pending. */
/** Pending invitations, newest first, a page at a time; the cursor is the (created, id) of the last one shown. */
/**
 * Revokes invitations of a workspace that are not revoked yet (the first revocation's time and
 * author stay), either by id or every one a user created. Expired ones are revoked too, so the
 * record says the link was withdrawn. Returns the ones this call revoked.
 */
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
