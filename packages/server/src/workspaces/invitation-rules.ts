/** Whether an invitation link lets this user in: a pure decision, applied by acceptInvitation. */
import type { Role } from "@cogno/protocol";

export type InvitationDecision =
  | { kind: "join"; role: Exclude<Role, "owner"> }
  | { kind: "already_member"; role: Role }
  | { kind: "refuse"; reason: "expired" | "revoked" | "removed" };

export interface InvitationState {
  role: Exclude<Role, "owner">;
  expiresAt: string;
  revokedAt: string | null;
}

export interface Caller {
  currentRole: Role | undefined;
  now: string;
  /** Someone else removed the caller from this workspace after the link was made. */
  removedSinceLinkMade?: boolean;
}

/**
 * A link lets in everyone who opens it until it expires or is revoked (API.md v1.1). Someone who is
 * already a member keeps their role: a link never changes a role. Someone removed from the
 * workspace is not let back in by any link that already existed when they were removed (the one
 * they joined by included); a link made after the removal is a deliberate new invitation. Removing
 * a member, or lowering an admin, also revokes the links they created.
 */
export function decideInvitationUse(invitation: InvitationState, caller: Caller): InvitationDecision {
  if (caller.currentRole !== undefined) return { kind: "already_member", role: caller.currentRole };
  if (invitation.revokedAt !== null) return { kind: "refuse", reason: "revoked" };
  if (invitation.expiresAt <= caller.now) return { kind: "refuse", reason: "expired" };
  if (caller.removedSinceLinkMade === true) return { kind: "refuse", reason: "removed" };
  return { kind: "join", role: invitation.role };
}

/** Pending: still usable by newcomers (the list shows these; the preview answers only for these). */
export function isPending(invitation: Omit<InvitationState, "role">, now: string): boolean {
  return (
    decideInvitationUse({ ...invitation, role: "member" }, { currentRole: undefined, now }).kind === "join"
  );
}
