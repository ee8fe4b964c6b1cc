/**
 * Sessions (signup, login, logout, me), the HTTP edge (error body on unknown routes and malformed
 * JSON, security of the session cookie, cross-origin protection).
 */
import {
  apiKeyDetailResponseSchema,
  apiKeysResponseSchema,
  createApiKeyResponseSchema,
  errorBodySchema,
  meResponseSchema,
  userResponseSchema,
} from "@cogno/protocol";
import { describe, expect, it } from "vitest";
import { ApiClient, bodyOf, signUp, signUpWithWorkspace } from "../support/api.ts";
import { expectError, expectSameRefusal } from "../support/expect-error.ts";
import { useServer } from "../support/server.ts";

const fixture = useServer();

function uniqueEmail(): string {
  return `session.${Date.now()}.${Math.random().toString(36).slice(2, 8)}@example.com`;
}

describe("signup", () => {
  it("answers 201 with the user and sets an HttpOnly, SameSite=Lax session cookie", async () => {
    const client = new ApiClient(fixture.server.url);
    const email = uniqueEmail();
    const response = await client.post("/api/v1/auth/signup", {
      email,
      password: "long enough password",
      name: "Ada",
    });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ user: { id: expect.stringMatching(/^usr_/), email, name: "Ada" } });
    const cookie = response.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^cogno_session=[^;]+;/);
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Lax/i);
    expect(cookie).toMatch(/;\s*Path=\//i);
    // The public URL is http here, so the cookie must still reach the server.
    expect(cookie).not.toMatch(/;\s*Secure/i);

    const me = await client.get("/api/v1/me");
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ user: bodyOf(response, userResponseSchema).user, workspaces: [] });
  });

  it("refuses an email that is already registered with 409 conflict", async () => {
    const email = uniqueEmail();
    const first = await new ApiClient(fixture.server.url).post("/api/v1/auth/signup", {
      email,
      password: "long enough password",
      name: "First",
    });
    expect(first.status).toBe(201);
    const second = await new ApiClient(fixture.server.url).post("/api/v1/auth/signup", {
      email: email.toUpperCase(),
      password: "another password",
      name: "Second",
    });
    expectError(second, 409, "conflict");
    expect(second.headers.get("set-cookie")).toBeNull();
  });

  it.each([
    ["email", { password: "long enough password", name: "A" }],
    ["email", { email: "not-an-email", password: "long enough password", name: "A" }],
    ["password", { email: "short.password@example.com", password: "1234567", name: "A" }],
    ["password", { email: "long.password@example.com", password: "x".repeat(257), name: "A" }],
    ["name", { email: "no.name@example.com", password: "long enough password", name: "   " }],
  ])("answers 400 validation_failed naming %s", async (field, body) => {
    const response = await new ApiClient(fixture.server.url).post("/api/v1/auth/signup", body);
    const message = expectError(response, 400, "validation_failed");
    expect(message).toContain(field);
  });

  it("accepts passwords of exactly 8 and 256 characters", async () => {
    for (const password of ["x".repeat(8), "y".repeat(256)]) {
      const response = await new ApiClient(fixture.server.url).post("/api/v1/auth/signup", {
        email: uniqueEmail(),
        password,
        name: "Edge",
      });
      expect(response.status).toBe(201);
    }
  });
});

