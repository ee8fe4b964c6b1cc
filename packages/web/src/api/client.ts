/**
 * A typed client of API.md's browser routes. Requests are same-origin with the session cookie;
 * every non-2xx answer becomes an ApiError carrying the contract's error code and message.
 */
import {
  type ApiKey,
  type CreateApiKeyResponse,
  ERROR_CODES,
  type ErrorCode,
  type Invitation,
  type Member,
  type MeResponse,
  type RevokeApiKeyResponse,
  type Role,
  type ServerInfo,
  type User,
  type Worker,
  type Workspace,
} from "@cogno/protocol";
import { ApiError } from "./api-error.ts";

export interface ApiClient {
  signUp(body: { email: string; password: string; name: string }): Promise<{ user: User }>;
  logIn(body: { email: string; password: string }): Promise<{ user: User }>;
  logOut(): Promise<void>;
  getMe(): Promise<MeResponse>;
  createWorkspace(body: { name: string }): Promise<{ workspace: Workspace }>;
  getWorkspace(workspaceId: string): Promise<{ workspace: Workspace; role: Role }>;
  listMembers(workspaceId: string): Promise<{ members: Member[] }>;
  createInvitation(
    workspaceId: string,
    body: { role: "admin" | "member" },
  ): Promise<{ invitation: Invitation; token: string }>;
  acceptInvitation(token: string): Promise<{ workspace: Workspace; role: Role }>;
  removeMember(workspaceId: string, userId: string): Promise<void>;
  createApiKey(workspaceId: string, body: { name: string }): Promise<CreateApiKeyResponse>;
  listApiKeys(workspaceId: string, options?: { includeRevoked?: boolean }): Promise<{ apiKeys: ApiKey[] }>;
  getApiKey(workspaceId: string, keyId: string): Promise<{ apiKey: ApiKey; workers: Worker[] }>;
  revokeApiKey(workspaceId: string, keyId: string): Promise<RevokeApiKeyResponse>;
  /** Every worker of the workspace (all pages). */
  listWorkers(workspaceId: string): Promise<{ workers: Worker[] }>;
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

type Method = "GET" | "POST" | "DELETE";

const KNOWN_CODES: ReadonlySet<string> = new Set(ERROR_CODES);

export function createApiClient(options: ApiClientOptions = {}): ApiClient {
  const baseUrl = options.baseUrl ?? "";
  // Bound lazily: a bare `fetch` reference called as a method of another object throws "Illegal invocation".
  const send = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));

  async function request<T>(method: Method, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    const init: RequestInit = { method, headers, credentials: "same-origin" };
    if (body !== undefined) {
      headers["content-type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response: Response;
    try {
      response = await send(`${baseUrl}/api/v1${path}`, init);
    } catch {
      throw new ApiError(
        0,
        "network_error",
        "Cannot reach the Cogno server. Check your connection and try again.",
      );
    }
    if (!response.ok) {
      const error = await toApiError(response);
      if (error.code === "unauthenticated" && !path.startsWith("/auth/")) options.onUnauthenticated?.();
      throw error;
    }
    if (response.status === 204) return undefined as T;
    try {
      return (await response.json()) as T;
    } catch {
      throw new ApiError(
        response.status,
        "unexpected_response",
        "The server sent an answer this page cannot read.",
      );
    }
  }

  const workspace = (workspaceId: string) => `/workspaces/${encodeURIComponent(workspaceId)}`;

  return {
    signUp: (body) => request("POST", "/auth/signup", body),
    logIn: (body) => request("POST", "/auth/login", body),
    logOut: () => request("POST", "/auth/logout"),
    getMe: () => request("GET", "/me"),
    createWorkspace: (body) => request("POST", "/workspaces", body),
    getWorkspace: (workspaceId) => request("GET", workspace(workspaceId)),
    listMembers: (workspaceId) => request("GET", `${workspace(workspaceId)}/members`),
    createInvitation: (workspaceId, body) => request("POST", `${workspace(workspaceId)}/invitations`, body),
    acceptInvitation: (token) => request("POST", `/invitations/${encodeURIComponent(token)}/accept`),
    removeMember: (workspaceId, userId) =>
      request("DELETE", `${workspace(workspaceId)}/members/${encodeURIComponent(userId)}`),
    createApiKey: (workspaceId, body) => request("POST", `${workspace(workspaceId)}/api-keys`, body),
    listApiKeys: (workspaceId, listOptions) =>
      request("GET", `${workspace(workspaceId)}/api-keys${listOptions?.includeRevoked ? "?state=all" : ""}`),
    getApiKey: (workspaceId, keyId) =>
      request("GET", `${workspace(workspaceId)}/api-keys/${encodeURIComponent(keyId)}`),
    revokeApiKey: (workspaceId, keyId) =>
      request("DELETE", `${workspace(workspaceId)}/api-keys/${encodeURIComponent(keyId)}`),
    listWorkers: async (workspaceId) => {
      const workers: Worker[] = [];
      let cursor: string | undefined;
      do {
        const query = cursor === undefined ? "" : `?cursor=${encodeURIComponent(cursor)}`;
        const page: { workers: Worker[]; nextCursor?: string } = await request(
          "GET",
          `${workspace(workspaceId)}/workers${query}`,
        );
        workers.push(...page.workers);
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      return { workers };
    },
    getServerInfo: () => request("GET", "/server"),
  };
}

/** Reads the contract's error body; a body off contract still yields a sentence a person can act on. */
export async function toApiError(response: Response): Promise<ApiError> {
  const retryAfter = parseRetryAfter(response.headers.get("retry-after"));
  let parsed: unknown = null;
  try {
    parsed = await response.json();
  } catch {
    // not JSON: a proxy's error page, for instance
  }
  const error = readErrorBody(parsed);
  if (error) return new ApiError(response.status, error.code, error.message, retryAfter);
  return new ApiError(
    response.status,
    response.status >= 500 ? "internal_error" : "unexpected_response",
    `The server answered ${response.status}${response.statusText ? ` ${response.statusText}` : ""}. Try again in a moment.`,
    retryAfter,
  );
}

function readErrorBody(body: unknown): { code: ApiError["code"]; message: string } | null {
  if (typeof body !== "object" || body === null || !("error" in body)) return null;
  const error: unknown = body.error;
  if (typeof error !== "object" || error === null || !("code" in error) || !("message" in error)) return null;
  const { code, message } = error;
  if (typeof code !== "string" || typeof message !== "string" || message === "") return null;
  // A code newer than this page still carries a message worth showing.
  return { code: KNOWN_CODES.has(code) ? (code as ErrorCode) : "unexpected_response", message };
}

function parseRetryAfter(header: string | null): number | null {
  if (header === null) return null;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : null;
}
