/** API keys (API.md "API keys" and "Worker side"): create, list, get, revoke, whoami and its failures. */
import {
  apiKeyDetailResponseSchema,
  apiKeysResponseSchema,
  checksumOf,
  createApiKeyResponseSchema,
  generateApiKey,
  parseApiKey,
  revokeApiKeyResponseSchema,
  whoamiResponseSchema,
} from "@cogno/protocol";
import { describe, expect, it } from "vitest";
import { ApiClient, bearer, bodyOf, createKey, signUp, signUpWithWorkspace } from "../support/api.ts";
import { expectError } from "../support/expect-error.ts";
import { useServer } from "../support/server.ts";

const fixture = useServer();

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const API_KEY_FIELDS = [
  "createdAt",
  "expiresAt",
  "id",
  "lastUsedAt",
  "lastUsedIp",
  "name",
  "owner",
  "prefix",
  "revokedAt",
  "revokedReason",
  "scope",
];

function whoami(headers: Record<string, string>) {
  return new ApiClient(fixture.server.url).request("GET", "/api/v1/worker/whoami", undefined, headers);
}

describe("creating a key", () => {
  it("answers 201 with exactly the apiKey fields and the raw key, which is never cached", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const response = await owner.client.post(`/api/v1/workspaces/${owner.workspaceId}/api-keys`, {
      name: "  alice-macbook-worker  ",
    });
    expect(response.status).toBe(201);
    const body = bodyOf(response, createApiKeyResponseSchema);
    expect(Object.keys(body).sort()).toEqual(["apiKey", "key"]);
    expect(Object.keys(body.apiKey).sort()).toEqual(API_KEY_FIELDS);
    const { apiKey, key } = body;
    expect(apiKey).toEqual({
      id: expect.stringMatching(/^key_/),
      name: "alice-macbook-worker",
      prefix: key.slice(0, 17),
      scope: "worker",
      createdAt: expect.stringMatching(ISO),
      lastUsedAt: null,
      lastUsedIp: null,
      expiresAt: null,
      revokedAt: null,
      revokedReason: null,
      owner: owner.user,
    });
    expect(key).toMatch(/^cogno_wk_[0-9A-Za-z]{46}$/);
    expect(parseApiKey(key).ok).toBe(true);
    expect(response.headers.get("cache-control")).toContain("no-store");
  });

  it("accepts a 100-character name and refuses empty, blank, too long or missing names naming the field", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const path = `/api/v1/workspaces/${owner.workspaceId}/api-keys`;
    expect((await owner.client.post(path, { name: "n".repeat(100) })).status).toBe(201);
    expect((await owner.client.post(path, { name: `  ${"n".repeat(100)}  ` })).status).toBe(201);
    for (const body of [{ name: "" }, { name: "   " }, { name: "n".repeat(101) }, {}, { name: 42 }]) {
      const message = expectError(await owner.client.post(path, body), 400, "validation_failed");
      expect(message).toContain("name");
    }
  });

  it("answers 401 unauthenticated without a session", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const response = await new ApiClient(fixture.server.url).post(
      `/api/v1/workspaces/${owner.workspaceId}/api-keys`,
      {
        name: "x",
      },
    );
    expectError(response, 401, "unauthenticated");
  });
});

