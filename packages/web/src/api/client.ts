/**
 * A typed client of API.md's browser routes, built on the contract's route table: each call names a
 * route of `@cogno/protocol`, and its answer is parsed with that route's response schema, so the
 * pages only ever hold data that matched the contract. Requests are same-origin with the session
 * cookie; every non-2xx answer becomes an ApiError carrying the contract's error code and message,
 * and a 2xx answer off contract becomes `unexpected_response`.
 */
import {
  type ApiKey,
  type ApiKeyDetail,
  type AuditLogResponse,
  type ChangeRoleBody,
  type CreateApiKeyResponse,
  type CreateInvitationResponse,
  errorBodySchema,
  type Invitation,
  type InvitationPreview,
  type Member,
  type MeResponse,
  type RevokeApiKeyResponse,
  type Role,
  type RollApiKeyResponse,
  type RouteContract,
  routes,
  type ServerInfo,
  type User,
  type Worker,
  type Workspace,
  type WorkspaceWithRole,
} from "@cogno/protocol";
import { z } from "zod";
import { ApiError } from "./api-error.ts";

export interface AuditLogFilter {
  /** One of the contract's actions, or undefined for every action. */
  action?: string;
  /** A user id (actor.id), or undefined for every actor. */
  actor?: string;
}

export interface ApiClient {
  signUp(body: { email: string; password: string; name: string }): Promise<{ user: User }>;
  logIn(body: { email: string; password: string }): Promise<{ user: User }>;
  logOut(): Promise<void>;
  getMe(): Promise<MeResponse>;
  createWorkspace(body: { name: string }): Promise<{ workspace: Workspace }>;
  getWorkspace(workspaceId: string): Promise<WorkspaceWithRole>;
  /** Every member (all pages). */
  listMembers(workspaceId: string): Promise<{ members: Member[] }>;
  changeMemberRole(workspaceId: string, userId: string, body: ChangeRoleBody): Promise<{ member: Member }>;
  createInvitation(
    workspaceId: string,
    body: { role: "admin" | "member" },
  ): Promise<CreateInvitationResponse>;
  /** Every pending invitation (all pages). */
  listInvitations(workspaceId: string): Promise<{ invitations: Invitation[] }>;
  revokeInvitation(workspaceId: string, invitationId: string): Promise<void>;
  previewInvitation(token: string): Promise<InvitationPreview>;
  acceptInvitation(token: string): Promise<{ workspace: Workspace; role: Role }>;
  removeMember(workspaceId: string, userId: string): Promise<void>;
  createApiKey(
    workspaceId: string,
    body: { name: string; expiresAt?: string | null },
  ): Promise<CreateApiKeyResponse>;
  /** Every key (all pages); revoked and expired ones too when asked. */
  listApiKeys(workspaceId: string, options?: { includeRevoked?: boolean }): Promise<{ apiKeys: ApiKey[] }>;
  getApiKey(workspaceId: string, keyId: string): Promise<ApiKeyDetail>;
  renameApiKey(workspaceId: string, keyId: string, body: { name: string }): Promise<{ apiKey: ApiKey }>;
  rollApiKey(
    workspaceId: string,
    keyId: string,
    body: { expiresInSeconds: number },
  ): Promise<RollApiKeyResponse>;
  revokeApiKey(workspaceId: string, keyId: string): Promise<RevokeApiKeyResponse>;
  /** Every worker of the workspace (all pages). */
  listWorkers(workspaceId: string): Promise<{ workers: Worker[] }>;
  disconnectWorker(workspaceId: string, workerId: string): Promise<{ worker: Worker }>;
  forgetWorker(workspaceId: string, workerId: string): Promise<void>;
  /** One page of the audit log, newest first; `before` is the previous page's nextCursor. */
  getAuditLog(
    workspaceId: string,
    options?: AuditLogFilter & { before?: string; limit?: number },
  ): Promise<AuditLogResponse>;
  /** The address of the JSON-lines export with the same filters, for a download link. */
  auditLogExportUrl(workspaceId: string, filter?: AuditLogFilter): string;
  previewDevice(userCode: string): Promise<{ clientName: string; expiresAt: string }>;
  approveDevice(body: { userCode: string; workspaceId: string }): Promise<{ apiKey: ApiKey }>;
  denyDevice(body: { userCode: string }): Promise<void>;
  /** The server's version and settings a page needs: the heartbeat interval decides when a silent worker is offline. */
  getServerInfo(): Promise<ServerInfo>;
}

