/** Sign-up, login, logout and /me over HTTP, in-process: statuses, exact shapes, cookies, error bodies. */
import { meResponseSchema, userResponseSchema } from "@cogno/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../testing/test-app.ts";
import { createTestDeps, type TestDeps } from "../testing/test-deps.ts";
import { SESSION_COOKIE } from "./session.ts";

let deps: TestDeps;
let http: TestApp;

beforeEach(async () => {
  deps = await createTestDeps();
  http = await startTestApp(deps);
});

afterEach(async () => {
  await http.close();
  await deps.cleanup();
});

const ALICE = { email: "alice@example.com", password: "long enough pass", name: "Alice" };

function sessionCookieOf(response: { headers: Record<string, unknown> }): string | undefined {
  const header = response.headers["set-cookie"];
  const value = Array.isArray(header) ? header[0] : header;
  return typeof value === "string" ? value : undefined;
}

describe("POST /api/v1/auth/signup", () => {
  it("answers 201 { user } in the contract's exact shape and sets an HttpOnly session cookie", async () => {
    const response = await http.call("POST", "/api/v1/auth/signup", { body: ALICE });
    expect(response.statusCode).toBe(201);
    const body = userResponseSchema.strict().parse(response.json());
    expect(body.user).toEqual({ id: expect.stringMatching(/^usr_/), email: ALICE.email, name: ALICE.name });
    expect(Object.keys(body.user).sort()).toEqual(["email", "id", "name"]);
    const cookie = sessionCookieOf(response);
    expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=[^;]+;`));
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    expect(response.body).not.toContain(ALICE.password);
  });

  it("answers 400 validation_failed naming the field, without echoing the password", async () => {
    const response = await http.call("POST", "/api/v1/auth/signup", {
      body: { ...ALICE, password: "short" },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe("validation_failed");
    expect(response.json().error.message).toContain("password");
    expect(response.body).not.toContain('short"');
    expect(sessionCookieOf(response)).toBeUndefined();
  });
});

describe("login, /me and logout", () => {
  it("logs in (200, cookie), reads /me with it, and logout ends the session (204, cookie cleared)", async () => {
    await http.call("POST", "/api/v1/auth/signup", { body: ALICE });
    const wrong = await http.call("POST", "/api/v1/auth/login", {
      body: { email: ALICE.email, password: "not the password" },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe("unauthenticated");

    const login = await http.call("POST", "/api/v1/auth/login", {
      body: { email: ALICE.email, password: ALICE.password },
    });
    expect(login.statusCode).toBe(200);
    const cookie = (sessionCookieOf(login) ?? "").split(";")[0] ?? "";
    expect(cookie.startsWith(`${SESSION_COOKIE}=`)).toBe(true);

    const me = await http.call("GET", "/api/v1/me", { headers: { cookie } });
    expect(me.statusCode).toBe(200);
    expect(meResponseSchema.strict().parse(me.json())).toEqual({
      user: { id: expect.any(String), email: ALICE.email, name: ALICE.name },
      workspaces: [],
    });

    const logout = await http.call("POST", "/api/v1/auth/logout", { headers: { cookie } });
    expect(logout.statusCode).toBe(204);
    expect(logout.body).toBe("");
    expect(sessionCookieOf(logout)).toMatch(new RegExp(`^${SESSION_COOKIE}=;`));

    const after = await http.call("GET", "/api/v1/me", { headers: { cookie } });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe("unauthenticated");
  });

  it("answers logout without a session with 204 too: signing out twice is harmless", async () => {
    const response = await http.call("POST", "/api/v1/auth/logout");
    expect(response.statusCode).toBe(204);
  });
});
