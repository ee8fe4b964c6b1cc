/**
 * Every HTTP route of API.md as data: method, path, who may call it, and the schema of each part.
 * The server registers its handlers against these entries (validation and serialisation come from
 * them), the OpenAPI document is generated from them, and clients call and parse through them.
 */
import { z } from "zod";
import {
  auditLogQuerySchema,
  changeRoleBodySchema,
  createApiKeyBodySchema,
  createInvitationBodySchema,
  createWorkspaceBodySchema,
  deviceApproveBodySchema,
  deviceAuthorizeBodySchema,
  deviceDenyBodySchema,
  deviceTokenBodySchema,
  leakedKeyReportBodySchema,
  listApiKeysQuerySchema,
  loginBodySchema,
  pageQuerySchema,
  renameApiKeyBodySchema,
  rollApiKeyBodySchema,
  signupBodySchema,
} from "./requests.ts";
import {
  apiKeyDetailResponseSchema,
  apiKeyResponseSchema,
  apiKeysResponseSchema,
  auditLogResponseSchema,
  createApiKeyResponseSchema,
  createInvitationResponseSchema,
  deviceApproveResponseSchema,
  deviceAuthorizationResponseSchema,
  devicePreviewResponseSchema,
  deviceTokenResponseSchema,
  invitationPreviewResponseSchema,
  invitationsResponseSchema,
  leakedKeyResponseSchema,
  memberResponseSchema,
  membersResponseSchema,
  meResponseSchema,
  okResponseSchema,
  revokeApiKeyResponseSchema,
  rollApiKeyResponseSchema,
  serverInfoResponseSchema,
  userResponseSchema,
  whoamiResponseSchema,
  workerResponseSchema,
  workersResponseSchema,
  workspaceResponseSchema,
  workspaceWithRoleResponseSchema,
} from "./responses.ts";

/** Who may call a route: a browser session, a worker's bearer key, the metrics token, or anyone. */
export type RouteAuth = "session" | "bearer" | "metrics" | "none";
export type HttpMethod = "GET" | "POST" | "PATCH" | "DELETE";

/** A response body schema, or `null` for an empty body (204), or a non-JSON media type. */
export type ResponseContract = z.ZodType | null | { mediaType: string; description: string };

export interface RouteContract {
  method: HttpMethod;
  /** Fastify's path syntax: `:name` for a parameter. */
  path: string;
  summary: string;
  auth: RouteAuth;
  /** State-changing routes of a workspace that only owners and admins may call, for the docs. */
  minimumRole?: "admin";
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Success responses by status; every route may also answer the error body. */
  responses: Partial<Record<200 | 201 | 204 | 101, ResponseContract>>;
}

const id = (description: string) => z.string().min(1).max(100).meta({ description });
const workspaceParams = z.object({ workspaceId: id("The workspace id (wsp_…).") });
const keyParams = workspaceParams.extend({ keyId: id("The API key id (key_…).") });
const memberParams = workspaceParams.extend({ userId: id("The user id (usr_…).") });
const workerParams = workspaceParams.extend({ workerId: id("The worker id (wkr_…).") });
const invitationParams = workspaceParams.extend({ invitationId: id("The invitation id (inv_…).") });
const tokenParams = z.object({
  token: z.string().min(1).max(200).meta({ description: "The invitation link's secret." }),
});

const W = "/api/v1/workspaces/:workspaceId";

function route<const R extends RouteContract>(contract: R): R {
  return contract;
}

