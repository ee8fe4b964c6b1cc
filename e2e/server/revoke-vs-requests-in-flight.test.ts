/**
 * Revocation is immediate: while a stream of whoami requests runs with a key, the key is revoked;
 * no request that started after the DELETE answer arrived may succeed.
 */
import { performance } from "node:perf_hooks";
import { errorBodySchema, whoamiResponseSchema } from "@cogno/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, createKey, signUpWithWorkspace } from "../support/api.ts";
import { type RunningServer, startServer } from "../support/server.ts";
import { createTestStore, type TestStore } from "../support/store.ts";

const TOTAL = 1_200;
const CONCURRENCY = 50;
/** Revoke once this many requests have answered, so successes come before and failures after. */
const REVOKE_AFTER = 300;

let store: TestStore;
let server: RunningServer;

beforeAll(async () => {
  store = await createTestStore();
  // Hundreds of refused requests are expected here; the failure limit must not answer them first.
  server = await startServer({ store, env: { COGNO_AUTH_FAILURES_PER_MINUTE: "1000000" } });
});

afterAll(async () => {
  await server?.stop();
  await store?.cleanup();
});

interface Attempt {
  startedAt: number;
  status: number;
  code: string | undefined;
}

describe("revoke versus requests in flight", () => {
  it(`no whoami that started after the DELETE answer succeeds (${TOTAL} requests, ${CONCURRENCY} at a time)`, async () => {
    const owner = await signUpWithWorkspace(server.url);
    const created = await createKey(owner, "hot-key");
    const whoamiUrl = `${server.url}/api/v1/worker/whoami`;
    const headers = bearer(created.key);

    const attempts: Attempt[] = [];
    let next = 0;
    let answered = 0;
    let revokeAnsweredAt = Number.POSITIVE_INFINITY;
    let revokeStatus = 0;
    let revoking: Promise<void> | undefined;

    const revoke = async (): Promise<void> => {
      const response = await owner.client.delete(
        `/api/v1/workspaces/${owner.workspaceId}/api-keys/${created.apiKey.id}`,
      );
      revokeAnsweredAt = performance.now();
      revokeStatus = response.status;
    };

    const runner = async (): Promise<void> => {
      while (next < TOTAL) {
        next += 1;
        const startedAt = performance.now();
        const response = await fetch(whoamiUrl, { headers });
        const body: unknown = await response.json();
        if (response.ok) whoamiResponseSchema.parse(body);
        const code = response.ok ? undefined : errorBodySchema.parse(body).error.code;
        attempts.push({ startedAt, status: response.status, code });
        answered += 1;
        if (answered === REVOKE_AFTER) revoking = revoke();
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, runner));
    await revoking;

    expect(revokeStatus).toBe(200);
    expect(attempts).toHaveLength(TOTAL);
    const after = attempts.filter((attempt) => attempt.startedAt > revokeAnsweredAt);
    const before = attempts.filter((attempt) => attempt.startedAt <= revokeAnsweredAt);
    // The test means something only if both sides of the revocation were exercised.
    expect(before.filter((attempt) => attempt.status === 200).length).toBeGreaterThanOrEqual(REVOKE_AFTER);
    expect(after.length).toBeGreaterThan(100);

    const succeededAfter = after.filter((attempt) => attempt.status === 200);
    expect(succeededAfter).toEqual([]);
    for (const attempt of after)
      expect({ status: attempt.status, code: attempt.code }).toEqual({
        status: 401,
        code: "api_key_revoked",
      });
    // Requests in flight during the revocation answer either way, but nothing else.
    for (const attempt of before) expect([200, 401]).toContain(attempt.status);
  });
});