export interface ApiClientOptions {
  /** Origin of the API; empty for the page's own origin. */
  baseUrl?: string;
  fetch?: typeof fetch;
  /**
   * Called when a session route answers `unauthenticated`: the session expired or was signed out
   * in another tab. Sign-in and sign-up answers are the forms' own business and do not call it.
   */
  onUnauthenticated?: () => void;
}

/** What a route answers on success: the parsed body of its JSON responses, or undefined for 204. */
type SuccessBody<R extends RouteContract> = {
  [S in keyof R["responses"]]: R["responses"][S] extends z.ZodType
    ? z.output<R["responses"][S]>
    : R["responses"][S] extends null
      ? undefined
      : never;
}[keyof R["responses"]];

interface CallParts {
  params?: Record<string, string>;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
}

/** Fills `:name` segments with escaped values, so an id can never add a segment of its own. */
export function routePath(route: RouteContract, parts: CallParts = {}): string {
  const path = route.path.replace(/:(\w+)/g, (_whole, name: string) => {
    const value = parts.params?.[name];
    if (value === undefined) throw new Error(`routePath: ${route.path} needs ${name}`);
    return encodeURIComponent(value);
  });
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(parts.query ?? {})) {
    if (value !== undefined && value !== "") search.set(name, String(value));
  }
  const query = search.toString();
  return query === "" ? path : `${path}?${query}`;
}

const OFF_CONTRACT =
  "The server sent an answer this page cannot read. Reload the page; if it persists, the server and this page may be different versions.";

export function createApiClient(options: ApiClientOptions = {}): ApiClient {
  const baseUrl = options.baseUrl ?? "";
  // Bound lazily: a bare `fetch` reference called as a method of another object throws "Illegal invocation".
  const send = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));

  async function call<R extends RouteContract>(route: R, parts: CallParts = {}): Promise<SuccessBody<R>> {
    const headers: Record<string, string> = { accept: "application/json" };
    const init: RequestInit = { method: route.method, headers, credentials: "same-origin" };
    if (parts.body !== undefined) {
      headers["content-type"] = "application/json";
      init.body = JSON.stringify(parts.body);
    }
    let response: Response;
    try {
      response = await send(`${baseUrl}${routePath(route, parts)}`, init);
    } catch {
      throw new ApiError(
        0,
        "network_error",
        "Cannot reach the Cogno server. Check your connection and try again.",
      );
    }
    if (!response.ok) {
      const error = await toApiError(response);
      if (error.code === "unauthenticated" && route.auth === "session") options.onUnauthenticated?.();
      throw error;
    }
    const contract = (route.responses as Partial<Record<number, RouteContract["responses"][200]>>)[
      response.status
    ];
    if (contract === null) return undefined as SuccessBody<R>; // 204: the contract says there is no body
    if (contract === undefined || !("safeParse" in contract)) {
      throw new ApiError(response.status, "unexpected_response", OFF_CONTRACT);
    }
    let json: unknown;
    try {
      json = await response.json();
    } catch {
      throw new ApiError(response.status, "unexpected_response", OFF_CONTRACT);
    }
    const parsed = contract.safeParse(json);
    if (!parsed.success) throw new ApiError(response.status, "unexpected_response", OFF_CONTRACT);
    // Only a name for the type: `data` came out of this route's own schema, which TypeScript cannot
    // connect to the generic route by itself.
    return parsed.data as SuccessBody<R>;
  }

  /** Follows `nextCursor` until the last page, for lists a page shows whole. */
  async function everyPage<T>(
    read: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor?: string }>,
  ) {
    const items: T[] = [];
    let cursor: string | undefined;
    do {
      const page = await read(cursor);
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return items;
  }

  const inWorkspace = (workspaceId: string, more: Record<string, string> = {}) => ({
    params: { workspaceId, ...more },
  });

  const auditQuery = (filter: AuditLogFilter = {}) => ({ action: filter.action, actor: filter.actor });

  return {
    signUp: (body) => call(routes.signup, { body }),
    logIn: (body) => call(routes.login, { body }),
    logOut: () => call(routes.logout),
    getMe: () => call(routes.me),
    createWorkspace: (body) => call(routes.createWorkspace, { body }),
    getWorkspace: (workspaceId) => call(routes.getWorkspace, inWorkspace(workspaceId)),
    listMembers: async (workspaceId) => ({
      members: await everyPage(async (cursor) => {
        const page = await call(routes.listMembers, { ...inWorkspace(workspaceId), query: { cursor } });
        return { items: page.members, nextCursor: page.nextCursor };
      }),
    }),
    changeMemberRole: (workspaceId, userId, body) =>
      call(routes.changeMemberRole, { ...inWorkspace(workspaceId, { userId }), body }),
    createInvitation: (workspaceId, body) =>
      call(routes.createInvitation, { ...inWorkspace(workspaceId), body }),
    listInvitations: async (workspaceId) => ({
      invitations: await everyPage(async (cursor) => {
        const page = await call(routes.listInvitations, { ...inWorkspace(workspaceId), query: { cursor } });
        return { items: page.invitations, nextCursor: page.nextCursor };
      }),
    }),
    revokeInvitation: (workspaceId, invitationId) =>
      call(routes.revokeInvitation, inWorkspace(workspaceId, { invitationId })),
    previewInvitation: (token) => call(routes.previewInvitation, { params: { token } }),
    acceptInvitation: (token) => call(routes.acceptInvitation, { params: { token } }),
    removeMember: (workspaceId, userId) => call(routes.removeMember, inWorkspace(workspaceId, { userId })),
    createApiKey: (workspaceId, body) => call(routes.createApiKey, { ...inWorkspace(workspaceId), body }),
    listApiKeys: async (workspaceId, listOptions) => ({
      apiKeys: await everyPage(async (cursor) => {
        const state = listOptions?.includeRevoked ? "all" : undefined;
        const page = await call(routes.listApiKeys, {
          ...inWorkspace(workspaceId),
          query: { state, cursor },
        });
        return { items: page.apiKeys, nextCursor: page.nextCursor };
      }),
    }),
    getApiKey: (workspaceId, keyId) => call(routes.getApiKey, inWorkspace(workspaceId, { keyId })),
    renameApiKey: (workspaceId, keyId, body) =>
      call(routes.renameApiKey, { ...inWorkspace(workspaceId, { keyId }), body }),
    rollApiKey: (workspaceId, keyId, body) =>
      call(routes.rollApiKey, { ...inWorkspace(workspaceId, { keyId }), body }),
    revokeApiKey: (workspaceId, keyId) => call(routes.revokeApiKey, inWorkspace(workspaceId, { keyId })),
    listWorkers: async (workspaceId) => ({
      workers: await everyPage(async (cursor) => {
        const page = await call(routes.listWorkers, { ...inWorkspace(workspaceId), query: { cursor } });
        return { items: page.workers, nextCursor: page.nextCursor };
      }),
    }),
    disconnectWorker: (workspaceId, workerId) =>
      call(routes.disconnectWorker, inWorkspace(workspaceId, { workerId })),
    forgetWorker: (workspaceId, workerId) =>
      call(routes.forgetWorker, inWorkspace(workspaceId, { workerId })),
    getAuditLog: (workspaceId, auditOptions = {}) =>
      call(routes.auditLog, {
        ...inWorkspace(workspaceId),
        query: { ...auditQuery(auditOptions), before: auditOptions.before, limit: auditOptions.limit },
      }),
    auditLogExportUrl: (workspaceId, filter) =>
      `${baseUrl}${routePath(routes.auditLog, { ...inWorkspace(workspaceId), query: { format: "ndjson", ...auditQuery(filter) } })}`,
    previewDevice: (userCode) => call(routes.devicePreview, { params: { userCode } }),
    approveDevice: (body) => call(routes.deviceApprove, { body }),
    denyDevice: (body) => call(routes.deviceDeny, { body }),
    getServerInfo: () => call(routes.serverInfo),
  };
}

