import { generateApiKey, type User } from "@cogno/protocol";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { signUp } from "../auth/service.ts";
import type { KeyChangeFeed } from "../events/key-changes.ts";
import { codeOf } from "../testing/error-code.ts";
import { createTestDeps, type TestDeps } from "../testing/test-deps.ts";
import { createWorkspace } from "../workspaces/service.ts";
import { KeyAuthenticator } from "./authenticator.ts";
import { type ConnectedWorkers, createApiKey, listApiKeys, revokeApiKey } from "./service.ts";
import { VerifiedKeyCache } from "./verified-keys.ts";

const noWorkers: ConnectedWorkers = {
  listConnectedWithKey: async () => [],
  countConnectedWithKey: async () => 0,
  listRecentWithKey: async () => [],
};
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

/** The test's feed, with memory trusted or not (a replica whose lease lapsed does not trust it). */
function authenticatorWith(memoryTrusted: boolean): KeyAuthenticator {
  const keyChanges: KeyChangeFeed = { ...deps.keyChanges, memoryTrusted: () => memoryTrusted };
  return new KeyAuthenticator({ ...deps, keyChanges, failuresPerMinute: 5 });
}

/** How long a test waits for a write made off the awaited path to land. */
const WRITE_LANDS = { timeout: 5_000, interval: 10 };

async function lastUsed() {
  const { apiKeys } = await listApiKeys(deps, {
    workspaceId,
    actor: alice,
    includeRevoked: false,
    limit: 10,
    cursor: undefined,
  });
  return apiKeys[0];
}

