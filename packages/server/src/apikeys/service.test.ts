import { API_KEY_LIMIT, type User } from "@cogno/protocol";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { listAuditEntries } from "../audit/store.ts";
import { signUp } from "../auth/service.ts";
import { sha256Hex } from "../crypto.ts";
import { codeOf } from "../testing/error-code.ts";
import { joinWorkspace } from "../testing/members.ts";
import { createTestDeps, type TestDeps } from "../testing/test-deps.ts";
import { createWorkspace } from "../workspaces/service.ts";
import {
  type ConnectedWorkers,
  createApiKey,
  LIMIT_MESSAGE,
  listApiKeys,
  renameApiKey,
  revokeApiKey,
} from "./service.ts";

const noWorkers: ConnectedWorkers = {
  listConnectedWithKey: async () => [],
  countConnectedWithKey: async () => 0,
  listRecentWithKey: async () => [],
};
const page = { limit: 100, cursor: undefined };
let deps: TestDeps;
let alice: User;
let workspaceId: string;

beforeEach(async () => {
  deps = await createTestDeps();
  alice = (await signUp(deps, { email: "alice@example.com", password: "long enough", name: "Alice" }, "test"))
    .user;
  workspaceId = (await createWorkspace(deps, alice.id, "Acme")).id;
});

afterEach(async () => {
  await deps.cleanup();
});

describe("createApiKey", () => {
  it("returns the raw key once and stores only its SHA-256 hash and display prefix", async () => {
    const { apiKey, key } = await createApiKey(deps, { workspaceId, actor: alice, name: "ci" });
    expect(apiKey.prefix).toBe(key.slice(0, 17));
    const rows = await deps.db.selectFrom("api_keys").selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.key_hash).toBe(sha256Hex(key));
    expect(JSON.stringify(rows)).not.toContain(key.slice(17));
    expect(
      JSON.stringify(await listApiKeys(deps, { workspaceId, actor: alice, includeRevoked: true, ...page })),
    ).not.toContain(key.slice(17));
  });

  it("refuses the 26th active key with a message that names the limit and the remedy, and frees a slot on revoke", async () => {
    const created = [];
    for (let i = 0; i < API_KEY_LIMIT; i++)
      created.push(await createApiKey(deps, { workspaceId, actor: alice, name: `k${i}` }));
    await expect(
      createApiKey(deps, { workspaceId, actor: alice, name: "one too many" }),
    ).rejects.toMatchObject({
      code: "api_key_limit_reached",
      message: LIMIT_MESSAGE,
    });
    expect(LIMIT_MESSAGE).toContain("25");
    expect(LIMIT_MESSAGE).toMatch(/Revoke/);
    await revokeApiKey(deps, noWorkers, { workspaceId, actor: alice, keyId: created[0]?.apiKey.id ?? "" });
    expect(await codeOf(createApiKey(deps, { workspaceId, actor: alice, name: "replacement" }))).toBe("ok");
  });

  it("announces a created key on the bus without the raw key", async () => {
    const { key } = await createApiKey(deps, { workspaceId, actor: alice, name: "announced" });
    expect(deps.events.map((event) => event.type)).toEqual(["api_key.created"]);
    expect(JSON.stringify(deps.events)).not.toContain(key.slice(17));
  });
});

describe("createApiKey with an expiry", () => {
  it("refuses an expiry that is not in the future", async () => {
    expect(
      await codeOf(
        createApiKey(deps, {
          workspaceId,
          actor: alice,
          name: "past",
          expiresAt: deps.clock.now().toISOString(),
        }),
      ),
    ).toBe("validation_failed");
  });

  it("shows an expired key as revoked at its expiry, out of the active list and the 25", async () => {
    const expiresAt = new Date(deps.clock.now().getTime() + 60_000).toISOString();
    const { apiKey } = await createApiKey(deps, { workspaceId, actor: alice, name: "short", expiresAt });
    expect(apiKey).toMatchObject({ expiresAt, revokedAt: null, revokedReason: null });
    deps.clock.advance(60_000);
    const active = await listApiKeys(deps, { workspaceId, actor: alice, includeRevoked: false, ...page });
    expect(active.apiKeys).toEqual([]);
    const all = await listApiKeys(deps, { workspaceId, actor: alice, includeRevoked: true, ...page });
    expect(all.apiKeys[0]).toMatchObject({ revokedAt: expiresAt, revokedReason: "expired" });
    for (let i = 0; i < API_KEY_LIMIT; i++)
      await createApiKey(deps, { workspaceId, actor: alice, name: `k${i}` });
  });
});

