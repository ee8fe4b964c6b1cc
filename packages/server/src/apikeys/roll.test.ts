import { API_KEY_LIMIT, type User } from "@cogno/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { listAuditEntries } from "../audit/store.ts";
import { signUp } from "../auth/service.ts";
import { sha256Hex } from "../crypto.ts";
import { codeOf } from "../testing/error-code.ts";
import { joinWorkspace } from "../testing/members.ts";
import { createTestDeps, type TestDeps } from "../testing/test-deps.ts";
import { createWorkspace } from "../workspaces/service.ts";
import { refusalOf } from "./authenticator.ts";
import { rollApiKey } from "./roll.ts";
import { type ConnectedWorkers, createApiKey, getApiKey, listApiKeys, revokeApiKey } from "./service.ts";
import { countKeysTowardLimit } from "./store.ts";

const noWorkers: ConnectedWorkers = {
  listConnectedWithKey: async () => [],
  countConnectedWithKey: async () => 0,
  listRecentWithKey: async () => [],
};
const HOUR = 3_600;
let deps: TestDeps;
let alice: User;
let workspaceId: string;

beforeEach(async () => {
  deps = await createTestDeps();
  alice = (await signUp(deps, { email: "alice@example.com", password: "long enough", name: "Alice" }, "t"))
    .user;
  workspaceId = (await createWorkspace(deps, alice.id, "Acme")).id;
});

afterEach(async () => {
  await deps.cleanup();
});

async function join(role: "admin" | "member", name: string): Promise<User> {
  const user = (
    await signUp(deps, { email: `${name}@example.com`, password: "long enough", name }, `c-${name}`)
  ).user;
  await joinWorkspace(deps, { workspaceId, inviter: alice, joiner: user, role });
  return user;
}

async function roll(keyId: string, expiresInSeconds: number, actor: User = alice) {
  return rollApiKey(deps, { workspaceId, actor, keyId, expiresInSeconds });
}

describe("rolling a key with a grace window", () => {
  it("makes a new key with the same name and owner, and gives the old one an expiry but no revocation", async () => {
    const old = await createApiKey(deps, { workspaceId, actor: alice, name: "ci worker" });
    deps.keyChangesSeen.length = 0;
    deps.events.length = 0;
    deps.clock.advance(1_000);
    const rolled = await roll(old.apiKey.id, HOUR);

    expect(rolled.apiKey).toMatchObject({
      name: "ci worker",
      owner: alice,
      expiresAt: null,
      revokedAt: null,
    });
    expect(rolled.apiKey.id).not.toBe(old.apiKey.id);
    expect(rolled.key).not.toBe(old.key);
    expect(rolled.apiKey.prefix).toBe(rolled.key.slice(0, 17));
    expect(rolled.previous).toMatchObject({
      id: old.apiKey.id,
      expiresAt: new Date(deps.clock.now().getTime() + HOUR * 1000).toISOString(),
      revokedAt: null,
      revokedReason: null,
    });
    // Replicas re-read the old key (its new expiry); nothing is cut off yet.
    expect(deps.keyChangesSeen).toEqual([
      { seq: expect.any(Number), keyIds: [old.apiKey.id], change: "updated", reason: null },
    ]);
    expect(deps.events).toEqual([
      { type: "api_key.created", workspaceId, keyId: rolled.apiKey.id },
      { type: "api_key.updated", workspaceId, keyId: old.apiKey.id },
    ]);
    const stored = await deps.db
      .selectFrom("api_keys")
      .selectAll()
      .where("id", "=", rolled.apiKey.id)
      .execute();
    expect(stored[0]?.key_hash).toBe(sha256Hex(rolled.key));
  });

  it("shows the roll on the old key's page, and the old key as rolled once the window ends", async () => {
    const old = await createApiKey(deps, { workspaceId, actor: alice, name: "laptop" });
    const rolled = await roll(old.apiKey.id, HOUR);
    const detail = await getApiKey(deps, noWorkers, { workspaceId, actor: alice, keyId: old.apiKey.id });
    expect(detail.roll).toEqual({
      rolledAt: deps.clock.now().toISOString(),
      replacedBy: { id: rolled.apiKey.id, name: "laptop", prefix: rolled.apiKey.prefix },
    });
    expect(detail.leakReport).toBeUndefined();
    expect(refusalOf(detail.apiKey, deps.clock.now().toISOString())).toBeUndefined();

    deps.clock.advance(HOUR * 1000);
    const after = await getApiKey(deps, noWorkers, { workspaceId, actor: alice, keyId: old.apiKey.id });
    expect(after.apiKey).toMatchObject({ revokedAt: rolled.previous.expiresAt, revokedReason: "rolled" });
    expect(refusalOf(after.apiKey, deps.clock.now().toISOString())?.code).toBe("api_key_expired");
    const fresh = await getApiKey(deps, noWorkers, { workspaceId, actor: alice, keyId: rolled.apiKey.id });
    expect(fresh.roll).toBeUndefined();
  });

  it("never lengthens an expiry the key already had", async () => {
    const expiresAt = new Date(deps.clock.now().getTime() + 60_000).toISOString();
    const old = await createApiKey(deps, { workspaceId, actor: alice, name: "short", expiresAt });
    const rolled = await roll(old.apiKey.id, 7 * 24 * HOUR);
    expect(rolled.previous.expiresAt).toBe(expiresAt);
  });

  it("is allowed at the 25-key limit: the rolled key no longer counts", async () => {
    const keys = [];
    for (let i = 0; i < API_KEY_LIMIT; i++)
      keys.push(await createApiKey(deps, { workspaceId, actor: alice, name: `k${i}` }));
    expect(await codeOf(createApiKey(deps, { workspaceId, actor: alice, name: "26th" }))).toBe(
      "api_key_limit_reached",
    );
    const rolled = await roll(keys[0]?.apiKey.id ?? "", 24 * HOUR);
    const now = deps.clock.now().toISOString();
    expect(await countKeysTowardLimit(deps.db, workspaceId, alice.id, now)).toBe(API_KEY_LIMIT);
    // Both work during the window: 26 active keys, 25 of which count.
    const active = await listApiKeys(deps, {
      workspaceId,
      actor: alice,
      includeRevoked: false,
      limit: 100,
      cursor: undefined,
    });
    expect(active.apiKeys.map((key) => key.id)).toContain(rolled.previous.id);
    expect(active.apiKeys).toHaveLength(API_KEY_LIMIT + 1);
    expect(await codeOf(createApiKey(deps, { workspaceId, actor: alice, name: "26th" }))).toBe(
      "api_key_limit_reached",
    );
  });
});