describe.each([
  ["reading the database every time", false],
  ["with the verified-key cache", true],
])("KeyAuthenticator, %s", (_label, trusted) => {
  it("refuses a malformed key without touching the database", async () => {
    const keys = authenticatorWith(trusted);
    // A key with its last character changed, so its checksum no longer matches.
    const good = generateApiKey();
    const mistyped = `${good.slice(0, -1)}${good.endsWith("A") ? "B" : "A"}`;
    await deps.db.destroy(); // any look-up now fails loudly
    for (const header of [undefined, "Bearer nope", `Bearer ${mistyped}`, "Basic abc"]) {
      expect(await codeOf(keys.authenticate(header, "client-malformed"))).toBe("api_key_malformed");
    }
    const closed = deps;
    deps = await createTestDeps(); // afterEach cleans up a live one
    await closed.cleanup();
  });

  it("tells an unknown key from a revoked one, and records use (time and address) at most once a minute", async () => {
    const keys = authenticatorWith(trusted);
    const { apiKey, key } = await createApiKey(deps, { workspaceId, actor: alice, name: "used" });
    expect(await codeOf(keys.authenticate(`Bearer ${generateApiKey()}`, "c1"))).toBe("api_key_invalid");

    await keys.authenticate(`Bearer ${key}`, "10.0.0.1");
    const firstUse = deps.clock.now().toISOString();
    // The use is written off the request's path, by group commit: wait for it (vi.waitFor's own
    // default, 1 s, is short for a busy CI machine's PostgreSQL).
    await vi.waitFor(
      async () => expect(await lastUsed()).toMatchObject({ lastUsedAt: firstUse, lastUsedIp: "10.0.0.1" }),
      WRITE_LANDS,
    );

    deps.clock.advance(30_000);
    await keys.authenticate(`Bearer ${key}`, "10.0.0.2");
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await lastUsed())?.lastUsedAt).toBe(firstUse);

    deps.clock.advance(31_000);
    await keys.authenticate(`Bearer ${key}`, "10.0.0.2");
    const minuteLater = deps.clock.now().toISOString();
    await vi.waitFor(
      async () => expect(await lastUsed()).toMatchObject({ lastUsedAt: minuteLater, lastUsedIp: "10.0.0.2" }),
      WRITE_LANDS,
    );

    await revokeApiKey(deps, noWorkers, { workspaceId, actor: alice, keyId: apiKey.id });
    expect(await codeOf(keys.authenticate(`Bearer ${key}`, "c1"))).toBe("api_key_revoked");
  });

  it("refuses an expired key as api_key_expired, on time, even when it was verified before", async () => {
    const keys = authenticatorWith(trusted);
    const expiresAt = new Date(deps.clock.now().getTime() + 10_000).toISOString();
    const { key } = await createApiKey(deps, { workspaceId, actor: alice, name: "short", expiresAt });
    expect(await codeOf(keys.authenticate(`Bearer ${key}`, "c1"))).toBe("ok");
    deps.clock.advance(9_999);
    expect(await codeOf(keys.authenticate(`Bearer ${key}`, "c1"))).toBe("ok");
    deps.clock.advance(1);
    expect(await codeOf(keys.authenticate(`Bearer ${key}`, "c1"))).toBe("api_key_expired");
  });

  it("rate-limits a client address after repeated guesses, while other clients pass", async () => {
    const keys = authenticatorWith(trusted);
    const { key } = await createApiKey(deps, { workspaceId, actor: alice, name: "limited" });
    for (let i = 0; i < 5; i++) await codeOf(keys.authenticate("Bearer bad", "guesser"));
    expect(await codeOf(keys.authenticate(`Bearer ${key}`, "guesser"))).toBe("rate_limited");
    expect(await codeOf(keys.authenticate(`Bearer ${key}`, "someone-else"))).toBe("ok");
    deps.clock.advance(60_000);
    expect(await codeOf(keys.authenticate(`Bearer ${key}`, "guesser"))).toBe("ok");
  });

  it("regression: a burst of bad keys in flight at once is limited, not answered 401 every time", async () => {
    const keys = authenticatorWith(trusted);
    const unknown = Array.from({ length: 50 }, () => `Bearer ${generateApiKey()}`);
    const codes = await Promise.all(unknown.map((header) => codeOf(keys.authenticate(header, "burst"))));
    expect(codes.filter((code) => code === "api_key_invalid")).toHaveLength(5);
    expect(codes.filter((code) => code === "rate_limited")).toHaveLength(45);
  });

  it("regression: a fleet behind one address, with a cold cache, is not refused while its look-ups are in flight", async () => {
    const keys = authenticatorWith(trusted);
    const fleet = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        createApiKey(deps, { workspaceId, actor: alice, name: `fleet-${i}` }),
      ),
    );
    // 40 at once from one address, five times the limit of 5 attempts in flight: none is a guess.
    const codes = await Promise.all(
      Array.from({ length: 40 }, (_, i) => codeOf(keys.authenticate(`Bearer ${fleet[i % 8]?.key}`, "nat"))),
    );
    expect(codes.filter((code) => code !== "ok")).toEqual([]);
    // And guesses from that address are still limited afterwards.
    for (let i = 0; i < 5; i++) await codeOf(keys.authenticate(`Bearer ${generateApiKey()}`, "nat"));
    expect(await codeOf(keys.authenticate(`Bearer ${generateApiKey()}`, "nat"))).toBe("rate_limited");
  });

  it("regression: attempts with a revoked key do not lock out the other keys of that address", async () => {
    const keys = authenticatorWith(trusted);
    const revoked = await createApiKey(deps, { workspaceId, actor: alice, name: "shared-revoked" });
    const healthy = await createApiKey(deps, { workspaceId, actor: alice, name: "healthy" });
    await revokeApiKey(deps, noWorkers, { workspaceId, actor: alice, keyId: revoked.apiKey.id });
    const nat = "203.0.113.7";
    for (let i = 0; i < 20; i++) await codeOf(keys.authenticate(`Bearer ${revoked.key}`, nat));
    expect(await codeOf(keys.authenticate(`Bearer ${healthy.key}`, nat))).toBe("ok");
    // The revoked key itself is limited, per key.
    expect(await codeOf(keys.authenticate(`Bearer ${revoked.key}`, "elsewhere"))).toBe("rate_limited");
  });
});

