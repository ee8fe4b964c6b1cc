/** Whether an invitation link lets this user in: a pure decision, applied by acceptInvitation. */
import type { Role } from "@cogno/protocol";

export type InvitationDecision =
  | { kind: "join"; role: Exclude<Role, "owner"> }
  | { kind: "already_member"; role: Role }
  | { kind: "refuse"; reason: "expired" | "used" };

/**
 * A link works once, before it expires. Someone who is already a member keeps their role and does
 * not use the link up. A used link never works again, not even for the person who used it: a member
 * who was removed must not walk back in with the link they joined by.
 */
export function decideInvitationUse(
  invitation: { role: Exclude<Role, "owner">; expiresAt: string; acceptedBy: string | null },
  caller: { currentRole: Role | undefined; now: string },
): InvitationDecision {
  if (caller.currentRole !== undefined) return { kind: "already_member", role: caller.currentRole };
  if (invitation.expiresAt <= caller.now) return { kind: "refuse", reason: "expired" };
  if (invitation.acceptedBy !== null) return { kind: "refuse", reason: "used" };
  return { kind: "join", role: invitation.role };
}