describe("listApiKeys", () => {
  it("pages newest first with a cursor, and refuses a cursor it did not give out", async () => {
    for (let i = 0; i < 5; i++) {
      await createApiKey(deps, { workspaceId, actor: alice, name: `k${i}` });
      deps.clock.advance(1_000);
    }
    const first = await listApiKeys(deps, {
      workspaceId,
      actor: alice,
      includeRevoked: false,
      limit: 2,
      cursor: undefined,
    });
    expect(first.apiKeys.map((key) => key.name)).toEqual(["k4", "k3"]);
    const names = [...first.apiKeys.map((key) => key.name)];
    let cursor = first.nextCursor;
    while (cursor !== undefined) {
      const next = await listApiKeys(deps, {
        workspaceId,
        actor: alice,
        includeRevoked: false,
        limit: 2,
        cursor,
      });
      names.push(...next.apiKeys.map((key) => key.name));
      cursor = next.nextCursor;
    }
    expect(names).toEqual(["k4", "k3", "k2", "k1", "k0"]);
    expect(
      await codeOf(
        listApiKeys(deps, { workspaceId, actor: alice, includeRevoked: false, limit: 2, cursor: "nope" }),
      ),
    ).toBe("validation_failed");
  });
});

describe("revokeApiKey", () => {
  it("commits, logs and announces the revocation once, keeping the first revokedAt when asked again", async () => {
    const { apiKey } = await createApiKey(deps, { workspaceId, actor: alice, name: "to revoke" });
    let committedWhenAnnounced: string | null | undefined;
    deps.keyChanges.subscribe(() => {
      // The listener runs before revokeApiKey returns; the row must already say revoked.
      void deps.db
        .selectFrom("api_keys")
        .select("revoked_at")
        .where("id", "=", apiKey.id)
        .executeTakeFirst()
        .then((row) => {
          committedWhenAnnounced = row?.revoked_at;
        });
    });
    const first = await revokeApiKey(deps, noWorkers, { workspaceId, actor: alice, keyId: apiKey.id });
    deps.clock.advance(5_000);
    const second = await revokeApiKey(deps, noWorkers, { workspaceId, actor: alice, keyId: apiKey.id });
    // The subscriber reads the row after the announcement, on its own: wait for its answer.
    await vi.waitFor(() => expect(committedWhenAnnounced).toBe(first.apiKey.revokedAt), {
      timeout: 5_000,
      interval: 10,
    });
    expect(second.apiKey.revokedAt).toBe(first.apiKey.revokedAt);
    expect(first.apiKey.revokedReason).toBe("revoked");
    expect(deps.keyChangesSeen).toEqual([
      { seq: expect.any(Number), keyIds: [apiKey.id], change: "revoked", reason: "revoked" },
    ]);
    const logged = await deps.db.selectFrom("key_changes").selectAll().execute();
    expect(logged.map((row) => row.key_ids)).toEqual([JSON.stringify([apiKey.id])]);
    expect(deps.events.filter((event) => event.type === "api_key.revoked")).toEqual([
      { type: "api_key.revoked", workspaceId, keyId: apiKey.id },
    ]);
  });
});

