import { API_KEY_LIMIT } from "@cogno/protocol";
import { describe, expect, it } from "vitest";
import { ApiError } from "./api-error.ts";
import { createApiClient } from "./client.ts";

interface Recorded {
  url: string;
  init: RequestInit | undefined;
}

function fakeFetch(response: () => Response, calls: Recorded[] = []): typeof fetch {
  return async (input, init) => {
    calls.push({ url: String(input), init });
    return response();
  };
}

const owner = { id: "usr_1", email: "olivia@example.com", name: "Olivia" };
const apiKey = {
  id: "key_1",
  name: "ci",
  prefix: "cog_live_abcd",
  scope: "worker",
  createdAt: "2026-01-01T00:00:00.000Z",
  lastUsedAt: null,
  lastUsedIp: null,
  expiresAt: null,
  revokedAt: null,
  revokedReason: null,
  owner,
};

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

describe("createApiClient", () => {
  it("sends JSON with the session cookie to the contract's path", async () => {
    const calls: Recorded[] = [];
    const client = createApiClient({ fetch: fakeFetch(() => json(201, { apiKey, key: "k" }), calls) });
    await client.createApiKey("wsp/1", { name: "ci" });
    expect(calls[0]?.url).toBe("/api/v1/workspaces/wsp%2F1/api-keys");
    expect(calls[0]?.init?.method).toBe("POST");
    expect(calls[0]?.init?.credentials).toBe("same-origin");
    expect(calls[0]?.init?.body).toBe('{"name":"ci"}');
  });

  it("asks for revoked keys only when told to", async () => {
    const calls: Recorded[] = [];
    const client = createApiClient({ fetch: fakeFetch(() => json(200, { apiKeys: [] }), calls) });
    await client.listApiKeys("w1");
    await client.listApiKeys("w1", { includeRevoked: true });
    expect(calls.map((call) => call.url)).toEqual([
      "/api/v1/workspaces/w1/api-keys",
      "/api/v1/workspaces/w1/api-keys?state=all",
    ]);
  });

  it("parses every answer with the route's schema: an answer off contract is refused, not cast", async () => {
    const good = createApiClient({ fetch: fakeFetch(() => json(201, { apiKey, key: "k" })) });
    await expect(good.createApiKey("w1", { name: "ci" })).resolves.toEqual({ apiKey, key: "k" });

    const missingField = { ...apiKey, owner: undefined };
    const bad = createApiClient({ fetch: fakeFetch(() => json(201, { apiKey: missingField, key: "k" })) });
    await expect(bad.createApiKey("w1", { name: "ci" })).rejects.toMatchObject({
      status: 201,
      code: "unexpected_response",
    });

    // A status the route never answers is off contract too, even with a body that would parse.
    const wrongStatus = createApiClient({ fetch: fakeFetch(() => json(200, { apiKey, key: "k" })) });
    await expect(wrongStatus.createApiKey("w1", { name: "ci" })).rejects.toMatchObject({
      code: "unexpected_response",
    });
  });

  it("follows nextCursor until the last page", async () => {
    const calls: Recorded[] = [];
    let page = 0;
    const client = createApiClient({
      fetch: fakeFetch(() => {
        page += 1;
        return json(200, page === 1 ? { apiKeys: [apiKey], nextCursor: "c/2" } : { apiKeys: [apiKey] });
      }, calls),
    });
    const { apiKeys } = await client.listApiKeys("w1", { includeRevoked: true });
    expect(apiKeys).toHaveLength(2);
    expect(calls.map((call) => call.url)).toEqual([
      "/api/v1/workspaces/w1/api-keys?state=all",
      "/api/v1/workspaces/w1/api-keys?state=all&cursor=c%2F2",
    ]);
  });

  it("builds the audit export link with the page's filters", () => {
    const client = createApiClient();
    expect(client.auditLogExportUrl("w 1", { action: "api_key.rolled", actor: undefined })).toBe(
      "/api/v1/workspaces/w%201/audit-log?format=ndjson&action=api_key.rolled",
    );
  });

  it("returns nothing for 204", async () => {
    const client = createApiClient({ fetch: fakeFetch(() => new Response(null, { status: 204 })) });
    await expect(client.logOut()).resolves.toBeUndefined();
  });

  it("turns the error body into a typed error with code and message", async () => {
    const message = `You already have ${API_KEY_LIMIT} active keys in this workspace.`;
    const client = createApiClient({
      fetch: fakeFetch(() => json(409, { error: { code: "api_key_limit_reached", message } })),
    });
    const error = await client.createApiKey("w1", { name: "x" }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 409, code: "api_key_limit_reached", message });
  });

  it("reads Retry-After on 429", async () => {
    const client = createApiClient({
      fetch: fakeFetch(() =>
        json(429, { error: { code: "rate_limited", message: "Slow down." } }, { "retry-after": "30" }),
      ),
    });
    await expect(client.logIn({ email: "a@b.c", password: "x" })).rejects.toMatchObject({
      code: "rate_limited",
      retryAfterSeconds: 30,
    });
  });

  it("keeps the message of a code it does not know", async () => {
    const client = createApiClient({
      fetch: fakeFetch(() =>
        json(410, { error: { code: "invitation_gone", message: "Ask for a new link." } }),
      ),
    });
    await expect(client.acceptInvitation("t")).rejects.toMatchObject({
      code: "unexpected_response",
      message: "Ask for a new link.",
    });
  });

  it("explains a body off contract and a network failure", async () => {
    const broken = createApiClient({
      fetch: fakeFetch(() => new Response("<html>bad gateway</html>", { status: 502 })),
    });
    await expect(broken.getMe()).rejects.toMatchObject({ status: 502, code: "internal_error" });

    const offline = createApiClient({
      fetch: async () => {
        throw new TypeError("Failed to fetch");
      },
    });
    await expect(offline.getMe()).rejects.toMatchObject({ status: 0, code: "network_error" });
  });

  it("reports an expired session on session routes, never on the sign-in form", async () => {
    let expired = 0;
    const client = createApiClient({
      fetch: fakeFetch(() => json(401, { error: { code: "unauthenticated", message: "Sign in again." } })),
      onUnauthenticated: () => {
        expired += 1;
      },
    });
    await expect(client.listWorkers("w1")).rejects.toMatchObject({ code: "unauthenticated" });
    expect(expired).toBe(1);
    await expect(client.logIn({ email: "a@b.c", password: "wrong password" })).rejects.toMatchObject({
      code: "unauthenticated",
    });
    expect(expired).toBe(1);
  });
});
