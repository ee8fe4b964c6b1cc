/**
 * Failed authentications are rate-limited per client (429 rate_limited with Retry-After): failed
 * logins on one counter, failed bearer keys on another. The server runs with a small limit.
 */
import { generateApiKey } from "@cogno/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient, bearer, createKey, signUp, signUpWithWorkspace } from "../support/api.ts";
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
