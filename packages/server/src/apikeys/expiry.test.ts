import { generateApiKey, type User } from "@cogno/protocol";
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { listAuditEntries } from "../audit/store.ts";
import { signUp } from "../auth/service.ts";
import { createTestDeps, type TestDeps } from "../testing/test-deps.ts";
import { createWorkspace } from "../workspaces/service.ts";
import { startExpirySweep, sweepExpiredKeys } from "./expiry.ts";
import { rollApiKey } from "./roll.ts";
import { createApiKey, listApiKeys, newKeyRow } from "./service.ts";

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

const inMs = (ms: number) => new Date(deps.clock.now().getTime() + ms).toISOString();

async function storedRow(keyId: string) {
  return deps.db
    .selectFrom("api_keys")
    .select(["revoked_at", "revoked_reason", "expires_at"])
    .where("id", "=", keyId)
    .executeTakeFirstOrThrow();
}

async function expiredEntries() {
  const { entries } = await listAuditEntries(deps.db, {
    workspaceId,
    action: "api_key.expired",
    actor: undefined,
    before: undefined,
    limit: 50,
  });
  return entries;
}

describe("the expiry sweep", () => {
  it("writes nothing before a key's expiry, then marks it revoked at its expiry, once", async () => {
    const expiresAt = inMs(60_000);
    const { apiKey } = await createApiKey(deps, { workspaceId, actor: alice, name: "temp", expiresAt });
    deps.events.length = 0;
    expect(await sweepExpiredKeys(deps)).toEqual([]);
    expect(await storedRow(apiKey.id)).toEqual({
      revoked_at: null,
      revoked_reason: null,
      expires_at: expiresAt,
    });

    deps.clock.advance(61_000);
    const swept = await sweepExpiredKeys(deps);
    expect(swept.map((key) => [key.id, key.reason])).toEqual([[apiKey.id, "expired"]]);
    expect(await storedRow(apiKey.id)).toEqual({
      revoked_at: expiresAt,
      revoked_reason: "expired",
      expires_at: expiresAt,
    });
    expect(deps.keyChangesSeen.at(-1)).toEqual({
      seq: expect.any(Number),
      keyIds: [apiKey.id],
      change: "revoked",
      reason: "expired",
    });
    expect(deps.events).toEqual([{ type: "api_key.revoked", workspaceId, keyId: apiKey.id }]);
    expect(await expiredEntries()).toEqual([
      expect.objectContaining({
        at: expiresAt,
        actor: { type: "system", id: null, name: "Cogno" },
        target: { type: "api_key", id: apiKey.id, name: "temp" },
        ip: null,
        userAgent: null,
        details: { prefix: apiKey.prefix, reason: "expired" },
      }),
    ]);

    const changesBefore = deps.keyChangesSeen.length;
    expect(await sweepExpiredKeys(deps)).toEqual([]);
    expect(deps.keyChangesSeen).toHaveLength(changesBefore);
    expect(await expiredEntries()).toHaveLength(1);
  });

  it("ends a rolled key's grace window with reason rolled", async () => {
    const old = await createApiKey(deps, { workspaceId, actor: alice, name: "rolled" });
    const rolled = await rollApiKey(deps, {
      workspaceId,
      actor: alice,
      keyId: old.apiKey.id,
      expiresInSeconds: 60,
    });
    deps.clock.advance(60_000);
    expect((await sweepExpiredKeys(deps)).map((key) => key.reason)).toEqual(["rolled"]);
    expect(await storedRow(old.apiKey.id)).toMatchObject({
      revoked_at: rolled.previous.expiresAt,
      revoked_reason: "rolled",
    });
    expect(deps.keyChangesSeen.at(-1)).toMatchObject({ keyIds: [old.apiKey.id], reason: "rolled" });
    expect((await expiredEntries())[0]?.details).toEqual({ prefix: old.apiKey.prefix, reason: "rolled" });
    const all = await listApiKeys(deps, {
      workspaceId,
      actor: alice,
      includeRevoked: true,
      limit: 10,
      cursor: undefined,
    });
    expect(all.apiKeys.find((key) => key.id === old.apiKey.id)).toMatchObject({
      revokedAt: rolled.previous.expiresAt,
      revokedReason: "rolled",
    });
  });

  it("leaves keys without an expiry and keys still in their time alone", async () => {
    await createApiKey(deps, { workspaceId, actor: alice, name: "forever" });
    await createApiKey(deps, { workspaceId, actor: alice, name: "later", expiresAt: inMs(120_000) });
    deps.clock.advance(60_000);
    expect(await sweepExpiredKeys(deps)).toEqual([]);
  });

  it("regression: replicas sweeping at the same moment record each expiry exactly once", async () => {
    for (let i = 0; i < 5; i++)
      await createApiKey(deps, { workspaceId, actor: alice, name: `k${i}`, expiresAt: inMs(1_000) });
    deps.clock.advance(1_000);
    const sweeps = await Promise.all([
      sweepExpiredKeys(deps),
      sweepExpiredKeys(deps),
      sweepExpiredKeys(deps),
    ]);
    expect(sweeps.flat()).toHaveLength(5);
    expect(await expiredEntries()).toHaveLength(5);
    const revocations = deps.keyChangesSeen.filter((change) => change.change === "revoked");
    expect(revocations.flatMap((change) => change.keyIds).sort()).toEqual(
      sweeps
        .flat()
        .map((key) => key.id)
        .sort(),
    );
  });

  it("regression: 5,100 keys expiring together are all written down (one statement would pass the engines' parameter limit)", async () => {
    const expiresAt = inMs(1_000);
    const rows = Array.from({ length: 5_100 }, (_, i) =>
      newKeyRow({
        key: generateApiKey(),
        workspaceId,
        ownerId: alice.id,
        name: `fleet-${i}`,
        createdAt: deps.clock.now().toISOString(),
        expiresAt,
      }),
    );
    for (let start = 0; start < rows.length; start += 500)
      await deps.db
        .insertInto("api_keys")
        .values(rows.slice(start, start + 500))
        .execute();
    deps.clock.advance(1_000);
    expect(await sweepExpiredKeys(deps)).toHaveLength(5_100);
    const { count } = await deps.db
      .selectFrom("audit_log")
      .select((eb) => eb.fn.countAll().as("count"))
      .where("action", "=", "api_key.expired")
      .executeTakeFirstOrThrow();
    expect(Number(count)).toBe(5_100);
    expect(await sweepExpiredKeys(deps)).toEqual([]);
  }, 60_000);

  it("asks the database through the partial index, so an idle sweep stays cheap", async () => {
    if (deps.engine !== "sqlite") return; // PostgreSQL's planner prefers a scan on a table this small
    const plan = await sql<{ detail: string }>`explain query plan select id from api_keys
      where revoked_at is null and expires_at is not null and expires_at <= ${deps.clock.now().toISOString()}
      limit 1`.execute(deps.db);
    expect(plan.rows.map((row) => row.detail).join(" ")).toContain("api_keys_due_expiry");
  });

  it("runs on a timer and stops, waiting for a sweep under way", async () => {
    const { apiKey } = await createApiKey(deps, {
      workspaceId,
      actor: alice,
      name: "timed",
      expiresAt: inMs(1_000),
    });
    deps.clock.advance(1_000);
    const sweep = startExpirySweep(deps, 20);
    const deadline = Date.now() + 5_000;
    while ((await storedRow(apiKey.id)).revoked_reason === null && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    await sweep.stop();
    expect((await storedRow(apiKey.id)).revoked_reason).toBe("expired");
  });
});