describe("rolling a key with no grace", () => {
  it("cuts the old key off before it answers: revoked now for reason rolled, announced as a revocation", async () => {
    const old = await createApiKey(deps, { workspaceId, actor: alice, name: "leaky" });
    deps.keyChangesSeen.length = 0;
    deps.events.length = 0;
    const rolled = await roll(old.apiKey.id, 0);
    const now = deps.clock.now().toISOString();
    expect(rolled.previous).toMatchObject({ expiresAt: now, revokedAt: now, revokedReason: "rolled" });
    expect(deps.keyChangesSeen).toEqual([
      { seq: expect.any(Number), keyIds: [old.apiKey.id], change: "revoked", reason: "rolled" },
    ]);
    expect(deps.events.map((event) => event.type)).toEqual(["api_key.created", "api_key.revoked"]);
    expect(refusalOf(rolled.previous, now)?.code).toBe("api_key_expired");
  });

  it("regression: with no grace the old key is revoked even when the clock moves between two readings", async () => {
    const old = await createApiKey(deps, { workspaceId, actor: alice, name: "ticking" });
    // A clock that moves a millisecond each time it is read, as a real one may.
    const ticking = {
      ...deps,
      clock: {
        now: () => {
          deps.clock.advance(1);
          return deps.clock.now();
        },
      },
    };
    const rolled = await rollApiKey(ticking, {
      workspaceId,
      actor: alice,
      keyId: old.apiKey.id,
      expiresInSeconds: 0,
    });
    expect(rolled.previous.revokedReason).toBe("rolled");
    expect(rolled.previous.revokedAt).toBe(rolled.previous.expiresAt);
    expect(Date.parse(rolled.previous.expiresAt ?? "")).toBe(Date.parse(rolled.apiKey.createdAt));
  });
});