describe("listing and reading keys", () => {
  it("lists active keys newest first, never with the raw key or its hash; ?state=all adds revoked ones", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const base = `/api/v1/workspaces/${owner.workspaceId}/api-keys`;
    const first = await createKey(owner, "first");
    const second = await createKey(owner, "second");
    const third = await createKey(owner, "third");
    expect((await owner.client.delete(`${base}/${second.apiKey.id}`)).status).toBe(200);

    const active = await owner.client.get(base);
    expect(active.status).toBe(200);
    const activeBody = bodyOf(active, apiKeysResponseSchema);
    expect(Object.keys(activeBody)).toEqual(["apiKeys"]);
    expect(activeBody.apiKeys.map((k) => k.name)).toEqual(["third", "first"]);
    for (const apiKey of activeBody.apiKeys) {
      expect(Object.keys(apiKey).sort()).toEqual(API_KEY_FIELDS);
      expect(apiKey.owner).toEqual(owner.user);
    }

    const all = await owner.client.get(`${base}?state=all`);
    expect(all.status).toBe(200);
    const allKeys = bodyOf(all, apiKeysResponseSchema).apiKeys;
    expect(allKeys.map((k) => k.name)).toEqual(["third", "second", "first"]);
    expect(allKeys[1]?.revokedAt).toMatch(ISO);

    const explicitActive = await owner.client.get(`${base}?state=active`);
    expect(explicitActive.body).toEqual(active.body);

    // No listing, in any form, carries a secret or anything that looks like one.
    const text = JSON.stringify([active.body, all.body]);
    for (const created of [first, second, third]) expect(text).not.toContain(created.key);
    expect(text).not.toMatch(/[0-9a-f]{64}/);
    expect(text).not.toMatch(/hash/i);
  });

  it("answers 400 validation_failed naming state for an unknown state", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const response = await owner.client.get(`/api/v1/workspaces/${owner.workspaceId}/api-keys?state=revoked`);
    expect(expectError(response, 400, "validation_failed")).toContain("state");
  });

  it("reads one key with the workers connected with it, without the raw key", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const created = await createKey(owner, "reader");
    const response = await owner.client.get(
      `/api/v1/workspaces/${owner.workspaceId}/api-keys/${created.apiKey.id}`,
    );
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ apiKey: { ...created.apiKey }, workers: [], recentWorkers: [] });
    expect(JSON.stringify(response.body)).not.toContain(created.key);
  });

  it("answers 404 not_found for an unknown key id and for a key of another workspace", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const stranger = await signUpWithWorkspace(fixture.server.url, "Stranger");
    const strangersKey = await createKey(stranger);
    const base = `/api/v1/workspaces/${owner.workspaceId}/api-keys`;
    expectError(await owner.client.get(`${base}/key_doesnotexist`), 404, "not_found");
    expectError(await owner.client.get(`${base}/${strangersKey.apiKey.id}`), 404, "not_found");
    expectError(await owner.client.delete(`${base}/${strangersKey.apiKey.id}`), 404, "not_found");
    // The foreign key was not touched.
    expect((await whoami(bearer(strangersKey.key))).status).toBe(200);
  });
});

describe("revoking a key", () => {
  it("revokes at once (200), idempotently: a second DELETE answers 200 with the same revokedAt", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const created = await createKey(owner, "to-revoke");
    const path = `/api/v1/workspaces/${owner.workspaceId}/api-keys/${created.apiKey.id}`;
    expect((await whoami(bearer(created.key))).status).toBe(200);

    const first = await owner.client.delete(path);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      apiKey: {
        ...created.apiKey,
        lastUsedAt: expect.anything(),
        lastUsedIp: expect.any(String),
        revokedAt: expect.stringMatching(ISO),
        revokedReason: "revoked",
      },
      disconnectedWorkers: 0,
    });
    expectError(await whoami(bearer(created.key)), 401, "api_key_revoked");

    const second = await owner.client.delete(path);
    expect(second.status).toBe(200);
    const firstRevokedAt = bodyOf(first, revokeApiKeyResponseSchema).apiKey.revokedAt;
    expect(bodyOf(second, revokeApiKeyResponseSchema).apiKey.revokedAt).toBe(firstRevokedAt);
    expect(bodyOf(second, revokeApiKeyResponseSchema).disconnectedWorkers).toBe(0);

    const read = await owner.client.get(path);
    expect(bodyOf(read, apiKeyDetailResponseSchema).apiKey.revokedAt).toBe(firstRevokedAt);
    expect(
      bodyOf(
        await owner.client.get(`/api/v1/workspaces/${owner.workspaceId}/api-keys`),
        apiKeysResponseSchema,
      ).apiKeys,
    ).toEqual([]);
  });

  it("keeps one revokedAt when two revokes race", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const created = await createKey(owner);
    const path = `/api/v1/workspaces/${owner.workspaceId}/api-keys/${created.apiKey.id}`;
    const answers = await Promise.all([owner.client.delete(path), owner.client.delete(path)]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    const [one, other] = answers.map((answer) => bodyOf(answer, revokeApiKeyResponseSchema).apiKey.revokedAt);
    expect(one).toBe(other);
  });

  it("lets two keys be active side by side, so rotation has no gap", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const old = await createKey(owner, "old");
    const replacement = await createKey(owner, "new");
    expect((await whoami(bearer(old.key))).status).toBe(200);
    expect((await whoami(bearer(replacement.key))).status).toBe(200);
    await owner.client.delete(`/api/v1/workspaces/${owner.workspaceId}/api-keys/${old.apiKey.id}`);
    expectError(await whoami(bearer(old.key)), 401, "api_key_revoked");
    expect((await whoami(bearer(replacement.key))).status).toBe(200);
  });
});

