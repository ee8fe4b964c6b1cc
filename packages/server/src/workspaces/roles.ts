/** Who may do what in a workspace: pure decisions, tested on their own. */
import type { Role } from "@cogno/protocol";

const RANK: Record<Role, number> = { member: 0, admin: 1, owner: 2 };

export function hasRoleAtLeast(role: Role, minimum: Role): boolean {
  return RANK[role] >= RANK[minimum];
}

/** Owners and admins see and revoke every key in the workspace; members only their own. */
export function canManageAllKeys(role: Role): boolean {
  return hasRoleAtLeast(role, "admin");
}

export type RemovalDecision = { allowed: true } | { allowed: false; reason: "forbidden" | "last_owner" };

/**
 * Anyone may leave; admins remove members and admins; only owners remove owners; the last owner
 * cannot leave or be removed, so a workspace always has someone who can manage it.
 */
export function decideMemberRemoval(input: {
  actorId: string;
  actorRole: Role;
  targetId: string;
  targetRole: Role;
  ownerCount: number;
}): RemovalDecision {
  const leaving = input.actorId === input.targetId;
  if (!leaving) {
    if (!hasRoleAtLeast(input.actorRole, "admin")) return { allowed: false, reason: "forbidden" };
    if (input.targetRole === "owner" && input.actorRole !== "owner")
      return { allowed: false, reason: "forbidden" };
  }
  if (input.targetRole === "owner" && input.ownerCount <= 1) return { allowed: false, reason: "last_owner" };
  return { allowed: true };
}

/** Owners and admins create invitations and see the pending ones. */
export function canInvite(role: Role): boolean {
  return hasRoleAtLeast(role, "admin");
}

export type RoleChangeDecision =
  | { allowed: true; changed: false }
  | { allowed: true; changed: true; revokesInvitations: boolean }
  | { allowed: false; reason: "forbidden" | "last_owner" };

/**
 * Owners change any role, their own included; admins set member or admin on anyone who is not an
 * owner; members change none. The last owner cannot be lowered. Someone who can no longer invite
 * loses the links they created, so a lowered admin cannot bring anyone in (or come back) by them.
 */
export function decideRoleChange(input: {
  actorRole: Role;
  targetRole: Role;
  newRole: Role;
  ownerCount: number;
}): RoleChangeDecision {
  const { actorRole, targetRole, newRole } = input;
  if (!hasRoleAtLeast(actorRole, "admin")) return { allowed: false, reason: "forbidden" };
  if (actorRole !== "owner" && (targetRole === "owner" || newRole === "owner"))
    return { allowed: false, reason: "forbidden" };
  if (newRole === targetRole) return { allowed: true, changed: false };
  if (targetRole === "owner" && input.ownerCount <= 1) return { allowed: false, reason: "last_owner" };
  return { allowed: true, changed: true, revokesInvitations: canInvite(targetRole) && !canInvite(newRole) };
}
