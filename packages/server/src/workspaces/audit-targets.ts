/** How workspace things are named in audit entries: the target of an action. */
import type { AuditEntry } from "@cogno/protocol";

export function invitationTarget(invitation: { id: string; role: string }): AuditEntry["target"] {
  return { type: "invitation", id: invitation.id, name: `Invitation as ${invitation.role}` };
}

/** `member.*` entries target the user the action was done to. */
export function userTarget(user: { id: string; name: string }): AuditEntry["target"] {
  return { type: "user", id: user.id, name: user.name };
}