describe("login and logout", () => {
  it("logs in with the right password (200, cookie) and refuses a wrong one (401 unauthenticated)", async () => {
    const { user, password } = await signUp(fixture.server.url, "Grace");
    const client = new ApiClient(fixture.server.url);
    const wrong = await client.post("/api/v1/auth/login", { email: user.email, password: "wrong password" });
    expectError(wrong, 401, "unauthenticated");
    expect(wrong.headers.get("set-cookie")).toBeNull();

    const unknown = await client.post("/api/v1/auth/login", {
      email: "nobody@example.com",
      password: "whatever123",
    });
    expectError(unknown, 401, "unauthenticated");
    // Unknown email and wrong password read the same, so accounts cannot be probed.
    expectSameRefusal(unknown, wrong);

    const right = await client.post("/api/v1/auth/login", { email: user.email, password });
    expect(right.status).toBe(200);
    expect(right.body).toEqual({ user });
    const cookie = right.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Lax/i);
    expect((await client.get("/api/v1/me")).status).toBe(200);
  });

  it("answers 400 validation_failed naming the missing field", async () => {
    const response = await new ApiClient(fixture.server.url).post("/api/v1/auth/login", {
      email: "a@example.com",
    });
    expect(expectError(response, 400, "validation_failed")).toContain("password");
  });

  it("logout answers 204, clears the cookie and ends the session on the server", async () => {
    const { client } = await signUp(fixture.server.url);
    const stolenCookie = client.sessionCookie ?? "";
    expect(stolenCookie).not.toBe("");
    const response = await client.post("/api/v1/auth/logout");
    expect(response.status).toBe(204);
    const cleared = response.headers.get("set-cookie") ?? "";
    expect(cleared).toMatch(/^cogno_session=;/);
    expect(cleared).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/i);
    expectError(await client.get("/api/v1/me"), 401, "unauthenticated");
    // A copy of the old cookie is worthless once the user has logged out.
    const replay = await new ApiClient(fixture.server.url).request("GET", "/api/v1/me", undefined, {
      cookie: stolenCookie,
    });
    expectError(replay, 401, "unauthenticated");
  });

  it("me without a session, or with a forged cookie, answers 401 unauthenticated", async () => {
    expectError(await new ApiClient(fixture.server.url).get("/api/v1/me"), 401, "unauthenticated");
    const forged = await new ApiClient(fixture.server.url).request("GET", "/api/v1/me", undefined, {
      cookie: "cogno_session=forged-token-value",
    });
    expectError(forged, 401, "unauthenticated");
  });

  it("me lists the user's workspaces with their roles", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url, "Lin");
    const me = await owner.client.get("/api/v1/me");
    expect(me.status).toBe(200);
    expect(bodyOf(me, meResponseSchema).workspaces).toEqual([
      { id: owner.workspaceId, name: "Lin's workspace", role: "owner" },
    ]);
  });
});

