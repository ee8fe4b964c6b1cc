/**
 * Roll, rename and last-used address against the real server (API.md v1.1 "API keys, v1.1"), with
 * protocol-level workers on real WebSockets.
 */
import { randomUUID } from "node:crypto";
import {
  apiKeyDetailResponseSchema,
  apiKeyResponseSchema,
  apiKeysResponseSchema,
  rollApiKeyResponseSchema,
  whoamiResponseSchema,
} from "@cogno/protocol";
import { describe, expect, it } from "vitest";
import { ApiClient, addMember, bearer, bodyOf, createKey, signUpWithWorkspace } from "../support/api.ts";
import { expectError } from "../support/expect-error.ts";
import { useServer } from "../support/server.ts";
import { waitFor } from "../support/wait-for.ts";
import { connectRegistered } from "../support/worker-socket.ts";
import { openEventStream } from "./event-stream.ts";

const fixture = useServer();

function whoami(key: string) {
  return new ApiClient(fixture.server.url).request("GET", "/api/v1/worker/whoami", undefined, bearer(key));
}

async function ownerWithKeys() {
  const owner = await signUpWithWorkspace(fixture.server.url);
  const keys = `/api/v1/workspaces/${owner.workspaceId}/api-keys`;
  return { owner, keys };
}

describe("renaming a key", () => {
  it("answers 200 { apiKey }, and whoami, the list and open pages show the new name at once", async () => {
    const { owner, keys } = await ownerWithKeys();
    const { apiKey, key } = await createKey(owner, "before");
    expect(bodyOf(await whoami(key), whoamiResponseSchema).apiKey.name).toBe("before"); // now in the verified-key cache
    const events = await openEventStream(
      fixture.server.url,
      owner.workspaceId,
      owner.client.sessionCookie ?? "",
    );
    const renamed = await owner.client.request("PATCH", `${keys}/${apiKey.id}`, { name: "  after  " });
    expect(renamed.status).toBe(200);
    expect(Object.keys(bodyOf(renamed, apiKeyResponseSchema))).toEqual(["apiKey"]);
    expect(apiKeyResponseSchema.parse(renamed.body).apiKey).toMatchObject({ id: apiKey.id, name: "after" });
    expect(bodyOf(await whoami(key), whoamiResponseSchema).apiKey.name).toBe("after");
    expect(apiKeysResponseSchema.parse((await owner.client.get(keys)).body).apiKeys[0]?.name).toBe("after");
    expect(await events.next("api_key.updated", (data) => data.id === apiKey.id)).toMatchObject({
      name: "after",
    });
    await events.close();
  });

  it("refuses an empty or over-long name naming the field, and another member's key as not found", async () => {
    const { owner, keys } = await ownerWithKeys();
    const { apiKey } = await createKey(owner, "named");
    for (const body of [{ name: "" }, { name: "x".repeat(101) }, {}]) {
      const message = expectError(
        await owner.client.request("PATCH", `${keys}/${apiKey.id}`, body),
        400,
        "validation_failed",
      );
      expect(message).toContain("name");
    }
    const member = await addMember(owner, "member");
    expectError(
      await member.client.request("PATCH", `${keys}/${apiKey.id}`, { name: "mine" }),
      404,
      "not_found",
    );
  });
});

describe("last used", () => {
  it("records the address of the last use together with its time", async () => {
    const { owner, keys } = await ownerWithKeys();
    const { apiKey, key } = await createKey(owner, "used");
    const fresh = apiKeysResponseSchema.parse((await owner.client.get(keys)).body).apiKeys[0];
    expect(fresh).toMatchObject({ lastUsedAt: null, lastUsedIp: null });
    expect((await whoami(key)).status).toBe(200);
    const used = await waitFor(
      async () =>
        apiKeysResponseSchema
          .parse((await owner.client.get(keys)).body)
          .apiKeys.find((item) => item.id === apiKey.id),
      (item) => item?.lastUsedAt !== null,
    );
    expect(used?.lastUsedIp).toBe("127.0.0.1");
  });
});

