/** Members of a workspace: list, change a role, remove (who may: roles.ts). */
import type { Member, PageQuery, Role } from "@cogno/protocol";
import { findActiveKeyIdsOfOwner, findApiKeysByIds, revokeKeys } from "../apikeys/store.ts";
import type { UserActor } from "../audit/service.ts";
import { recordAudit } from "../audit/store.ts";
import { isoAt } from "../clock.ts";
import type { Deps } from "../deps.ts";
import { AppError } from "../http/errors.ts";
import { userTarget } from "./audit-targets.ts";
import { revokeInvitationsCreatedBy } from "./invitation-service.ts";
import { decideMemberRemoval, decideRoleChange } from "./roles.ts";
import { authorizeMember } from "./service.ts";
import {
  countOwners,
  deleteMembership,
  findMember,
  findRole,
  listMembers,
  lockWorkspace,
  updateMembershipRole,
} from "./store.ts";

export async function getMembers(
  deps: Deps,
  input: { workspaceId: string; actor: UserActor } & PageQuery,
): Promise<{ members: Member[]; nextCursor?: string }> {
  await authorizeMember(deps, input.workspaceId, input.actor.id);
  return listMembers(deps.db, input);
}

/**
 * Changes a member's role (roles.ts decideRoleChange). Someone lowered below admin loses the
 * invitation links they created, in the same transaction.
 */
export async function changeMemberRole(
  deps: Deps,
  input: { workspaceId: string; actor: UserActor; targetId: string; role: Role },
): Promise<Member> {
  await authorizeMember(deps, input.workspaceId, input.actor.id);
  const at = isoAt(deps.clock);
  const { member, changed } = await deps.db.transaction().execute(async (trx) => {
    await lockWorkspace(trx, input.workspaceId);
    const actorRole = await findRole(trx, input.workspaceId, input.actor.id);
    if (!actorRole) throw new AppError("forbidden", "You are not a member of this workspace.");
    const target = await findMember(trx, input.workspaceId, input.targetId);
    if (!target) throw new AppError("not_found", "That user is not a member of this workspace.");
    const decision = decideRoleChange({
      actorRole,
      targetRole: target.role,
      newRole: input.role,
      ownerCount: await countOwners(trx, input.workspaceId),
    });
    if (!decision.allowed) {
      throw decision.reason === "last_owner"
        ? new AppError(
            "conflict",
            "A workspace needs at least one owner. Make someone else an owner first, then change this role.",
          )
        : new AppError(
            "forbidden",
            "Only owners and admins can change roles; admins set member or admin, and only on members who are not owners.",
          );
    }
    if (!decision.changed) return { member: target, changed: false };
    await updateMembershipRole(trx, input.workspaceId, input.targetId, input.role);
    await recordAudit(trx, {
      workspaceId: input.workspaceId,
      at,
      action: "member.role_changed",
      actor: input.actor,
      target: userTarget(target.user),
      details: { from: target.role, to: input.role },
    });
    if (decision.revokesInvitations) {
      await revokeInvitationsCreatedBy(trx, {
        workspaceId: input.workspaceId,
        creatorId: input.targetId,
        actor: input.actor,
        at,
        reason: "role_changed",
      });
    }
    return { member: { ...target, role: input.role }, changed: true };
  });
  if (changed) {
    await deps.bus.publish({
      type: "member.role_changed",
      workspaceId: input.workspaceId,
      userId: input.targetId,
    });
  }
  return member;
}

/**
 * Removes a member and, in the same transaction, revokes every key they hold in the workspace and
 * every invitation link they created there (a removed admin must not walk back in by one).
 */
export async function removeMember(
  deps: Deps,
  input: { workspaceId: string; actor: UserActor; targetId: string },
): Promise<void> {
  const { workspaceId, actor, targetId } = input;
  await authorizeMember(deps, workspaceId, actor.id);
  const now = isoAt(deps.clock);
  const change = await deps.db.transaction().execute(async (trx) => {
    await lockWorkspace(trx, workspaceId);
    const actorRole = await findRole(trx, workspaceId, actor.id);
    if (!actorRole) throw new AppError("forbidden", "You are not a member of this workspace.");
    const target = await findMember(trx, workspaceId, targetId);
    if (!target) throw new AppError("not_found", "That user is not a member of this workspace.");
    const decision = decideMemberRemoval({
      actorId: actor.id,
      actorRole,
      targetId,
      targetRole: target.role,
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
    await recordAudit(trx, {
      workspaceId,
      at: now,
      action: "member.removed",
      actor,
      target: userTarget(target.user),
      details: { role: target.role },
    });
    await revokeInvitationsCreatedBy(trx, {
      workspaceId,
      creatorId: targetId,
      actor,
      at: now,
      reason: "member_removed",
    });
    const keyIds = await findActiveKeyIdsOfOwner(trx, workspaceId, targetId, now);
    const revoked = await revokeKeys(trx, { keyIds, by: actor.id, reason: "member_removed", at: now });
    const keys = await findApiKeysByIds(trx, revoked?.keyIds ?? [], now);
    await recordAudit(
      trx,
      keys.map((key) => ({
        workspaceId,
        at: now,
        action: "api_key.revoked" as const,
        actor,
        target: { type: "api_key" as const, id: key.id, name: key.name },
        details: { reason: "member_removed", prefix: key.prefix },
      })),
    );
    return revoked;
  });
  // Answered only once every replica has cut off the removed member's workers.
  if (change) await deps.keyChanges.announce(change);
  for (const keyId of change?.keyIds ?? []) {
    await deps.bus.publish({ type: "api_key.revoked", workspaceId, keyId });
  }
  await deps.bus.publish({ type: "member.removed", workspaceId, userId: targetId });
}