export const routes = {
  // ── sessions ──
  signup: route({
    method: "POST",
    path: "/api/v1/auth/signup",
    summary: "Create an account and sign in (sets the session cookie).",
    auth: "none",
    body: signupBodySchema,
    responses: { 201: userResponseSchema },
  }),
  login: route({
    method: "POST",
    path: "/api/v1/auth/login",
    summary: "Sign in (sets the session cookie).",
    auth: "none",
    body: loginBodySchema,
    responses: { 200: userResponseSchema },
  }),
  logout: route({
    method: "POST",
    path: "/api/v1/auth/logout",
    summary: "Sign out: ends the session and its event streams, clears the cookie.",
    auth: "none",
    responses: { 204: null },
  }),
  me: route({
    method: "GET",
    path: "/api/v1/me",
    summary: "The signed-in user and their workspaces.",
    auth: "session",
    responses: { 200: meResponseSchema },
  }),

  serverInfo: route({
    method: "GET",
    path: "/api/v1/server",
    summary: "The server's version and the settings a page needs (heartbeat interval).",
    auth: "session",
    responses: { 200: serverInfoResponseSchema },
  }),

  // ── workspaces, members, invitations ──
  createWorkspace: route({
    method: "POST",
    path: "/api/v1/workspaces",
    summary: "Create a workspace; the caller becomes its owner.",
    auth: "session",
    body: createWorkspaceBodySchema,
    responses: { 201: workspaceResponseSchema },
  }),
  getWorkspace: route({
    method: "GET",
    path: W,
    summary: "A workspace and the caller's role in it.",
    auth: "session",
    params: workspaceParams,
    responses: { 200: workspaceWithRoleResponseSchema },
  }),
  listMembers: route({
    method: "GET",
    path: `${W}/members`,
    summary: "The members of a workspace, oldest first.",
    auth: "session",
    params: workspaceParams,
    query: pageQuerySchema,
    responses: { 200: membersResponseSchema },
  }),
  changeMemberRole: route({
    method: "PATCH",
    path: `${W}/members/:userId`,
    summary: "Change a member's role (owners: any role; admins: member or admin of non-owners).",
    auth: "session",
    minimumRole: "admin",
    params: memberParams,
    body: changeRoleBodySchema,
    responses: { 200: memberResponseSchema },
  }),
  removeMember: route({
    method: "DELETE",
    path: `${W}/members/:userId`,
    summary: "Remove a member: revokes their keys and the invitations they created here.",
    auth: "session",
    params: memberParams,
    responses: { 204: null },
  }),
  createInvitation: route({
    method: "POST",
    path: `${W}/invitations`,
    summary: "Create an invitation link (the token is shown once).",
    auth: "session",
    minimumRole: "admin",
    params: workspaceParams,
    body: createInvitationBodySchema,
    responses: { 201: createInvitationResponseSchema },
  }),
  listInvitations: route({
    method: "GET",
    path: `${W}/invitations`,
    summary: "Pending invitations (not expired, not revoked).",
    auth: "session",
    minimumRole: "admin",
    params: workspaceParams,
    responses: { 200: invitationsResponseSchema },
  }),
  revokeInvitation: route({
    method: "DELETE",
    path: `${W}/invitations/:invitationId`,
    summary: "Revoke an invitation link.",
    auth: "session",
    minimumRole: "admin",
    params: invitationParams,
    responses: { 204: null },
  }),
  previewInvitation: route({
    method: "GET",
    path: "/api/v1/invitations/:token",
    summary: "What an invitation link joins, before accepting it.",
    auth: "none",
    params: tokenParams,
    responses: { 200: invitationPreviewResponseSchema },
  }),
  acceptInvitation: route({
    method: "POST",
    path: "/api/v1/invitations/:token/accept",
    summary: "Join the invitation's workspace as the signed-in user.",
    auth: "session",
    params: tokenParams,
    responses: { 200: workspaceWithRoleResponseSchema },
  }),

  // ── API keys ──
  createApiKey: route({
    method: "POST",
    path: `${W}/api-keys`,
    summary: "Create a worker key (the raw key is returned only here).",
    auth: "session",
    params: workspaceParams,
    body: createApiKeyBodySchema,
    responses: { 201: createApiKeyResponseSchema },
  }),
  listApiKeys: route({
    method: "GET",
    path: `${W}/api-keys`,
    summary: "Active keys, newest first; `state=all` adds revoked and expired ones.",
    auth: "session",
    params: workspaceParams,
    query: listApiKeysQuerySchema.extend(pageQuerySchema.shape),
    responses: { 200: apiKeysResponseSchema },
  }),
  getApiKey: route({
    method: "GET",
    path: `${W}/api-keys/:keyId`,
    summary: "A key, the workers connected with it now, and those that used it in the last 30 days.",
    auth: "session",
    params: keyParams,
    responses: { 200: apiKeyDetailResponseSchema },
  }),
  renameApiKey: route({
    method: "PATCH",
    path: `${W}/api-keys/:keyId`,
    summary: "Rename a key.",
    auth: "session",
    params: keyParams,
    body: renameApiKeyBodySchema,
    responses: { 200: apiKeyResponseSchema },
  }),
  rollApiKey: route({
    method: "POST",
    path: `${W}/api-keys/:keyId/roll`,
    summary: "Make a replacement key and give the old one a grace window (allowed at the 25-key limit).",
    auth: "session",
    params: keyParams,
    body: rollApiKeyBodySchema,
    responses: { 201: rollApiKeyResponseSchema },
  }),
  revokeApiKey: route({
    method: "DELETE",
    path: `${W}/api-keys/:keyId`,
    summary: "Revoke a key: answers once every replica has cut off its workers.",
    auth: "session",
    params: keyParams,
    responses: { 200: revokeApiKeyResponseSchema },
  }),
  reportLeakedKeys: route({
    method: "POST",
    path: "/api/v1/leaked-keys",
    summary: "GitHub secret-scanning partner reports: revokes every reported live key.",
    auth: "none",
    body: leakedKeyReportBodySchema,
    responses: { 200: leakedKeyResponseSchema },
  }),

  // ── workers ──
  whoami: route({
    method: "GET",
    path: "/api/v1/worker/whoami",
    summary: "The workspace, key and owner a bearer key belongs to.",
    auth: "bearer",
    responses: { 200: whoamiResponseSchema },
  }),
  connectWorker: route({
    method: "GET",
    path: "/api/v1/worker/connect",
    summary: "The worker WebSocket (upgrade). Authentication failures answer 401 before any upgrade.",
    auth: "bearer",
    responses: {
      101: { mediaType: "websocket", description: "Switching protocols to the worker WebSocket." },
    },
  }),
  listWorkers: route({
    method: "GET",
    path: `${W}/workers`,
    summary: "The workers of a workspace, by name.",
    auth: "session",
    params: workspaceParams,
    query: pageQuerySchema,
    responses: { 200: workersResponseSchema },
  }),
  disconnectWorker: route({
    method: "POST",
    path: `${W}/workers/:workerId/disconnect`,
    summary: "Stop one worker (its daemon exits 0); the key stays valid.",
    auth: "session",
    params: workerParams,
    responses: { 200: workerResponseSchema },
  }),
  forgetWorker: route({
    method: "DELETE",
    path: `${W}/workers/:workerId`,
    summary: "Forget a worker that is not connected (409 worker_online if it is).",
    auth: "session",
    params: workerParams,
    responses: { 204: null },
  }),
  workspaceEvents: route({
    method: "GET",
    path: `${W}/events`,
    summary:
      "Live changes as server-sent events: worker.updated, worker.removed, api_key.created, api_key.updated, api_key.revoked.",
    auth: "session",
    params: workspaceParams,
    responses: { 200: { mediaType: "text/event-stream", description: "Server-sent events." } },
  }),

  // ── audit log ──
  auditLog: route({
    method: "GET",
    path: `${W}/audit-log`,
    summary: "Audit entries, newest first; `format=ndjson` streams every entry as JSON lines.",
    auth: "session",
    minimumRole: "admin",
    params: workspaceParams,
    query: auditLogQuerySchema,
    responses: { 200: auditLogResponseSchema },
  }),

  // ── device authorization (RFC 8628) ──
  deviceAuthorize: route({
    method: "POST",
    path: "/api/v1/device/authorize",
    summary: "Start a browser login for the CLI.",
    auth: "none",
    body: deviceAuthorizeBodySchema,
    responses: { 200: deviceAuthorizationResponseSchema },
  }),
  deviceToken: route({
    method: "POST",
    path: "/api/v1/device/token",
    summary: "Poll for the key once the login is approved (returned once).",
    auth: "none",
    body: deviceTokenBodySchema,
    responses: { 200: deviceTokenResponseSchema },
  }),
  devicePreview: route({
    method: "GET",
    path: "/api/v1/device/:userCode",
    summary: "The machine asking to log in, for the approval page.",
    auth: "session",
    params: z.object({ userCode: z.string().min(1).max(20) }),
    responses: { 200: devicePreviewResponseSchema },
  }),
  deviceApprove: route({
    method: "POST",
    path: "/api/v1/device/approve",
    summary: "Approve a browser login: makes a key named after the machine.",
    auth: "session",
    body: deviceApproveBodySchema,
    responses: { 200: deviceApproveResponseSchema },
  }),
  deviceDeny: route({
    method: "POST",
    path: "/api/v1/device/deny",
    summary: "Deny a browser login.",
    auth: "session",
    body: deviceDenyBodySchema,
    responses: { 204: null },
  }),

  // ── operations ──
  healthz: route({
    method: "GET",
    path: "/healthz",
    summary: "The process runs.",
    auth: "none",
    responses: { 200: okResponseSchema },
  }),
  readyz: route({
    method: "GET",
    path: "/readyz",
    summary: "The database answers and accepts writes (503 otherwise).",
    auth: "none",
    responses: { 200: okResponseSchema },
  }),
  metrics: route({
    method: "GET",
    path: "/metrics",
    summary: "Prometheus metrics (Bearer COGNO_METRICS_TOKEN; 404 when not set).",
    auth: "metrics",
    responses: { 200: { mediaType: "text/plain", description: "Prometheus text format." } },
  }),
  openapi: route({
    method: "GET",
    path: "/api/v1/openapi.json",
    summary: "This document.",
    auth: "none",
    responses: { 200: { mediaType: "application/json", description: "OpenAPI 3.1." } },
  }),
} as const;

export type Routes = typeof routes;
export type RouteName = keyof Routes;
