import type {
  CreatedInvitation,
  CreateInvitationBody,
  Member,
  Role,
  User,
  Workspace,
  WorkspaceSummary,
} from "@cogno/protocol";
import { findActiveKeyIdsOfOwner, revokeKeys } from "../apikeys/store.ts";
import { isoAt } from "../clock.ts";
import { randomToken, sha256Hex } from "../crypto.ts";
import type { Deps } from "../deps.ts";
import { AppError } from "../http/errors.ts";
import { newId } from "../ids.ts";
import { decideInvitationUse } from "./invitation-rules.ts";
import { decideMemberRemoval, hasRoleAtLeast } from "./roles.ts";
import {
  countOwners,
  deleteMembership,
  findInvitation,
  findRole,
  findWorkspace,
  insertInvitation,
  insertMembershipIfAbsent,
  insertWorkspaceWithOwner,
  listMembers,
  listWorkspaceSummaries,
  markInvitationAccepted,
  toWorkspace,
} from "./store.ts";

const INVITATION_DAYS = 7;

/**
 * The caller's role in a workspace, or 403. A workspace that does not exist answers the same as
 * one the caller is not in, so ids cannot be probed. Every workspace route starts here.
 */
export async function authorizeMember(
  deps: Deps,
  workspaceId: string,
  userId: string,
  minimum: Role = "member",
) {
  const role = await findRole(deps.db, workspaceId, userId);
  if (!role) throw new AppError("forbidden", "You are not a member of this workspace.");
  if (!hasRoleAtLeast(role, minimum)) {
    throw new AppError(
      "forbidden",
      `Only workspace ${minimum === "owner" ? "owners" : "owners and admins"} can do this.`,
    );
  }
  return role;
}

export async function createWorkspace(deps: Deps, userId: string, name: string): Promise<Workspace> {
  const row = { id: newId("wsp"), name, created_at: isoAt(deps.clock) };
  await insertWorkspaceWithOwner(deps.db, row, userId);
  return toWorkspace(row);
}

export function listWorkspacesOfUser(deps: Deps, userId: string): Promise<WorkspaceSummary[]> {
  return listWorkspaceSummaries(deps.db, userId);
}

export async function getWorkspace(deps: Deps, workspaceId: string, userId: string) {
  const role = await authorizeMember(deps, workspaceId, userId);
  const row = await findWorkspace(deps.db, workspaceId);
  if (!row) throw new AppError("forbidden", "You are not a member of this workspace.");
  return { workspace: toWorkspace(row), role };
}

export async function getMembers(deps: Deps, workspaceId: string, userId: string): Promise<Member[]> {
  await authorizeMember(deps, workspaceId, userId);
  return listMembers(deps.db, workspaceId);
}

export async function createInvitation(
  deps: Deps,
  workspaceId: string,
  actor: User,
  body: CreateInvitationBody,
): Promise<{ invitation: CreatedInvitation; token: string }> {
  const userId = actor.id;
  await authorizeMember(deps, workspaceId, userId, "admin");
  const token = randomToken();
  const invitation: CreatedInvitation = {
    id: newId("inv"),
    role: body.role,
    expiresAt: isoAt(deps.clock, INVITATION_DAYS * 24 * 60 * 60 * 1000),
  };
  await insertInvitation(deps.db, {
    id: invitation.id,
    workspace_id: workspaceId,
    token_hash: sha256Hex(token),
    role: invitation.role,
    created_by: userId,
    created_at: isoAt(deps.clock),
    expires_at: invitation.expiresAt,
    accepted_by: null,
    accepted_at: null,
    revoked_at: null,
    revoked_by: null,
  });
  return { invitation, token };
}

/** Joins the signed-in user to the invitation's workspace (see invitation-rules.ts for who may). */
export async function acceptInvitation(deps: Deps, token: string, userId: string) {
  const now = isoAt(deps.clock);
  return deps.db.transaction().execute(async (trx) => {
    const invitation = await findInvitation(trx, sha256Hex(token));
    const decision = invitation
      ? decideInvitationUse(
          { role: invitation.role, expiresAt: invitation.expires_at, acceptedBy: invitation.accepted_by },
          { currentRole: await findRole(trx, invitation.workspace_id, userId), now },
        )
      : ({ kind: "refuse", reason: "used" } as const);
    if (!invitation || decision.kind === "refuse") {
      throw new AppError(
        "not_found",
        "This invitation link is not valid: it has expired or was already used. Ask a workspace admin for a new link.",
      );
    }
    if (decision.kind === "join") {
      // Marked first, guarded on "still unused": of two people racing with one link, one gets in.
      if (!(await markInvitationAccepted(trx, invitation.id, userId, now))) {
        throw new AppError(
          "not_found",
          "This invitation link was just used by someone else. Ask for a new link.",
        );
      }
      await insertMembershipIfAbsent(trx, invitation.workspace_id, userId, decision.role, now);
    }
    const workspace = await findWorkspace(trx, invitation.workspace_id);
    if (!workspace) throw new AppError("not_found", "The workspace of this invitation no longer exists.");
    return { workspace: toWorkspace(workspace), role: decision.role };
  });
}

/** Removes a member and, in the same transaction, revokes every key they hold in the workspace. */
export async function removeMember(
  deps: Deps,
  workspaceId: string,
  actorId: string,
  targetId: string,
): Promise<void> {
  const actorRole = await authorizeMember(deps, workspaceId, actorId);
  const now = isoAt(deps.clock);
  const change = await deps.db.transaction().execute(async (trx) => {
    const targetRole = await findRole(trx, workspaceId, targetId);
    if (!targetRole) throw new AppError("not_found", "That user is not a member of this workspace.");
    const decision = decideMemberRemoval({
      actorId,
      actorRole,
      targetId,
      targetRole,
      ownerCount: await countOwners(trx, workspaceId),
    });
    if (!decision.allowed) {
      throw decision.reason === "last_owner"
        ? new AppError("conflict", "A workspace needs at least one owner. Make someone else an owner first.")
        : new AppError(
            "forbidden",
            "Only owners and admins can remove other members, and only owners can remove owners.",
          );
    }
    await deleteMembership(trx, workspaceId, targetId);
    const keyIds = await findActiveKeyIdsOfOwner(trx, workspaceId, targetId, now);
    return revokeKeys(trx, { keyIds, by: actorId, reason: "member_removed", at: now });
  });
  // Answered only once every replica has cut off the removed member's workers.
  if (change) await deps.keyChanges.announce(change);
  for (const keyId of change?.keyIds ?? []) {
    await deps.bus.publish({ type: "api_key.revoked", workspaceId, keyId });
  }
  await deps.bus.publish({ type: "member.removed", workspaceId, userId: targetId });
}
