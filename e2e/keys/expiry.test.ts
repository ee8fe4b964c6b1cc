/**
 * Key expiry against the real server (API.md v1.1): refused on time, then written down once: the
 * key shows revoked at its expiry with reason "expired", the audit log says the system expired it,
 * open pages hear api_key.revoked, connected workers are cut off with reason "expired". With two
 * replicas on one PostgreSQL, each expiry is recorded exactly once.
 */
import { randomUUID } from "node:crypto";
import { apiKeysResponseSchema, auditLogResponseSchema, createApiKeyResponseSchema } from "@cogno/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient, bearer, signUpWithWorkspace } from "../support/api.ts";
import { expectError } from "../support/expect-error.ts";
import { type RunningServer, startServer, useServer } from "../support/server.ts";
import { createTestStore, TEST_ENGINE, type TestStore } from "../support/store.ts";
import { waitFor } from "../support/wait-for.ts";
import { connectRegistered } from "../support/worker-socket.ts";
import { openEventStream } from "./event-stream.ts";

const fixture = useServer();

function whoami(baseUrl: string, key: string) {
  return new ApiClient(baseUrl).request("GET", "/api/v1/worker/whoami", undefined, bearer(key));
}

async function createExpiringKey(
  owner: { client: ApiClient; workspaceId: string },
  name: string,
  inMs: number,
) {
  const expiresAt = new Date(Date.now() + inMs).toISOString();
  const response = await owner.client.post(`/api/v1/workspaces/${owner.workspaceId}/api-keys`, {
    name,
    expiresAt,
  });
  expect(response.status).toBe(201);
  return createApiKeyResponseSchema.parse(response.body);
}

async function sleepUntil(iso: string, extraMs = 0): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(iso) - Date.now() + extraMs)));
}

async function expiredEntries(client: ApiClient, workspaceId: string) {
  const response = await client.get(`/api/v1/workspaces/${workspaceId}/audit-log?action=api_key.expired`);
  return auditLogResponseSchema.parse(response.body).entries;
}

describe("a key with an expiry", () => {
  it("works until its expiry, is refused from then on, and is written down as expired by the system", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const { apiKey, key } = await createExpiringKey(owner, "temporary", 2_000);
    expect(apiKey.expiresAt).not.toBeNull();
    const expiresAt = apiKey.expiresAt ?? "";
    const events = await openEventStream(
      fixture.server.url,
      owner.workspaceId,
      owner.client.sessionCookie ?? "",
    );
    const worker = await connectRegistered(fixture.server.url, key, randomUUID());
    expect((await whoami(fixture.server.url, key)).status).toBe(200);

    await sleepUntil(expiresAt, 20);
    expectError(await whoami(fixture.server.url, key), 401, "api_key_expired");

    expect(await worker.next(10_000)).toEqual({
      type: "revoked",
      apiKey: { id: apiKey.id, name: "temporary", prefix: apiKey.prefix },
      reason: "expired",
    });
    expect((await worker.closed).code).toBe(4001);
    expect(await events.next("api_key.revoked", (data) => data.id === apiKey.id)).toMatchObject({
      revokedAt: expiresAt,
      revokedReason: "expired",
    });
    await events.close();

    const entries = await waitFor(
      () => expiredEntries(owner.client, owner.workspaceId),
      (found) => found.length > 0,
    );
    expect(entries).toEqual([
      expect.objectContaining({
        at: expiresAt,
        action: "api_key.expired",
        actor: { type: "system", id: null, name: "Cogno" },
        target: { type: "api_key", id: apiKey.id, name: "temporary" },
        details: { prefix: apiKey.prefix, reason: "expired" },
      }),
    ]);
    const keysPath = `/api/v1/workspaces/${owner.workspaceId}/api-keys`;
    expect(apiKeysResponseSchema.parse((await owner.client.get(keysPath)).body).apiKeys).toEqual([]);
    const all = apiKeysResponseSchema.parse((await owner.client.get(`${keysPath}?state=all`)).body).apiKeys;
    expect(all[0]).toMatchObject({ id: apiKey.id, revokedAt: expiresAt, revokedReason: "expired" });
  });

  it("refuses an expiry that is not in the future, naming the field", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const path = `/api/v1/workspaces/${owner.workspaceId}/api-keys`;
    for (const expiresAt of [new Date(Date.now() - 1_000).toISOString(), "tomorrow"]) {
      const message = expectError(
        await owner.client.post(path, { name: "x", expiresAt }),
        400,
        "validation_failed",
      );
      expect(message).toContain("expiresAt");
    }
  });
});

describe.runIf(TEST_ENGINE === "postgres")("expiry across two replicas on one PostgreSQL", () => {
  let store: TestStore;
  let a: RunningServer;
  let b: RunningServer;

  beforeAll(async () => {
    store = await createTestStore("postgres");
    [a, b] = await Promise.all([startServer({ store }), startServer({ store })]);
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await store?.cleanup();
  });

  it("cuts off workers on both replicas and records each expiry exactly once", async () => {
    const owner = await signUpWithWorkspace(a.url);
    const created = [];
    for (let i = 0; i < 4; i++) created.push(await createExpiringKey(owner, `expiring-${i}`, 2_500));
    const onA = await connectRegistered(a.url, created[0]?.key ?? "", randomUUID());
    const onB = await connectRegistered(b.url, created[1]?.key ?? "", randomUUID());
    await sleepUntil(created.at(-1)?.apiKey.expiresAt ?? "", 20);
    for (const server of [a, b])
      expectError(await whoami(server.url, created[2]?.key ?? ""), 401, "api_key_expired");
    expect(await onA.next(10_000)).toMatchObject({ type: "revoked", reason: "expired" });
    expect(await onB.next(10_000)).toMatchObject({ type: "revoked", reason: "expired" });

    await waitFor(
      () => expiredEntries(owner.client, owner.workspaceId),
      (found) => found.length >= created.length,
    );
    // Both replicas have swept several times since: still one entry per key.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const entries = await expiredEntries(owner.client, owner.workspaceId);
    expect(entries.map((entry) => entry.target.id).sort()).toEqual(
      created.map((item) => item.apiKey.id).sort(),
    );
  });
});
