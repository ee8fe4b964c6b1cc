/**
 * Failed authentications are rate-limited per client (429 rate_limited with Retry-After): failed
 * logins on one counter, failed bearer keys on another. The server runs with a small limit.
 */
import { errorBodySchema, generateApiKey } from "@cogno/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient, bearer, bodyOf, createKey, signUp, signUpWithWorkspace } from "../support/api.ts";
import { expectError } from "../support/expect-error.ts";
import { type RunningServer, startServer } from "../support/server.ts";
import { createTestStore, type TestStore } from "../support/store.ts";

const LIMIT = 5;
let store: TestStore;
let server: RunningServer;
let owner: Awaited<ReturnType<typeof signUpWithWorkspace>>;

beforeAll(async () => {
  store = await createTestStore();
  server = await startServer({ store, env: { COGNO_AUTH_FAILURES_PER_MINUTE: String(LIMIT) } });
  // Signed up before any test uses up this address's login limit (sign-ups share it).
  owner = await signUpWithWorkspace(server.url);
});

afterAll(async () => {
  await server?.stop();
  await store?.cleanup();
});

function expectRetryAfter(headers: Headers): void {
  const retryAfter = Number(headers.get("retry-after"));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
}

describe("rate limits", () => {
  it("answers 429 rate_limited with Retry-After after repeated failed logins, even for the right password", async () => {
    const { user, password } = await signUp(server.url);
    const client = new ApiClient(server.url);
    // Successful logins do not count.
    for (let i = 0; i < LIMIT + 2; i += 1) {
      expect((await client.post("/api/v1/auth/login", { email: user.email, password })).status).toBe(200);
    }
    for (let i = 0; i < LIMIT; i += 1) {
      const failed = await client.post("/api/v1/auth/login", { email: user.email, password: "wrong guess" });
      expectError(failed, 401, "unauthenticated");
    }
    const limited = await client.post("/api/v1/auth/login", { email: user.email, password: "wrong guess" });
    expectError(limited, 429, "rate_limited");
    expectRetryAfter(limited.headers);
    const evenRight = await client.post("/api/v1/auth/login", { email: user.email, password });
    expectError(evenRight, 429, "rate_limited");
    expectRetryAfter(evenRight.headers);
  });

  it("answers 429 rate_limited with Retry-After after repeated failed bearer attempts", async () => {
    const good = await createKey(owner);
    const client = new ApiClient(server.url);
    const whoami = (key: string) => client.request("GET", "/api/v1/worker/whoami", undefined, bearer(key));
    // A healthy worker authenticating often is never slowed down.
    for (let i = 0; i < LIMIT + 2; i += 1) expect((await whoami(good.key)).status).toBe(200);

    const failures = [
      () => whoami("cogno_wk_short"),
      () => whoami(generateApiKey()),
      () => client.request("GET", "/api/v1/worker/whoami"),
    ];
    for (let i = 0; i < LIMIT; i += 1) {
      const response = await (failures[i % failures.length] ?? failures[0])?.();
      expect(response?.status).toBe(401);
    }
    const limited = await whoami(generateApiKey());
    expectError(limited, 429, "rate_limited");
    expectRetryAfter(limited.headers);
    // Once limited, the client must wait, whatever it sends.
    const evenGood = await whoami(good.key);
    expectError(evenGood, 429, "rate_limited");
    expectRetryAfter(evenGood.headers);
  });
});

describe("sign-up limit", () => {
  it("regression: sign-ups were unlimited (729 accounts in 10 s); every attempt counts, then 429 with Retry-After", async () => {
    const signupStore = await createTestStore();
    const signupServer = await startServer({ store: signupStore, env: { COGNO_SIGNUPS_PER_MINUTE: "3" } });
    try {
      const attempt = (email: string, headers: Record<string, string> = {}) =>
        new ApiClient(signupServer.url).request(
          "POST",
          "/api/v1/auth/signup",
          { email, password: "long enough password", name: "Many" },
          headers,
        );
      const email = (label: string) => `${label}.${Date.now()}@example.com`;
      const first = email("first");
      expect((await attempt(first)).status).toBe(201);
      expect((await attempt(first)).status).toBe(409); // a failed attempt counts too
      expect((await attempt(email("third"))).status).toBe(201);
      // An address it writes itself does not give the client a fresh count (no proxy is trusted).
      const limited = await attempt(email("fourth"), { "x-forwarded-for": "203.0.113.9" });
      expectError(limited, 429, "rate_limited");
      expect(bodyOf(limited, errorBodySchema).error.message).toMatch(/sign-ups/);
      expectRetryAfter(limited.headers);
      // Signing in is a different matter: the accounts already made still work.
      const login = await new ApiClient(signupServer.url).post("/api/v1/auth/login", {
        email: first,
        password: "long enough password",
      });
      expect(login.status).toBe(200);
    } finally {
      await signupServer.stop();
      await signupStore.cleanup();
    }
  });
});
