/** Request bodies and response shapes of API.md, as zod schemas and the types they infer. */
import { z } from "zod";

export const ROLES = ["owner", "admin", "member"] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

export const API_KEY_LIMIT = 25;
export const API_KEY_NAME_MAX = 100;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

// ── request bodies ──────────────────────────────────────────────────────────

export const signupBodySchema = z.object({
  email: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.email({ error: "email must be an email address" })),
  password: z
    .string()
    .min(PASSWORD_MIN, { error: `password must be at least ${PASSWORD_MIN} characters` })
    .max(PASSWORD_MAX, { error: `password must be at most ${PASSWORD_MAX} characters` }),
  name: z
    .string()
    .trim()
    .min(1, { error: "name must not be empty" })
    .max(100, { error: "name must be at most 100 characters" }),
});
export type SignupBody = z.infer<typeof signupBodySchema>;

export const loginBodySchema = z.object({
  email: z.string().trim().toLowerCase().min(1, { error: "email must not be empty" }),
  password: z.string().min(1, { error: "password must not be empty" }).max(PASSWORD_MAX),
});
export type LoginBody = z.infer<typeof loginBodySchema>;

export const createWorkspaceBodySchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, { error: "name must not be empty" })
    .max(100, { error: "name must be at most 100 characters" }),
});
export type CreateWorkspaceBody = z.infer<typeof createWorkspaceBodySchema>;

export const createInvitationBodySchema = z.object({
  role: z.enum(["admin", "member"], { error: 'role must be "admin" or "member"' }),
});
export type CreateInvitationBody = z.infer<typeof createInvitationBodySchema>;

export const createApiKeyBodySchema = z.object({
  name: z
    .string({ error: "name must be a string" })
    .trim()
    .min(1, { error: "name must not be empty" })
    .max(API_KEY_NAME_MAX, { error: `name must be at most ${API_KEY_NAME_MAX} characters` }),
});
export type CreateApiKeyBody = z.infer<typeof createApiKeyBodySchema>;

// ── resources ───────────────────────────────────────────────────────────────

export interface User {
  id: string;
  email: string;
  name: string;
}

export interface Workspace {
  id: string;
  name: string;
  createdAt: string;
}

export interface WorkspaceSummary {
  id: string;
  name: string;
  role: Role;
}

export interface Member {
  user: User;
  role: Role;
  joinedAt: string;
}

export interface Invitation {
  id: string;
  role: Exclude<Role, "owner">;
  expiresAt: string;
}

export interface ApiKeyRef {
  id: string;
  name: string;
  prefix: string;
}

export interface ApiKey extends ApiKeyRef {
  scope: "worker";
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  owner: User;
}

export const WORKER_STATUSES = ["online", "offline", "stopped", "revoked"] as const;
export type WorkerStatus = (typeof WORKER_STATUSES)[number];

export interface Worker {
  id: string;
  name: string;
  hostname: string;
  os: string;
  arch: string;
  version: string;
  status: WorkerStatus;
  apiKey: ApiKeyRef;
  registeredAt: string;
  connectedAt: string | null;
  lastHeartbeatAt: string | null;
}

// ── responses ───────────────────────────────────────────────────────────────

export interface MeResponse {
  user: User;
  workspaces: WorkspaceSummary[];
}

export interface WhoamiResponse {
  workspace: { id: string; name: string };
  apiKey: ApiKeyRef;
  user: User;
}

export interface CreateApiKeyResponse {
  apiKey: ApiKey;
  /** The raw key: returned by this one response and never again. */
  key: string;
}

export interface RevokeApiKeyResponse {
  apiKey: ApiKey;
  disconnectedWorkers: number;
}