describe("renameApiKey", () => {
  it("renames, audits from and to, tells replicas to re-read the key and open pages to show it", async () => {
    const { apiKey } = await createApiKey(deps, { workspaceId, actor: alice, name: "old name" });
    deps.keyChangesSeen.length = 0;
    deps.events.length = 0;
    const renamed = await renameApiKey(deps, {
      workspaceId,
      actor: alice,
      keyId: apiKey.id,
      name: "new name",
      origin: { ip: "10.0.0.7", userAgent: "browser" },
    });
    expect(renamed.apiKey).toEqual({ ...apiKey, name: "new name" });
    expect(deps.keyChangesSeen).toEqual([
      { seq: expect.any(Number), keyIds: [apiKey.id], change: "updated", reason: null },
    ]);
    expect(deps.events).toEqual([{ type: "api_key.updated", workspaceId, keyId: apiKey.id }]);
    const { entries } = await listAuditEntries(deps.db, {
      workspaceId,
      action: "api_key.renamed",
      actor: undefined,
      before: undefined,
      limit: 10,
    });
    expect(entries).toEqual([
      expect.objectContaining({
        actor: { type: "user", id: alice.id, name: "Alice" },
        target: { type: "api_key", id: apiKey.id, name: "new name" },
        ip: "10.0.0.7",
        userAgent: "browser",
        details: { from: "old name", to: "new name" },
      }),
    ]);
  });

  it("changes nothing and records nothing when the name is the same", async () => {
    const { apiKey } = await createApiKey(deps, { workspaceId, actor: alice, name: "same" });
    deps.keyChangesSeen.length = 0;
    await renameApiKey(deps, { workspaceId, actor: alice, keyId: apiKey.id, name: "same" });
    expect(deps.keyChangesSeen).toEqual([]);
  });

  it("follows the visibility rules of revoke: a member cannot rename another's key", async () => {
    const bob = (await signUp(deps, { email: "bob@example.com", password: "long enough", name: "Bob" }, "b"))
      .user;
    await joinWorkspace(deps, { workspaceId, inviter: alice, joiner: bob, role: "member" });
    const { apiKey } = await createApiKey(deps, { workspaceId, actor: alice, name: "alice's" });
    expect(
      await codeOf(renameApiKey(deps, { workspaceId, actor: bob, keyId: apiKey.id, name: "mine" })),
    ).toBe("not_found");
  });
});

describe("the audit trail of creating and revoking", () => {
  it("records api_key.created and api_key.revoked with the actor's address, and never a secret", async () => {
    const origin = { ip: "192.0.2.1", userAgent: "Mozilla/5.0" };
    const { apiKey, key } = await createApiKey(deps, { workspaceId, actor: alice, name: "trail", origin });
    await revokeApiKey(deps, noWorkers, { workspaceId, actor: alice, keyId: apiKey.id, origin });
    await revokeApiKey(deps, noWorkers, { workspaceId, actor: alice, keyId: apiKey.id, origin });
    const { entries } = await listAuditEntries(deps.db, {
      workspaceId,
      action: undefined,
      actor: undefined,
      before: undefined,
      limit: 10,
    });
    expect(entries.map((entry) => entry.action).sort()).toEqual(["api_key.created", "api_key.revoked"]);
    for (const entry of entries) {
      expect(entry).toMatchObject({
        actor: { type: "user", id: alice.id, name: "Alice" },
        target: { type: "api_key", id: apiKey.id, name: "trail" },
        ip: "192.0.2.1",
        userAgent: "Mozilla/5.0",
        details: expect.objectContaining({ prefix: apiKey.prefix }),
      });
    }
    const text = JSON.stringify(entries);
    expect(text).not.toContain(key.slice(17));
    expect(text).not.toContain(sha256Hex(key));
  });

  it("regression: a key whose creation failed the limit leaves no audit entry", async () => {
    for (let i = 0; i < API_KEY_LIMIT; i++)
      await createApiKey(deps, { workspaceId, actor: alice, name: `k${i}` });
    expect(await codeOf(createApiKey(deps, { workspaceId, actor: alice, name: "26th" }))).toBe(
      "api_key_limit_reached",
    );
    const { entries } = await listAuditEntries(deps.db, {
      workspaceId,
      action: "api_key.created",
      actor: undefined,
      before: undefined,
      limit: 50,
    });
    expect(entries).toHaveLength(API_KEY_LIMIT);
  });
});