/** Reads the contract's error body; a body off contract still yields a sentence a person can act on. */
export async function toApiError(response: Response): Promise<ApiError> {
  const retryAfter = parseRetryAfter(response.headers.get("retry-after"));
  let json: unknown = null;
  try {
    json = await response.json();
  } catch {
    // not JSON: a proxy's error page, for instance
  }
  const parsed = errorBodySchema.safeParse(json);
  if (parsed.success && parsed.data.error.message !== "") {
    const { code, message } = parsed.data.error;
    return new ApiError(response.status, code, message, retryAfter);
  }
  const message = readUnknownCodeMessage(json);
  // A code newer than this page still carries a message worth showing.
  if (message !== null) return new ApiError(response.status, "unexpected_response", message, retryAfter);
  return new ApiError(
    response.status,
    response.status >= 500 ? "internal_error" : "unexpected_response",
    `The server answered ${response.status}${response.statusText ? ` ${response.statusText}` : ""}. Try again in a moment.`,
    retryAfter,
  );
}

const anyCodeErrorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/** The message of an error body whose code this page does not know (a newer server's). */
function readUnknownCodeMessage(body: unknown): string | null {
  const parsed = anyCodeErrorBodySchema.safeParse(body);
  return parsed.success && parsed.data.error.message !== "" ? parsed.data.error.message : null;
}

function parseRetryAfter(header: string | null): number | null {
  if (header === null) return null;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : null;
}
