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

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

describe("createApiClient", () => {
  it("sends JSON with the session cookie to the contract's path", async () => {
    const calls: Recorded[] = [];
    const client = createApiClient({ fetch: fakeFetch(() => json(201, { apiKey: {}, key: "k" }), calls) });
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