describe("who may roll, and what cannot be rolled", () => {
  it("lets members roll their own keys only, and admins roll anyone's: the new key keeps its owner", async () => {
    const member = await join("member", "mia");
    const admin = await join("admin", "adam");
    const mine = await createApiKey(deps, { workspaceId, actor: member, name: "mia's" });
    const aliceKey = await createApiKey(deps, { workspaceId, actor: alice, name: "alice's" });
    expect(await codeOf(roll(aliceKey.apiKey.id, HOUR, member))).toBe("not_found");
    const byAdmin = await roll(mine.apiKey.id, HOUR, admin);
    expect(byAdmin.apiKey.owner).toEqual(member);
    expect(await codeOf(roll(byAdmin.apiKey.id, HOUR, member))).toBe("ok");
  });

  it("answers 409 conflict with a clear message for a revoked, expired or already rolled key", async () => {
    const revoked = await createApiKey(deps, { workspaceId, actor: alice, name: "revoked" });
    await revokeApiKey(deps, noWorkers, { workspaceId, actor: alice, keyId: revoked.apiKey.id });
    await expect(roll(revoked.apiKey.id, HOUR)).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringContaining("revoked"),
    });

    const expiring = await createApiKey(deps, {
      workspaceId,
      actor: alice,
      name: "expiring",
      expiresAt: new Date(deps.clock.now().getTime() + 1_000).toISOString(),
    });
    const once = await createApiKey(deps, { workspaceId, actor: alice, name: "once" });
    const rolled = await roll(once.apiKey.id, HOUR);
    await expect(roll(once.apiKey.id, HOUR)).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringContaining(rolled.apiKey.prefix),
    });
    deps.clock.advance(1_000);
    await expect(roll(expiring.apiKey.id, HOUR)).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringContaining("expired"),
    });
  });

  it("regression: two rolls of one key at once make one replacement, not two", async () => {
    const old = await createApiKey(deps, { workspaceId, actor: alice, name: "raced" });
    const outcomes = await Promise.all([
      codeOf(roll(old.apiKey.id, HOUR)),
      codeOf(roll(old.apiKey.id, HOUR)),
    ]);
    expect(outcomes.sort()).toEqual(["conflict", "ok"]);
    const rows = await deps.db.selectFrom("api_keys").select("id").where("name", "=", "raced").execute();
    expect(rows).toHaveLength(2);
  });
});

describe("what a roll records", () => {
  it("audits the new key's creation and the roll, with no secret in the details", async () => {
    const old = await createApiKey(deps, {
      workspaceId,
      actor: alice,
      name: "audited",
      origin: { ip: "10.1.2.3", userAgent: "browser" },
    });
    const rolled = await rollApiKey(deps, {
      workspaceId,
      actor: alice,
      keyId: old.apiKey.id,
      expiresInSeconds: HOUR,
      origin: { ip: "10.1.2.4", userAgent: "browser 2" },
    });
    const { entries } = await listAuditEntries(deps.db, {
      workspaceId,
      action: undefined,
      actor: undefined,
      before: undefined,
      limit: 50,
    });
    expect(entries.map((entry) => [entry.action, entry.target.id])).toEqual(
      expect.arrayContaining([
        ["api_key.created", old.apiKey.id],
        ["api_key.created", rolled.apiKey.id],
        ["api_key.rolled", old.apiKey.id],
      ]),
    );
    const rolledEntry = entries.find((entry) => entry.action === "api_key.rolled");
    expect(rolledEntry).toMatchObject({
      actor: { type: "user", id: alice.id, name: "Alice" },
      ip: "10.1.2.4",
      userAgent: "browser 2",
      details: {
        replacedBy: rolled.apiKey.id,
        replacementPrefix: rolled.apiKey.prefix,
        graceSeconds: HOUR,
        expiresAt: rolled.previous.expiresAt,
      },
    });
    const text = JSON.stringify(entries);
    for (const key of [old.key, rolled.key]) {
      expect(text).not.toContain(key.slice(17));
      expect(text).not.toContain(sha256Hex(key));
    }
  });

  it("regression: returns the new raw key even when the announcement and the news fail after the commit", async () => {
    const old = await createApiKey(deps, { workspaceId, actor: alice, name: "unlucky" });
    const failing = {
      ...deps,
      keyChanges: { ...deps.keyChanges, announce: () => Promise.reject(new Error("replica unreachable")) },
      bus: { ...deps.bus, publish: () => Promise.reject(new Error("bus down")) },
    };
    const rolled = await rollApiKey(failing, {
      workspaceId,
      actor: alice,
      keyId: old.apiKey.id,
      expiresInSeconds: 0,
    });
    expect(rolled.key).toMatch(/^cogno_wk_/);
    const created = await createApiKey(failing, { workspaceId, actor: alice, name: "still returned" });
    expect(created.key).toMatch(/^cogno_wk_/);
  });
});
