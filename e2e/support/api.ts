/** A small HTTP client of API.md for tests: keeps the session cookie like a browser would. */
import {
  createApiKeyResponseSchema,
  createInvitationResponseSchema,
  userResponseSchema,
  workspaceResponseSchema,
} from "@cogno/protocol";

/**
 * An answer as it came: the body is outside JSON (or text), so it stays `unknown` until a test
 * checks it against its contract schema with `bodyOf`.
 */
export interface ApiResponse {
  status: number;
  body: unknown;
  headers: Headers;
}

/** A contract schema from @cogno/protocol, as far as the tests need one. */
export interface Schema<T> {
  parse(value: unknown): T;
}

/** Checks outside JSON against its contract schema: a mismatch throws, failing the test. */
export function assertShape<T>(schema: Schema<T>, value: unknown): asserts value is T {
  schema.parse(value);
}

/**
 * An answer's body once checked against its contract schema (a mismatch fails the test). The
 * checked value itself is returned, not zod's stripped copy, so that whole-object assertions still
 * see a field the contract does not name.
 */
export function bodyOf<T>(response: ApiResponse, schema: Schema<T>): T {
  const body = response.body;
  assertShape(schema, body);
  return body;
}

export class ApiClient {
  readonly baseUrl: string;
  #cookie: string | undefined;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl;
  }

  get sessionCookie(): string | undefined {
    return this.#cookie;
  }

  async request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse> {
    const response = await fetch(this.baseUrl + path, {
      method,
      headers: {
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...(this.#cookie ? { cookie: this.#cookie } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const setCookie = response.headers.get("set-cookie");
    if (setCookie?.startsWith("cogno_session=")) {
      const value = setCookie.split(";")[0] ?? "";
      this.#cookie = value === "cogno_session=" ? undefined : value;
    }
    const text = await response.text();
    const type = response.headers.get("content-type") ?? "";
    const parsed: unknown = type.includes("json") && text ? JSON.parse(text) : text;
    return {
      status: response.status,
      body: parsed,
      headers: response.headers,
    };
  }

  get(path: string) {
    return this.request("GET", path);
  }
  post(path: string, body?: unknown) {
    return this.request("POST", path, body ?? {});
  }
  delete(path: string) {
    return this.request("DELETE", path);
  }
}

let counter = 0;

export interface SignedInUser {
  client: ApiClient;
  user: { id: string; email: string; name: string };
  password: string;
}

export async function signUp(baseUrl: string, name = "Test User"): Promise<SignedInUser> {
  counter += 1;
  const client = new ApiClient(baseUrl);
  const email = `user${counter}.${Date.now()}.${Math.random().toString(36).slice(2, 6)}@example.com`;
  const password = "correct horse battery";
  const response = await client.post("/api/v1/auth/signup", { email, password, name });
  if (response.status !== 201)
    throw new Error(`signup failed: ${response.status} ${JSON.stringify(response.body)}`);
  return { client, user: bodyOf(response, userResponseSchema).user, password };
}

/** A user who owns a fresh workspace. */
export async function signUpWithWorkspace(baseUrl: string, name = "Owner") {
  const owner = await signUp(baseUrl, name);
  const created = await owner.client.post("/api/v1/workspaces", { name: `${name}'s workspace` });
  if (created.status !== 201) throw new Error(`workspace create failed: ${created.status}`);
  return { ...owner, workspaceId: bodyOf(created, workspaceResponseSchema).workspace.id };
}

/** Adds a new user to the workspace with the given role, through an invitation link. */
export async function addMember(
  owner: { client: ApiClient; workspaceId: string },
  role: "admin" | "member",
  name: string = role,
) {
  const invited = await owner.client.post(`/api/v1/workspaces/${owner.workspaceId}/invitations`, { role });
  if (invited.status !== 201) throw new Error(`invite failed: ${invited.status}`);
  const member = await signUp(owner.client.baseUrl, name);
  const accepted = await member.client.post(
    `/api/v1/invitations/${bodyOf(invited, createInvitationResponseSchema).token}/accept`,
  );
  if (accepted.status !== 200) throw new Error(`accept failed: ${accepted.status}`);
  return member;
}

export async function createKey(owner: { client: ApiClient; workspaceId: string }, name = "test-worker") {
  const response = await owner.client.post(`/api/v1/workspaces/${owner.workspaceId}/api-keys`, { name });
  if (response.status !== 201)
    throw new Error(`key create failed: ${response.status} ${JSON.stringify(response.body)}`);
  return bodyOf(response, createApiKeyResponseSchema);
}

export function bearer(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}