describe("the HTTP edge", () => {
  it("answers an unknown API route with 404 and the error body", async () => {
    const client = new ApiClient(fixture.server.url);
    expectError(await client.get("/api/v1/no-such-route"), 404, "not_found");
    expectError(await client.post("/api/v1/no/such/route", { a: 1 }), 404, "not_found");
    expectError(await client.delete("/api/v1/auth/signup"), 404, "not_found");
  });

  it("answers malformed JSON with 400 and the error body", async () => {
    const { client } = await signUp(fixture.server.url);
    const response = await fetch(`${fixture.server.url}/api/v1/workspaces`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: client.sessionCookie ?? "" },
      body: '{"name": "unterminated',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: { code: "validation_failed", message: expect.any(String), requestId: expect.any(String) },
    });

    const signup = await fetch(`${fixture.server.url}/api/v1/auth/signup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    expect(signup.status).toBe(400);
    expect(errorBodySchema.parse(await signup.json()).error.code).toBe("validation_failed");
  });

  it("answers a body that is not an object with 400 validation_failed", async () => {
    const response = await new ApiClient(fixture.server.url).post("/api/v1/auth/signup", ["a", "b"]);
    expectError(response, 400, "validation_failed");
  });

  it("regression: an over-long or badly escaped path parameter answered with Fastify's own body, not the error body", async () => {
    const { client } = await signUp(fixture.server.url);
    const long = await client.get(`/api/v1/workspaces/${"w".repeat(5_000)}`);
    expectError(long, 400, "validation_failed");
    const badEscape = await client.get("/api/v1/workspaces/%zz/members");
    expectError(badEscape, 400, "validation_failed");
  });

  it("regression: a NUL character in a parameter or body failed with a 500 on PostgreSQL; now 400 naming the field", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const base = `/api/v1/workspaces/${owner.workspaceId}`;
    const cases: [Promise<{ status: number; body: unknown; headers: Headers }>, string][] = [
      [owner.client.get("/api/v1/workspaces/wsp_%00"), "workspaceId"],
      [owner.client.get(`${base}/api-keys/key_%00`), "keyId"],
      [owner.client.delete(`${base}/members/usr_%00`), "userId"],
      [owner.client.post(`${base}/api-keys`, { name: "laptop\u0000worker" }), "name"],
      [owner.client.post("/api/v1/workspaces", { name: "\u0000" }), "name"],
      [
        new ApiClient(fixture.server.url).post("/api/v1/auth/login", {
          email: "a\u0000@example.com",
          password: "12345678",
        }),
        "email",
      ],
      [owner.client.get(`${base}/api-keys?state=all%00`), "state"],
    ];
    for (const [request, field] of cases) {
      const message = expectError(await request, 400, "validation_failed");
      expect(message).toContain(field);
    }
    // Nothing was stored on the way.
    expect(
      bodyOf(await owner.client.get(`${base}/api-keys?state=all`), apiKeysResponseSchema).apiKeys,
    ).toEqual([]);
  });
});

describe("cross-origin protection", () => {
  it("refuses a state-changing cookie request from another site with 403 cross_origin_rejected", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const path = `/api/v1/workspaces/${owner.workspaceId}/api-keys`;

    const fromEvil = await owner.client.request(
      "POST",
      path,
      { name: "evil" },
      {
        origin: "https://evil.example",
      },
    );
    expectError(fromEvil, 403, "cross_origin_rejected");
    const crossSite = await owner.client.request(
      "POST",
      path,
      { name: "evil" },
      {
        "sec-fetch-site": "cross-site",
      },
    );
    expectError(crossSite, 403, "cross_origin_rejected");
    const logout = await owner.client.request(
      "POST",
      "/api/v1/auth/logout",
      {},
      {
        origin: "https://evil.example",
      },
    );
    expectError(logout, 403, "cross_origin_rejected");

    // Nothing was created, and the session survived the refused logout.
    const list = await owner.client.get(path);
    expect(list.status).toBe(200);
    expect(bodyOf(list, apiKeysResponseSchema).apiKeys).toEqual([]);
  });

  it("refuses a cross-site revoke and leaves the key active", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const created = await owner.client.post(`/api/v1/workspaces/${owner.workspaceId}/api-keys`, {
      name: "keep",
    });
    const path = `/api/v1/workspaces/${owner.workspaceId}/api-keys/${bodyOf(created, createApiKeyResponseSchema).apiKey.id}`;
    const refused = await owner.client.request("DELETE", path, undefined, { "sec-fetch-site": "cross-site" });
    expectError(refused, 403, "cross_origin_rejected");
    expect(bodyOf(await owner.client.get(path), apiKeyDetailResponseSchema).apiKey.revokedAt).toBeNull();
  });

  it("lets same-origin browser requests and clients that send neither header through", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const path = `/api/v1/workspaces/${owner.workspaceId}/api-keys`;
    const sameOrigin = await owner.client.request(
      "POST",
      path,
      { name: "same-origin" },
      {
        origin: new URL(fixture.server.url).origin,
      },
    );
    expect(sameOrigin.status).toBe(201);
    const fetchSite = await owner.client.request(
      "POST",
      path,
      { name: "fetch-site" },
      {
        "sec-fetch-site": "same-origin",
      },
    );
    expect(fetchSite.status).toBe(201);
    const plain = await owner.client.post(path, { name: "no-headers" });
    expect(plain.status).toBe(201);
    // Reading is not state-changing: another site may not read the answer, but the request is allowed.
    const read = await owner.client.request("GET", path, undefined, { origin: "https://evil.example" });
    expect(read.status).toBe(200);
  });

  it("regression: a percent-encoded path does not step around the cross-origin guard", async () => {
    const victim = await signUpWithWorkspace(fixture.server.url);
    const crossSite = { "sec-fetch-site": "same-site", cookie: victim.client.sessionCookie ?? "" };
    const client = new ApiClient(fixture.server.url);
    for (const path of ["/api/v1/auth/logout", "/%61pi/v1/auth/logout", "/%61%70%69/v1/workspaces"]) {
      expectError(await client.request("POST", path, {}, crossSite), 403, "cross_origin_rejected");
    }
    expect((await victim.client.get("/api/v1/me")).status).toBe(200); // still signed in
  });
});