describe("a cold cache met by many requests at once", () => {
  /**
   * The authenticator on the test database, counting the statements that read it; the first read's
   * answer can be held back until `release()`, to make a read that is still in flight.
   */
  function countingReads(options: { holdFirst?: boolean } = {}) {
    let reads = 0;
    let release = (): void => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const db = deps.db.withPlugin({
      transformQuery(args) {
        if (args.node.kind === "SelectQueryNode") reads += 1;
        return args.node;
      },
      async transformResult(args) {
        if (options.holdFirst && reads === 1) await held;
        return args.result;
      },
    });
    return { keys: new KeyAuthenticator({ ...deps, db, failuresPerMinute: 5 }), reads: () => reads, release };
  }

  it("reads a key shared by the requests once, and serves it from memory after", async () => {
    const { keys, reads } = countingReads();
    const { key } = await createApiKey(deps, { workspaceId, actor: alice, name: "shared" });
    // 40 at once from one address, eight times its 5 look-ups in flight.
    const codes = await Promise.all(
      Array.from({ length: 40 }, () => codeOf(keys.authenticate(`Bearer ${key}`, "nat"))),
    );
    expect(codes.filter((code) => code !== "ok")).toEqual([]);
    expect(reads()).toBe(1);
    await keys.authenticate(`Bearer ${key}`, "nat");
    expect(reads()).toBe(1);
  });

  it("counts every request that joined a read of an unknown key as a failed attempt", async () => {
    const { keys, reads } = countingReads();
    const unknown = `Bearer ${generateApiKey()}`;
    const codes = await Promise.all(
      Array.from({ length: 3 }, () => codeOf(keys.authenticate(unknown, "guesser"))),
    );
    expect(codes).toEqual(["api_key_invalid", "api_key_invalid", "api_key_invalid"]);
    expect(reads()).toBe(1);
    // Five failures is the limit: two more attempts use it up, then the address is refused.
    for (let i = 0; i < 2; i++) await codeOf(keys.authenticate(`Bearer ${generateApiKey()}`, "guesser"));
    expect(await codeOf(keys.authenticate(`Bearer ${generateApiKey()}`, "guesser"))).toBe("rate_limited");
  });

  it("does not join a read that started before a key change", async () => {
    const { keys, reads, release } = countingReads({ holdFirst: true });
    const { key, apiKey } = await createApiKey(deps, { workspaceId, actor: alice, name: "changing" });
    const before = codeOf(keys.authenticate(`Bearer ${key}`, "c1"));
    await expect.poll(reads).toBe(1); // its answer is held back: the read is in flight
    // A change to the key reaches this process (as a revocation's announcement does).
    await deps.keyChanges.announce({ seq: 1, keyIds: [apiKey.id], change: "updated", reason: null });
    const after = codeOf(keys.authenticate(`Bearer ${key}`, "c2"));
    await expect.poll(reads).toBe(2); // a read of its own, not the one that predates the change
    release();
    expect([await before, await after]).toEqual(["ok", "ok"]);
  });
});

describe("the verified-key cache", () => {
  it("never serves a key after its revocation, even when the look-up raced the revocation", async () => {
    const keys = authenticatorWith(true);
    for (let round = 0; round < 20; round++) {
      const { apiKey, key } = await createApiKey(deps, { workspaceId, actor: alice, name: `race-${round}` });
      const client = `client-${round}`; // one per round: the failures below must not add up to a rate limit
      if (round % 2 === 0) await keys.authenticate(`Bearer ${key}`, client); // cached before the race
      const inFlight = keys.authenticate(`Bearer ${key}`, client).catch(() => undefined);
      await revokeApiKey(deps, noWorkers, { workspaceId, actor: alice, keyId: apiKey.id });
      await inFlight;
      expect(await codeOf(keys.authenticate(`Bearer ${key}`, client))).toBe("api_key_revoked");
    }
  });

  it("ignores a look-up read before a key change that has since passed", async () => {
    const cache = new VerifiedKeyCache(deps.keyChanges);
    const before = cache.generation;
    await deps.keyChanges.announce({ seq: 1, keyIds: ["key_other"], change: "revoked", reason: "revoked" });
    const { apiKey } = await createApiKey(deps, { workspaceId, actor: alice, name: "read-earlier" });
    cache.remember({ keyHash: "h", workspace: { id: workspaceId, name: "Acme" }, apiKey }, before);
    expect(cache.find("h")).toBeUndefined();
  });

  it("is not consulted while memory is not trusted (a replica whose lease lapsed reads the database)", async () => {
    let trusted = true;
    const keyChanges: KeyChangeFeed = { ...deps.keyChanges, memoryTrusted: () => trusted };
    const keys = new KeyAuthenticator({ ...deps, keyChanges, failuresPerMinute: 5 });
    const { key, apiKey } = await createApiKey(deps, { workspaceId, actor: alice, name: "cached" });
    await keys.authenticate(`Bearer ${key}`, "c1"); // cached
    // Revoked behind this replica's back (as if the announcement never reached it).
    await deps.db
      .updateTable("api_keys")
      .set({ revoked_at: deps.clock.now().toISOString() })
      .where("id", "=", apiKey.id)
      .execute();
    expect(await codeOf(keys.authenticate(`Bearer ${key}`, "c1"))).toBe("ok"); // trusted memory: served
    trusted = false;
    expect(await codeOf(keys.authenticate(`Bearer ${key}`, "c1"))).toBe("api_key_revoked");
  });
});