describe("rolling a key", () => {
  it("answers 201 { apiKey, key, previous }: same name and owner, old key valid through its window", async () => {
    const { owner, keys } = await ownerWithKeys();
    const old = await createKey(owner, "ci-runner");
    const response = await owner.client.post(`${keys}/${old.apiKey.id}/roll`, { expiresInSeconds: 3600 });
    expect(response.status).toBe(201);
    expect(Object.keys(bodyOf(response, rollApiKeyResponseSchema)).sort()).toEqual([
      "apiKey",
      "key",
      "previous",
    ]);
    expect(response.headers.get("cache-control")).toContain("no-store");
    const rolled = rollApiKeyResponseSchema.parse(response.body);
    expect(rolled.apiKey).toMatchObject({
      name: "ci-runner",
      owner: owner.user,
      revokedAt: null,
      expiresAt: null,
    });
    expect(rolled.key).toMatch(/^cogno_wk_[0-9A-Za-z]{46}$/);
    expect(rolled.previous).toMatchObject({ id: old.apiKey.id, revokedAt: null, revokedReason: null });
    const window = Date.parse(rolled.previous.expiresAt ?? "") - Date.parse(rolled.apiKey.createdAt);
    expect(window).toBe(3_600_000);
    expect((await whoami(old.key)).status).toBe(200);
    expect(bodyOf(await whoami(rolled.key), whoamiResponseSchema).apiKey).toMatchObject({
      id: rolled.apiKey.id,
      name: "ci-runner",
    });
  });

  it("shows which workers still use the old key, until each restarts with the new one", async () => {
    const { owner, keys } = await ownerWithKeys();
    const old = await createKey(owner, "fleet");
    const machineId = randomUUID();
    const worker = await connectRegistered(fixture.server.url, old.key, machineId, "box-1");
    const rolled = rollApiKeyResponseSchema.parse(
      (await owner.client.post(`${keys}/${old.apiKey.id}/roll`, { expiresInSeconds: 86_400 })).body,
    );
    const detail = apiKeyDetailResponseSchema.parse(
      (await owner.client.get(`${keys}/${old.apiKey.id}`)).body,
    );
    expect(detail.roll).toEqual({
      rolledAt: rolled.apiKey.createdAt,
      replacedBy: { id: rolled.apiKey.id, name: "fleet", prefix: rolled.apiKey.prefix },
    });
    expect(detail.recentWorkers.map((item) => item.id)).toEqual([worker.workerId]);
    expect(detail.workers.map((item) => item.id)).toEqual([worker.workerId]);

    // The worker restarts with the new key: the same machine, the same row, now on the new key.
    worker.socket.close();
    await worker.closed;
    const again = await connectRegistered(fixture.server.url, rolled.key, machineId, "box-1");
    expect(again.workerId).toBe(worker.workerId);
    const after = apiKeyDetailResponseSchema.parse((await owner.client.get(`${keys}/${old.apiKey.id}`)).body);
    expect(after.recentWorkers).toEqual([]);
    const fresh = apiKeyDetailResponseSchema.parse(
      (await owner.client.get(`${keys}/${rolled.apiKey.id}`)).body,
    );
    expect(fresh.roll).toBeUndefined();
    expect(fresh.recentWorkers.map((item) => item.id)).toEqual([worker.workerId]);
    again.socket.close();
  });

  it("with no grace, cuts the old key off before it answers: refused at once, its worker told reason rolled", async () => {
    const { owner, keys } = await ownerWithKeys();
    const old = await createKey(owner, "compromised");
    const worker = await connectRegistered(fixture.server.url, old.key, randomUUID());
    const response = await owner.client.post(`${keys}/${old.apiKey.id}/roll`, { expiresInSeconds: 0 });
    expect(response.status).toBe(201);
    const rolled = rollApiKeyResponseSchema.parse(response.body);
    expect(rolled.previous).toMatchObject({ revokedReason: "rolled", revokedAt: rolled.previous.expiresAt });
    expectError(await whoami(old.key), 401, "api_key_expired");
    expect(await worker.next()).toEqual({
      type: "revoked",
      apiKey: { id: old.apiKey.id, name: "compromised", prefix: old.apiKey.prefix },
      reason: "rolled",
    });
    expect((await worker.closed).code).toBe(4001);
    expect((await whoami(rolled.key)).status).toBe(200);
  });

  it("ends the window on time: the old key is refused and its worker cut off with reason rolled", async () => {
    const { owner, keys } = await ownerWithKeys();
    const old = await createKey(owner, "short-window");
    const worker = await connectRegistered(fixture.server.url, old.key, randomUUID());
    const rolled = rollApiKeyResponseSchema.parse(
      (await owner.client.post(`${keys}/${old.apiKey.id}/roll`, { expiresInSeconds: 2 })).body,
    );
    expect((await whoami(old.key)).status).toBe(200);
    const endsAt = Date.parse(rolled.previous.expiresAt ?? "");
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, endsAt - Date.now() + 50)));
    expectError(await whoami(old.key), 401, "api_key_expired");
    expect(await worker.next(10_000)).toMatchObject({ type: "revoked", reason: "rolled" });
    const all = apiKeysResponseSchema.parse((await owner.client.get(`${keys}?state=all`)).body).apiKeys;
    expect(all.find((item) => item.id === old.apiKey.id)).toMatchObject({
      revokedAt: rolled.previous.expiresAt,
      revokedReason: "rolled",
    });
  });

  it("is allowed at the 25-key limit, which still holds for new keys", async () => {
    const { owner, keys } = await ownerWithKeys();
    const created = [];
    for (let i = 0; i < 25; i++) created.push(await createKey(owner, `k${i}`));
    expectError(await owner.client.post(keys, { name: "26th" }), 409, "api_key_limit_reached");
    expect(
      (await owner.client.post(`${keys}/${created[0]?.apiKey.id}/roll`, { expiresInSeconds: 3600 })).status,
    ).toBe(201);
    expectError(await owner.client.post(keys, { name: "26th" }), 409, "api_key_limit_reached");
  });

  it("answers 409 conflict for a revoked key, and 400 naming expiresInSeconds outside 0 to 2,592,000", async () => {
    const { owner, keys } = await ownerWithKeys();
    const old = await createKey(owner, "gone");
    expect((await owner.client.delete(`${keys}/${old.apiKey.id}`)).status).toBe(200);
    const message = expectError(
      await owner.client.post(`${keys}/${old.apiKey.id}/roll`, { expiresInSeconds: 60 }),
      409,
      "conflict",
    );
    expect(message).toContain("revoked");
    const live = await createKey(owner, "live");
    for (const body of [
      { expiresInSeconds: -1 },
      { expiresInSeconds: 2_592_001 },
      { expiresInSeconds: 1.5 },
      {},
    ]) {
      const refused = expectError(
        await owner.client.post(`${keys}/${live.apiKey.id}/roll`, body),
        400,
        "validation_failed",
      );
      expect(refused).toContain("expiresInSeconds");
    }
    expect(
      (await owner.client.post(`${keys}/${live.apiKey.id}/roll`, { expiresInSeconds: 2_592_000 })).status,
    ).toBe(201);
  });

  it("lets a member roll only their own keys; an admin's roll keeps the member as owner", async () => {
    const { owner, keys } = await ownerWithKeys();
    const member = await addMember(owner, "member");
    const admin = await addMember(owner, "admin");
    const ownersKey = await createKey(owner, "owner's");
    const membersKey = await createKey({ client: member.client, workspaceId: owner.workspaceId }, "member's");
    expectError(
      await member.client.post(`${keys}/${ownersKey.apiKey.id}/roll`, { expiresInSeconds: 60 }),
      404,
      "not_found",
    );
    const byAdmin = await admin.client.post(`${keys}/${membersKey.apiKey.id}/roll`, { expiresInSeconds: 60 });
    expect(byAdmin.status).toBe(201);
    expect(bodyOf(byAdmin, rollApiKeyResponseSchema).apiKey.owner).toEqual(member.user);
  });
});
