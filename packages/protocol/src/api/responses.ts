/** Response bodies of API.md (v1 and v1.1), each one schema. */
import { z } from "zod";
import {
  apiKeyRefSchema,
  apiKeySchema,
  auditEntrySchema,
  createdInvitationSchema,
  invitationSchema,
  leakReportSchema,
  memberSchema,
  roleSchema,
  rollSchema,
  timestampSchema,
  userSchema,
  workerSchema,
  workspaceSchema,
  workspaceSummarySchema,
} from "./resources.ts";

export const okResponseSchema = z.object({ ok: z.literal(true) });

export const userResponseSchema = z.object({ user: userSchema });

export const meResponseSchema = z.object({ user: userSchema, workspaces: z.array(workspaceSummarySchema) });
export type MeResponse = z.infer<typeof meResponseSchema>;

export const workspaceResponseSchema = z.object({ workspace: workspaceSchema });
export const workspaceWithRoleResponseSchema = z.object({ workspace: workspaceSchema, role: roleSchema });
export type WorkspaceWithRole = z.infer<typeof workspaceWithRoleResponseSchema>;

/**
 * Lists are paged (`?limit=&cursor=`); `nextCursor` is present only when another page follows, so a
 * short list answers exactly as API.md v1 wrote it.
 */
const nextCursor = z
  .string()
  .optional()
  .meta({ description: "Present when another page follows: pass it as cursor." });

export const membersResponseSchema = z.object({ members: z.array(memberSchema), nextCursor });
export const memberResponseSchema = z.object({ member: memberSchema });

export const createInvitationResponseSchema = z.object({
  invitation: createdInvitationSchema,
  /** The secret of the link: returned by this one response and never again. */
  token: z.string(),
});
export type CreateInvitationResponse = z.infer<typeof createInvitationResponseSchema>;
export const invitationsResponseSchema = z.object({ invitations: z.array(invitationSchema) });
export const invitationPreviewResponseSchema = z.object({
  workspace: z.object({ id: z.string(), name: z.string() }),
  role: roleSchema,
  invitedBy: z.object({ name: z.string() }),
  expiresAt: timestampSchema,
});
export type InvitationPreview = z.infer<typeof invitationPreviewResponseSchema>;

export const createApiKeyResponseSchema = z.object({
  apiKey: apiKeySchema,
  /** The raw key: returned by this one response and never again. */
  key: z.string(),
});
export type CreateApiKeyResponse = z.infer<typeof createApiKeyResponseSchema>;

export const apiKeysResponseSchema = z.object({ apiKeys: z.array(apiKeySchema), nextCursor });
export type ApiKeysResponse = z.infer<typeof apiKeysResponseSchema>;

export const apiKeyResponseSchema = z.object({ apiKey: apiKeySchema });

export const apiKeyDetailResponseSchema = z.object({
  apiKey: apiKeySchema,
  /** Workers connected with the key now. */
  workers: z.array(workerSchema),
  /** Every worker that used the key in the last 30 days, connected or not. */
  recentWorkers: z.array(workerSchema),
  /** Present when the key was rolled: when, and by which key. */
  roll: rollSchema.optional(),
  /** Present when the key was reported leaked: where it was found. */
  leakReport: leakReportSchema.optional(),
});
export type ApiKeyDetail = z.infer<typeof apiKeyDetailResponseSchema>;

export const revokeApiKeyResponseSchema = z.object({
  apiKey: apiKeySchema,
  disconnectedWorkers: z.number().int(),
});
export type RevokeApiKeyResponse = z.infer<typeof revokeApiKeyResponseSchema>;

export const rollApiKeyResponseSchema = z.object({
  apiKey: apiKeySchema,
  /** The new raw key: returned by this one response and never again. */
  key: z.string(),
  previous: apiKeySchema,
});
export type RollApiKeyResponse = z.infer<typeof rollApiKeyResponseSchema>;

export const whoamiResponseSchema = z.object({
  workspace: z.object({ id: z.string(), name: z.string() }),
  apiKey: apiKeyRefSchema,
  user: userSchema,
});
export type WhoamiResponse = z.infer<typeof whoamiResponseSchema>;

export const workersResponseSchema = z.object({ workers: z.array(workerSchema), nextCursor });
export type WorkersResponse = z.infer<typeof workersResponseSchema>;
export const workerResponseSchema = z.object({ worker: workerSchema });

/** What the web app needs to know about the server it talks to. */
export const serverInfoResponseSchema = z.object({
  version: z.string(),
  /** Workers heartbeat this often; a page re-derives "offline" (3 missed) from heartbeat times with it. */
  heartbeatIntervalMs: z.number().int(),
  /** Workers unseen this long are forgotten. */
  workerRetentionDays: z.number().int(),
});
export type ServerInfo = z.infer<typeof serverInfoResponseSchema>;

export const auditLogResponseSchema = z.object({
  entries: z.array(auditEntrySchema),
  nextCursor: z.string().nullable(),
});
export type AuditLogResponse = z.infer<typeof auditLogResponseSchema>;

export const leakedKeyLabelSchema = z.object({
  token_hash: z.string(),
  token_type: z.string(),
  label: z.enum(["true_positive", "false_positive"]),
});
export const leakedKeyResponseSchema = z.array(leakedKeyLabelSchema);
export type LeakedKeyResponse = z.infer<typeof leakedKeyResponseSchema>;

export const deviceAuthorizationResponseSchema = z.object({
  deviceCode: z.string(),
  userCode: z.string(),
  verificationUri: z.string(),
  verificationUriComplete: z.string(),
  expiresIn: z.number().int(),
  interval: z.number().int(),
});
export type DeviceAuthorization = z.infer<typeof deviceAuthorizationResponseSchema>;

export const deviceTokenResponseSchema = z.object({
  key: z.string(),
  apiKey: apiKeySchema,
  workspace: z.object({ id: z.string(), name: z.string() }),
});
export type DeviceToken = z.infer<typeof deviceTokenResponseSchema>;

export const devicePreviewResponseSchema = z.object({ clientName: z.string(), expiresAt: timestampSchema });
export const deviceApproveResponseSchema = z.object({ apiKey: apiKeySchema });
