/**
 * The limit of 25 active keys per user per workspace holds under a race: 100 concurrent creates by
 * one user leave exactly 25 keys. The limit is per user and per workspace, and revoking frees a slot.
 */
import { apiKeysResponseSchema, createApiKeyResponseSchema, workspaceResponseSchema } from "@cogno/protocol";
import { describe, expect, it } from "vitest";
import { addMember, bodyOf, createKey, signUpWithWorkspace } from "../support/api.ts";
import { expectError } from "../support/expect-error.ts";
import { useServer } from "../support/server.ts";

const fixture = useServer();

describe("the 25-key limit", () => {
  it("100 concurrent creates by one user end with exactly 25 keys; the rest get 409 naming the limit and the way out", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const path = `/api/v1/workspaces/${owner.workspaceId}/api-keys`;
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) => owner.client.post(path, { name: `racer-${i}` })),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(25);
    expect(statuses.filter((status) => status === 409)).toHaveLength(75);
    for (const answer of answers.filter((a) => a.status === 409)) {
      const message = expectError(answer, 409, "api_key_limit_reached");
      expect(message).toContain("25");
      expect(message).toMatch(/revoke/i);
      expect(message).toContain("Settings > API Keys");
    }

    const listed = await owner.client.get(path);
    expect(listed.status).toBe(200);
    const { apiKeys } = bodyOf(listed, apiKeysResponseSchema);
    expect(apiKeys).toHaveLength(25);
    const createdIds = answers
      .filter((a) => a.status === 201)
      .map((a) => bodyOf(a, createApiKeyResponseSchema).apiKey.id)
      .sort();
    expect(apiKeys.map((k) => k.id).sort()).toEqual(createdIds);

    // Full: one more is refused.
    expectError(await owner.client.post(path, { name: "one-too-many" }), 409, "api_key_limit_reached");

    // Revoking one frees exactly one slot.
    const victim = apiKeys[0]?.id;
    expect((await owner.client.delete(`${path}/${victim}`)).status).toBe(200);
    expect((await owner.client.post(path, { name: "replacement" })).status).toBe(201);
    expectError(await owner.client.post(path, { name: "again-too-many" }), 409, "api_key_limit_reached");
    expect(bodyOf(await owner.client.get(path), apiKeysResponseSchema).apiKeys).toHaveLength(25);
    expect(bodyOf(await owner.client.get(`${path}?state=all`), apiKeysResponseSchema).apiKeys).toHaveLength(
      26,
    );

    // Per user: another member of the same workspace can still create.
    const member = await addMember(owner, "member");
    await expect(createKey({ client: member.client, workspaceId: owner.workspaceId })).resolves.toMatchObject(
      {
        key: expect.stringMatching(/^cogno_wk_/),
      },
    );

    // Per workspace: the same user can still create in another workspace.
    const other = await owner.client.post("/api/v1/workspaces", { name: "Second workspace" });
    expect(other.status).toBe(201);
    await expect(
      createKey({ client: owner.client, workspaceId: bodyOf(other, workspaceResponseSchema).workspace.id }),
    ).resolves.toMatchObject({
      key: expect.stringMatching(/^cogno_wk_/),
    });
  });

  it("concurrent creates by two users in one workspace each stop at 25", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const admin = await addMember(owner, "admin");
    const path = `/api/v1/workspaces/${owner.workspaceId}/api-keys`;
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        (i % 2 === 0 ? owner.client : admin.client).post(path, { name: `k${i}` }),
      ),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(50);
    expect(answers.filter((a) => a.status === 409)).toHaveLength(10);
    const listed = await owner.client.get(path);
    const perOwner = new Map<string, number>();
    for (const key of bodyOf(listed, apiKeysResponseSchema).apiKeys) {
      perOwner.set(key.owner.id, (perOwner.get(key.owner.id) ?? 0) + 1);
    }
    expect(perOwner.get(owner.user.id)).toBe(25);
    expect(perOwner.get(admin.user.id)).toBe(25);
  });
});
