/**
 * A connected worker follows its key's life (API.md v1.1, "API keys"): it gets `revoked` with
 * reason "expired" when the key expires and "rolled" when a roll's grace window ends, on time
 * (within 1 s, API.md's "on time"; each replica keeps a timer per key rather than waiting for the
 * periodic sweep), and a key changed after the worker connected (renamed, rolled) is read again.
 * On PostgreSQL the key is managed on replica A and the worker sits on replica B.
 */
import { randomUUID } from "node:crypto";
import { createApiKeyResponseSchema, rollApiKeyResponseSchema } from "@cogno/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey, signUpWithWorkspace } from "../support/api.ts";
import { type RunningServer, startServer } from "../support/server.ts";
import { createTestStore, TEST_ENGINE, type TestStore } from "../support/store.ts";
import { connectRegistered } from "../support/worker-socket.ts";

/** API.md v1.1: "On time" means within 1 s. */
const ON_TIME_MS = 1_000;

let store: TestStore;
let replicaA: RunningServer;
let replicaB: RunningServer;
let owner: Awaited<ReturnType<typeof signUpWithWorkspace>>;

beforeAll(async () => {
  store = await createTestStore();
  replicaA = await startServer({ store });
  replicaB = TEST_ENGINE === "postgres" ? await startServer({ store }) : replicaA;
  owner = await signUpWithWorkspace(replicaA.url);
});

afterAll(async () => {
  await replicaA?.stop();
  if (replicaB !== replicaA) await replicaB?.stop();
  await store?.cleanup();
});

const keysPath = () => `/api/v1/workspaces/${owner.workspaceId}/api-keys`;

/** The next message, and how long after `deadline` (ms since epoch) it arrived. */
async function toldAfter(worker: Awaited<ReturnType<typeof connectRegistered>>, deadline: number) {
  const message = await worker.next(15_000);
  return { message, lateBy: Date.now() - deadline };
}

describe("a connected worker and its key's life", () => {
  it("is cut off with reason expired when its key expires, on time", async () => {
    const expiresAt = new Date(Date.now() + 3_000).toISOString();
    const created = createApiKeyResponseSchema.parse(
      (await owner.client.post(keysPath(), { name: "expiring", expiresAt })).body,
    );
    const worker = await connectRegistered(replicaB.url, created.key, randomUUID());
    const { message, lateBy } = await toldAfter(worker, Date.parse(expiresAt));
    expect(message).toEqual({
      type: "revoked",
      apiKey: { id: created.apiKey.id, name: "expiring", prefix: created.apiKey.prefix },
      reason: "expired",
    });
    expect(lateBy).toBeGreaterThanOrEqual(0);
    expect(lateBy).toBeLessThan(ON_TIME_MS);
    expect((await worker.closed).code).toBe(4001);
  });

  it("is cut off with reason rolled when the roll's grace window ends, on time (the roll is read again)", async () => {
    const old = await createKey(owner, "rolling");
    const worker = await connectRegistered(replicaB.url, old.key, randomUUID());
    const rolled = rollApiKeyResponseSchema.parse(
      (await owner.client.post(`${keysPath()}/${old.apiKey.id}/roll`, { expiresInSeconds: 3 })).body,
    );
    const endsAt = Date.parse(rolled.previous.expiresAt ?? "");
    const { message, lateBy } = await toldAfter(worker, endsAt);
    expect(message).toEqual({
      type: "revoked",
      apiKey: { id: old.apiKey.id, name: "rolling", prefix: old.apiKey.prefix },
      reason: "rolled",
    });
    expect(lateBy).toBeGreaterThanOrEqual(0);
    expect(lateBy).toBeLessThan(ON_TIME_MS);
  });

  it("is told the key's current name when it is revoked after a rename", async () => {
    const { apiKey, key } = await createKey(owner, "old-name");
    const worker = await connectRegistered(replicaB.url, key, randomUUID());
    const renamed = await owner.client.request("PATCH", `${keysPath()}/${apiKey.id}`, { name: "new-name" });
    expect(renamed.status).toBe(200);
    // The rename's change reached replica B before the PATCH answered; give its re-read a moment.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await owner.client.delete(`${keysPath()}/${apiKey.id}`)).status).toBe(200);
    expect(await worker.next()).toEqual({
      type: "revoked",
      apiKey: { id: apiKey.id, name: "new-name", prefix: apiKey.prefix },
      reason: "revoked",
    });
  });
});
