/** Request bodies and query strings of API.md (v1 and v1.1). Messages name the field to fix. */
import { z } from "zod";
import { invitedRoleSchema, roleSchema, timestampSchema } from "./resources.ts";
import { cleanTextSchema } from "./text.ts";

export const API_KEY_LIMIT = 25;
export const API_KEY_NAME_MAX = 100;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;
export const EMAIL_MAX = 254;
/** The longest grace window a roll may give the old key: 30 days. */
export const ROLL_GRACE_MAX_SECONDS = 2_592_000;
export const LEAK_REPORT_MAX_TOKENS = 100;
export const AUDIT_PAGE_DEFAULT = 50;
export const AUDIT_PAGE_MAX = 200;
export const LIST_PAGE_DEFAULT = 100;
export const LIST_PAGE_MAX = 500;

const emailSchema = z
  .string({ error: "email must be a string" })
  .trim()
  .toLowerCase()
  .max(EMAIL_MAX, { error: `email must be at most ${EMAIL_MAX} characters` })
  .pipe(z.email({ error: "email must be an email address" }));

export const signupBodySchema = z.object({
  email: emailSchema,
  password: z
    .string({ error: "password must be a string" })
    .min(PASSWORD_MIN, { error: `password must be at least ${PASSWORD_MIN} characters` })
    .max(PASSWORD_MAX, { error: `password must be at most ${PASSWORD_MAX} characters` }),
  name: cleanTextSchema("name"),
});
export type SignupBody = z.infer<typeof signupBodySchema>;

export const loginBodySchema = z.object({
  email: z
    .string({ error: "email must be a string" })
    .trim()
    .toLowerCase()
    .min(1, { error: "email must not be empty" })
    .max(EMAIL_MAX, { error: `email must be at most ${EMAIL_MAX} characters` }),
  password: z
    .string({ error: "password must be a string" })
    .min(1, { error: "password must not be empty" })
    .max(PASSWORD_MAX, { error: `password must be at most ${PASSWORD_MAX} characters` }),
});
export type LoginBody = z.infer<typeof loginBodySchema>;

export const createWorkspaceBodySchema = z.object({ name: cleanTextSchema("name") });
export type CreateWorkspaceBody = z.infer<typeof createWorkspaceBodySchema>;

export const createInvitationBodySchema = z.object({ role: invitedRoleSchema });
export type CreateInvitationBody = z.infer<typeof createInvitationBodySchema>;

export const changeRoleBodySchema = z.object({
  role: z.enum(roleSchema.options, { error: 'role must be "owner", "admin" or "member"' }),
});
export type ChangeRoleBody = z.infer<typeof changeRoleBodySchema>;

export const createApiKeyBodySchema = z.object({
  name: cleanTextSchema("name", API_KEY_NAME_MAX),
  /** Optional expiry; the server checks that it is in the future. */
  expiresAt: timestampSchema
    .nullish()
    .transform((value) => value ?? null)
    .meta({
      description: "When the key stops working (ISO-8601 UTC, in the future); null or absent for never.",
    }),
});
export type CreateApiKeyBody = z.infer<typeof createApiKeyBodySchema>;

export const renameApiKeyBodySchema = z.object({ name: cleanTextSchema("name", API_KEY_NAME_MAX) });
export type RenameApiKeyBody = z.infer<typeof renameApiKeyBodySchema>;

export const rollApiKeyBodySchema = z.object({
  expiresInSeconds: z
    .number({ error: "expiresInSeconds must be a number of seconds" })
    .int({ error: "expiresInSeconds must be a whole number of seconds" })
    .min(0, { error: "expiresInSeconds must be 0 or more" })
    .max(ROLL_GRACE_MAX_SECONDS, {
      error: `expiresInSeconds must be at most ${ROLL_GRACE_MAX_SECONDS} (30 days)`,
    }),
});
export type RollApiKeyBody = z.infer<typeof rollApiKeyBodySchema>;

/** One finding of GitHub's secret-scanning partner program. */
export const leakedKeyReportItemSchema = z.object({
  token: z.string({ error: "token must be a string" }).max(1_000),
  type: z.string({ error: "type must be a string" }).max(200),
  url: z.string().max(2_000).default(""),
  source: z.string().max(200).default(""),
});
export const leakedKeyReportBodySchema = z
  .array(leakedKeyReportItemSchema)
  .max(LEAK_REPORT_MAX_TOKENS, { error: `a report holds at most ${LEAK_REPORT_MAX_TOKENS} tokens` });
export type LeakedKeyReport = z.infer<typeof leakedKeyReportBodySchema>;

export const deviceAuthorizeBodySchema = z.object({ clientName: cleanTextSchema("clientName") });
export const deviceTokenBodySchema = z.object({
  deviceCode: z.string({ error: "deviceCode must be a string" }).min(1).max(200),
});
/** `XXXX-XXXX`; case and dash optional (the server normalises). */
export const userCodeSchema = z
  .string({ error: "userCode must be a string" })
  .trim()
  .max(20, { error: "userCode is the 8-letter code shown by cogno login" });
export const deviceApproveBodySchema = z.object({
  userCode: userCodeSchema,
  workspaceId: z.string({ error: "workspaceId must be a string" }).min(1).max(100),
});
export const deviceDenyBodySchema = z.object({ userCode: userCodeSchema });

export const listApiKeysQuerySchema = z.object({
  state: z.enum(["active", "all"], { error: 'state must be "active" or "all"' }).default("active"),
});

function pageLimit(fallback: number, max: number) {
  return z.coerce
    .number({ error: "limit must be a number" })
    .int({ error: "limit must be a whole number" })
    .min(1, { error: `limit must be between 1 and ${max}` })
    .max(max, { error: `limit must be between 1 and ${max}` })
    .default(fallback);
}

/** The page of a list: `cursor` is the `nextCursor` of the page before. */
export const pageQuerySchema = z.object({
  limit: pageLimit(LIST_PAGE_DEFAULT, LIST_PAGE_MAX),
  cursor: z.string().max(500).optional(),
});
export type PageQuery = z.infer<typeof pageQuerySchema>;

export const auditLogQuerySchema = z.object({
  before: z.string().max(500).optional(),
  limit: pageLimit(AUDIT_PAGE_DEFAULT, AUDIT_PAGE_MAX),
  format: z.enum(["json", "ndjson"], { error: 'format must be "ndjson" or absent' }).default("json"),
  action: z.string().max(100).optional(),
  actor: z.string().max(100).optional(),
});
export type AuditLogQuery = z.infer<typeof auditLogQuerySchema>;