describe("whoami", () => {
  it("answers 200 with the workspace, the key and its owner", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url, "Who");
    const created = await createKey(owner, "who-worker");
    const response = await whoami(bearer(created.key));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      workspace: { id: owner.workspaceId, name: "Who's workspace" },
      apiKey: { id: created.apiKey.id, name: "who-worker", prefix: created.apiKey.prefix },
      user: owner.user,
    });
  });

  it("sets lastUsedAt: null before the key is used, a time after", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const created = await createKey(owner);
    const path = `/api/v1/workspaces/${owner.workspaceId}/api-keys/${created.apiKey.id}`;
    expect(bodyOf(await owner.client.get(path), apiKeyDetailResponseSchema).apiKey.lastUsedAt).toBeNull();
    const before = Date.now();
    expect((await whoami(bearer(created.key))).status).toBe(200);
    // The write is off the request's hot path; wait for it rather than sleep.
    const deadline = Date.now() + 5_000;
    let lastUsedAt: string | null = null;
    while (lastUsedAt === null && Date.now() < deadline) {
      lastUsedAt = bodyOf(await owner.client.get(path), apiKeyDetailResponseSchema).apiKey.lastUsedAt;
    }
    expect(lastUsedAt).toMatch(ISO);
    expect(new Date(lastUsedAt ?? 0).getTime()).toBeGreaterThanOrEqual(before - 1_000);
    const listed = await owner.client.get(`/api/v1/workspaces/${owner.workspaceId}/api-keys`);
    expect(bodyOf(listed, apiKeysResponseSchema).apiKeys[0]?.lastUsedAt).toBe(lastUsedAt);
  });

  it("answers api_key_malformed for a missing header, a bad scheme, length, charset or checksum", async () => {
    const key = generateApiKey();
    const random = key.slice(9, 49);
    const flipped = `${random.slice(0, -1)}${random.endsWith("A") ? "B" : "A"}`;
    const badChecksum = `cogno_wk_${flipped}${key.slice(49)}`;
    expect(checksumOf(flipped)).not.toBe(key.slice(49));
    const cases: Record<string, string>[] = [
      {},
      { authorization: "" },
      { authorization: key },
      { authorization: `Basic ${key}` },
      bearer(key.slice(0, -1)),
      bearer(`${key}x`),
      bearer(`cogno_wk_${"!".repeat(46)}`),
      bearer(`${key.slice(0, 20)}-${key.slice(21)}`),
      bearer(badChecksum),
      bearer(`ghp_${key.slice(4)}`),
    ];
    for (const headers of cases) {
      expectError(await whoami(headers), 401, "api_key_malformed");
    }
  });

  it("regression: a lowercase bearer scheme was refused as malformed; the scheme is case-insensitive", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const created = await createKey(owner);
    for (const scheme of ["bearer", "BEARER", "Bearer"]) {
      const response = await whoami({ authorization: `${scheme} ${created.key}` });
      expect(response.status).toBe(200);
      expect(bodyOf(response, whoamiResponseSchema).apiKey.id).toBe(created.apiKey.id);
    }
  });

  it("answers api_key_invalid for a well-formed key that does not exist, naming only its prefix", async () => {
    const key = generateApiKey();
    const response = await whoami(bearer(key));
    const message = expectError(response, 401, "api_key_invalid");
    expect(message).not.toContain(key);
    expect(message).toContain(key.slice(0, 17));
  });
});

describe("sessions and keys do not mix", () => {
  it("a raw key is not a session, and a session cookie is not a key", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const created = await createKey(owner);
    const withKey = await new ApiClient(fixture.server.url).request(
      "GET",
      `/api/v1/workspaces/${owner.workspaceId}/api-keys`,
      undefined,
      bearer(created.key),
    );
    expectError(withKey, 401, "unauthenticated");
    const withCookie = await owner.client.get("/api/v1/worker/whoami");
    expectError(withCookie, 401, "api_key_malformed");
    const another = await signUp(fixture.server.url);
    expect(another.client.sessionCookie).not.toBe(owner.client.sessionCookie);
  });
});
