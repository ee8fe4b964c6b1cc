/** The audit log in words: each action's label, and an entry's details as short "name: value" parts. */
import type { AuditAction } from "@cogno/protocol";

export const ACTION_LABELS: Record<AuditAction, string> = {
  "api_key.created": "Key created",
  "api_key.renamed": "Key renamed",
  "api_key.rolled": "Key rolled",
  "api_key.revoked": "Key revoked",
  "api_key.expired": "Key expired",
  "api_key.reported_leaked": "Key reported leaked",
  "invitation.created": "Invitation created",
  "invitation.revoked": "Invitation revoked",
  "member.joined": "Member joined",
  "member.role_changed": "Role changed",
  "member.removed": "Member removed",
  "worker.disconnected": "Worker stopped",
  "worker.forgotten": "Worker forgotten",
};

const MAX_VALUE_LENGTH = 120;

/** `{ from: "admin", to: "member" }` → `["from: admin", "to: member"]`; nested values as JSON, long ones cut. */
export function describeDetails(details: Record<string, unknown>): string[] {
  return Object.entries(details)
    .filter(([, value]) => value !== null && value !== undefined && value !== "")
    .map(([name, value]) => {
      const text = typeof value === "string" ? value : JSON.stringify(value);
      return `${name}: ${text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH - 1)}…` : text}`;
    });
}
