/**
 * The resources of API.md as they travel in responses: users, workspaces, members, invitations,
 * API keys and workers. Each is one zod schema; the server serialises with it, and the CLI, the web
 * app and the end-to-end tests parse with it, so a contract change is one edit here.
 */
import { z } from "zod";

/** An ISO-8601 UTC timestamp, as every time in the contract is written. */
export const timestampSchema = z.iso.datetime({ offset: false });

export const ROLES = ["owner", "admin", "member"] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

export const userSchema = z
  .object({ id: z.string(), email: z.string(), name: z.string() })
  .meta({ id: "User" });
export type User = z.infer<typeof userSchema>;

export const workspaceSchema = z
  .object({ id: z.string(), name: z.string(), createdAt: timestampSchema })
  .meta({ id: "Workspace" });
export type Workspace = z.infer<typeof workspaceSchema>;

export const workspaceSummarySchema = z
  .object({ id: z.string(), name: z.string(), role: roleSchema })
  .meta({ id: "WorkspaceSummary" });
export type WorkspaceSummary = z.infer<typeof workspaceSummarySchema>;

export const memberSchema = z
  .object({ user: userSchema, role: roleSchema, joinedAt: timestampSchema })
  .meta({ id: "Member" });
export type Member = z.infer<typeof memberSchema>;

export const invitedRoleSchema = z.enum(["admin", "member"], { error: 'role must be "admin" or "member"' });

/** An invitation as its creation answers it (API.md v1). */
export const createdInvitationSchema = z
  .object({ id: z.string(), role: invitedRoleSchema, expiresAt: timestampSchema })
  .meta({ id: "CreatedInvitation" });
export type CreatedInvitation = z.infer<typeof createdInvitationSchema>;

/** A pending invitation as the list shows it (API.md v1.1). */
export const invitationSchema = createdInvitationSchema
  .extend({ createdAt: timestampSchema, createdBy: userSchema })
  .meta({ id: "Invitation" });
export type Invitation = z.infer<typeof invitationSchema>;

export const apiKeyRefSchema = z
  .object({ id: z.string(), name: z.string(), prefix: z.string() })
  .meta({ id: "ApiKeyRef" });
export type ApiKeyRef = z.infer<typeof apiKeyRefSchema>;

/** Why a key stopped working (API.md v1.1 `revokedReason`). */
export const REVOKED_REASONS = ["revoked", "expired", "leaked", "member_removed", "rolled"] as const;
export const revokedReasonSchema = z.enum(REVOKED_REASONS);
export type RevokedReason = z.infer<typeof revokedReasonSchema>;

export const apiKeySchema = apiKeyRefSchema
  .extend({
    scope: z.literal("worker"),
    createdAt: timestampSchema,
    lastUsedAt: timestampSchema.nullable(),
    lastUsedIp: z.string().nullable(),
    expiresAt: timestampSchema.nullable(),
    revokedAt: timestampSchema.nullable(),
    revokedReason: revokedReasonSchema.nullable(),
    owner: userSchema,
  })
  .meta({ id: "ApiKey" });
export type ApiKey = z.infer<typeof apiKeySchema>;

/** Where a leaked-key report said a key was found. */
export const leakReportSchema = z
  .object({ url: z.string(), source: z.string(), reportedAt: timestampSchema })
  .meta({ id: "LeakReport" });
export type LeakReport = z.infer<typeof leakReportSchema>;

/** A roll of a key: when, and the key that replaced it. */
export const rollSchema = z
  .object({ rolledAt: timestampSchema, replacedBy: apiKeyRefSchema.nullable() })
  .meta({ id: "Roll" });
export type Roll = z.infer<typeof rollSchema>;

export const WORKER_STATUSES = ["online", "offline", "stopped", "revoked"] as const;
export const workerStatusSchema = z.enum(WORKER_STATUSES);
export type WorkerStatus = z.infer<typeof workerStatusSchema>;

export const workerSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    hostname: z.string(),
    os: z.string(),
    arch: z.string(),
    version: z.string(),
    status: workerStatusSchema,
    apiKey: apiKeyRefSchema,
    registeredAt: timestampSchema,
    connectedAt: timestampSchema.nullable(),
    lastHeartbeatAt: timestampSchema.nullable(),
    lastIp: z.string().nullable(),
  })
  .meta({ id: "Worker" });
export type Worker = z.infer<typeof workerSchema>;

export const AUDIT_ACTIONS = [
  "api_key.created",
  "api_key.renamed",
  "api_key.rolled",
  "api_key.revoked",
  "api_key.expired",
  "api_key.reported_leaked",
  "invitation.created",
  "invitation.revoked",
  "member.joined",
  "member.role_changed",
  "member.removed",
  "worker.disconnected",
  "worker.forgotten",
] as const;
export const auditActionSchema = z.enum(AUDIT_ACTIONS);
export type AuditAction = z.infer<typeof auditActionSchema>;

export const auditEntrySchema = z
  .object({
    id: z.string(),
    at: timestampSchema,
    action: auditActionSchema,
    actor: z.object({
      type: z.enum(["user", "system", "reporter"]),
      id: z.string().nullable(),
      name: z.string(),
    }),
    target: z.object({
      type: z.enum(["api_key", "invitation", "user", "worker"]),
      id: z.string(),
      name: z.string(),
    }),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .meta({ id: "AuditEntry" });
export type AuditEntry = z.infer<typeof auditEntrySchema>;
